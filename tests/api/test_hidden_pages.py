"""Drafts and login-restricted pages show nothing of themselves (issue 12, point 6): a teaser, a
button or a link to one in a public page gives away neither its title, URL nor summary — in the
API, on the web page, or in the newsletter email."""

import datetime
import json

import pytest

from wagtail.models import PageViewRestriction

from home.models import EventPage
from newsletter.checklist import check_links
from newsletter.rendering.email import render_email

from .content import add_article

pytestmark = pytest.mark.django_db

API = "/api/v2/pages/"

# What must not leak, per hidden page: title, slug (the URL) and summary.
DRAFT = {
    "title": "Hemlig budget 2027",
    "slug": "hemlig-budget-2027",
    "listing_summary": "Förslaget om nedskärningar i Lerdal",
}
RESTRICTED = {
    "title": "Internt styrelseprotokoll",
    "slug": "internt-styrelseprotokoll",
    "listing_summary": "Styrelsens beslut om arvoden",
}
RESTRICTED_EVENT = {
    "title": "Slutet möte för kommunchefer",
    "slug": "slutet-mote-kommunchefer",
    "listing_summary": "Bara för inbjudna kommunchefer",
}
SECRETS = [v for page in (DRAFT, RESTRICTED, RESTRICTED_EVENT) for v in page.values()]


@pytest.fixture
def hidden(content):
    # The pages are hidden only after the issue is published: an issue whose checklist has errors
    # (links to hidden pages) cannot be published, but a page it features can be hidden later.
    draft = add_article(content.articles, date=datetime.date(2022, 4, 2), **DRAFT)
    restricted = add_article(content.articles, date=datetime.date(2022, 4, 3), **RESTRICTED)
    # An event under a section of the calendar that is restricted later: the restriction is inherited.
    members_only = content.events.add_child(
        instance=EventPage(
            title="Medlemssidor",
            slug="medlemssidor",
            start=content.spring_meeting.start,
            end=content.spring_meeting.end,
        )
    )
    event = members_only.add_child(
        instance=EventPage(
            start=content.spring_meeting.start + datetime.timedelta(days=1),
            end=content.spring_meeting.end + datetime.timedelta(days=1),
            location_city="Rättvik",
            **RESTRICTED_EVENT,
        )
    )
    issue = content.issue
    issue.body = [
        ("article_teaser", {"article": draft, "show_image": False, "full_text": True}),
        ("article_teaser", {"article": restricted, "show_image": False}),
        ("event_teaser", {"event": event}),
        ("article_teaser", {"article": content.welcome, "show_image": False}),
        (
            "lead_story",
            {
                "heading": "Ledaren",
                "text": f'<p>Se <a linktype="page" id="{restricted.pk}">protokollet</a> och '
                f'<a linktype="page" id="{draft.pk}">budgeten</a>.</p>',
                "link_text": "Mer info här",
                "link_page": restricted,
            },
        ),
        ("button", {"text": "Till budgeten", "link_page": draft}),
        (
            "tips",
            {
                "heading": "SmåKom tipsar!",
                "items": [{"heading": "Protokollet", "link_page": restricted}],
            },
        ),
        (
            "upcoming_events",
            {"heading": "Kalendern", "days": 3650, "limit": 20},
        ),
    ]
    issue.issue_date = (content.spring_meeting.start - datetime.timedelta(days=10)).date()
    issue.save_revision().publish()
    draft.unpublish()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.LOGIN
    )
    # A public article whose body has buttons to both hidden pages.
    content.grastorp.body = [
        (
            "paragraph",
            f'<p>Grästorp tog emot 72 flyktingar. Se <a linktype="page" id="{draft.pk}">budgeten'
            f'</a> och <a linktype="page" id="{restricted.pk}">protokollet</a>.</p>',
        ),
        ("button", {"text": "Budgeten", "page": draft, "url": ""}),
        ("button", {"text": "Protokollet", "page": restricted, "url": ""}),
        ("button", {"text": "Medlemsnytt", "page": content.welcome, "url": ""}),
    ]
    content.grastorp.save_revision().publish()
    return content


def assert_nothing_leaks(text: str):
    for secret in SECRETS:
        assert secret not in text, secret


def test_api_shows_nothing_of_hidden_pages(client, hidden):
    issue = client.get(f"{API}{hidden.issue.pk}/").json()
    assert_nothing_leaks(json.dumps(issue, ensure_ascii=False))
    teasers = [s["value"] for s in issue["body"] if s["type"] == "article_teaser"]
    assert [t["article"] for t in teasers[:2]] == [None, None]
    assert teasers[2]["article"]["title"] == hidden.welcome.title  # public pages still resolve
    article = client.get(f"{API}{hidden.grastorp.pk}/").json()
    assert_nothing_leaks(json.dumps(article, ensure_ascii=False))
    buttons = [b["value"] for b in article["body"] if b["type"] == "button"]
    assert [b["page"] for b in buttons[:2]] == [None, None]
    assert buttons[2]["page"]["url"].endswith("/nyheter/valkommen-tranemo-och-vargarda/")


def test_web_pages_show_nothing_of_hidden_pages(client, hidden):
    issue = client.get(hidden.issue.url)
    assert issue.status_code == 200
    html = issue.content.decode()
    assert_nothing_leaks(html)
    assert hidden.welcome.title in html and "Ledaren" in html
    article = client.get(hidden.grastorp.url).content.decode()
    assert_nothing_leaks(article)
    assert "Budgeten" not in article and "Protokollet" not in article  # no dead buttons
    assert "/nyheter/valkommen-tranemo-och-vargarda/" in article


def test_email_shows_nothing_of_hidden_pages_and_the_checklist_says_why(hidden):
    rendered = render_email(hidden.issue)
    assert_nothing_leaks(rendered.html)
    assert_nothing_leaks(rendered.text)
    assert hidden.welcome.title in rendered.html and "Ledaren" in rendered.html
    codes = [item.code for item in check_links(rendered.prepared)]
    assert "internal_link_not_live" in codes and "internal_link_restricted" in codes
