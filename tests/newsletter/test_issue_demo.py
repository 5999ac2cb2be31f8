"""The demo April 2022 issue, built on the demo site by `manage.py load_demo`."""

import io

import pytest
from bs4 import BeautifulSoup

from django.core.management import call_command

from home.models import ArticlePage, EventPage, HomePage
from newsletter.checklist import check_issue
from newsletter.demo.issue import load_issue
from newsletter.models import NewsletterIssuePage
from newsletter.rendering import render_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_site(home_page):
    call_command("load_demo", stdout=io.StringIO())
    return HomePage.objects.get()


def test_load_demo_creates_the_april_2022_issue(demo_site):
    issue = NewsletterIssuePage.objects.get(slug="2022-04")
    assert issue.live and issue.live_revision_id
    assert issue.url == "/nyhetsbrev/2022-04/"
    assert issue.issue_date.isoformat() == "2022-04-01"
    kinds = [block.block_type for block in issue.body]
    assert kinds[0] == "lead_story"
    assert kinds.count("article_teaser") == 6
    assert {"event_teaser", "upcoming_events", "tips", "contact", "divider"} <= set(kinds)
    teased = {
        block.value["article"].slug for block in issue.body if block.block_type == "article_teaser"
    }
    assert "valkommen-tranemo-och-vargarda" in teased
    assert all(
        isinstance(block.value["article"], ArticlePage)
        for block in issue.body
        if block.block_type == "article_teaser"
    )
    event = next(block.value["event"] for block in issue.body if block.block_type == "event_teaser")
    assert isinstance(event, EventPage) and event.slug == "varmote-2022"


def test_demo_issue_is_ready_to_send(demo_site):
    issue = NewsletterIssuePage.objects.get(slug="2022-04")
    checklist = check_issue(issue.live_revision.as_object())
    assert checklist.errors == []
    rendered = render_email(issue)
    assert len(rendered.html.encode()) < 102 * 1024
    for text in [
        "Från ord till handling på sex dagar",
        "Välkommen Tranemo och Vårgårda",
        "PROGRAM & ANMÄLAN",
        "SmåKom tipsar!",
        "Charlotta Haskovec",
    ]:
        assert text in BeautifulSoup(rendered.html, "html.parser").get_text(" "), text
        assert text.upper() in rendered.text.upper(), text
    assert "Förlängd anmälan till: 8 april 2022" in rendered.text


def test_load_issue_is_idempotent(demo_site):
    first = NewsletterIssuePage.objects.get(slug="2022-04")
    again = load_issue(demo_site)
    assert again.pk == first.pk
    call_command("load_demo", stdout=io.StringIO())
    assert NewsletterIssuePage.objects.filter(slug="2022-04").count() == 1
