"""“Nytt nummer från det som publicerats sedan förra numret”: a draft issue with a teaser for
every article and upcoming event published since the last sent issue."""

import datetime as dt

import pytest
import time_machine
from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from wagtail.models import GroupPagePermission, PageLogEntry

from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from newsletter.services.issue_drafts import issue_title, published_since_last_issue
from tests.newsletter.issue_content import archive, make_article, make_event, make_issue

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SENT_AT = NOW - dt.timedelta(days=20)


def mark_sent(issue, **fields):
    # Publishing made the issue's campaign (a draft in Mailchimp); this one was sent.
    Campaign.objects.update_or_create(page=issue, defaults=fields)


def published_at(page, when):
    type(page).objects.filter(pk=page.pk).update(first_published_at=when)
    page.refresh_from_db()
    return page


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("redaktor", "r@smakom.se", "lösenord-123")
    client.force_login(user)
    return user


@pytest.fixture
def content(home_page):
    """A sent issue 20 days ago; around it, old and new articles and events."""
    with time_machine.travel(NOW, tick=False):
        sent = make_issue(home_page, body=[], slug="oktober", title="Oktober")
        mark_sent(sent, mailchimp_id="c1", status=CampaignStatus.SENT, sent_at=SENT_AT)
        old = published_at(make_article(home_page, 1), SENT_AT - dt.timedelta(days=3))
        new_a = published_at(make_article(home_page, 2), SENT_AT + dt.timedelta(days=2))
        new_b = published_at(make_article(home_page, 3), SENT_AT + dt.timedelta(days=9))
        draft = make_article(home_page, 4, live=False)
        # make_event dates from 2022: move them around NOW.
        upcoming = make_event(home_page, 1)
        EventStart = type(upcoming).objects
        EventStart.filter(pk=upcoming.pk).update(start=NOW + dt.timedelta(days=14), end=None)
        published_at(upcoming, SENT_AT + dt.timedelta(days=1))
        past = make_event(home_page, 2)
        EventStart.filter(pk=past.pk).update(start=NOW - dt.timedelta(days=2), end=None)
        published_at(past, SENT_AT + dt.timedelta(days=1))
        old_event = make_event(home_page, 3)
        EventStart.filter(pk=old_event.pk).update(start=NOW + dt.timedelta(days=30), end=None)
        published_at(old_event, SENT_AT - dt.timedelta(days=1))
    return {"old": old, "new": [new_a, new_b], "draft": draft, "upcoming": upcoming}


def test_what_was_published_since_the_last_sent_issue(content):
    with time_machine.travel(NOW, tick=False):
        published = published_since_last_issue()
    assert published.since == SENT_AT
    assert {a.pk for a in published.articles} == {a.pk for a in content["new"]}
    assert [e.pk for e in published.events] == [content["upcoming"].pk]


def test_the_page_lists_them_and_creates_nothing_until_posted(client, editor, content):
    url = reverse("newsletter_new_issue", args=[archive(None).pk])
    before = NewsletterIssuePage.objects.count()
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Artikel 2" in text and "Artikel 3" in text and "Evenemang 1" in text
    assert "Artikel 1" not in text and "Artikel 4" not in text and "Evenemang 2" not in text
    assert "Nyhetsbrev november 2026" in text
    assert NewsletterIssuePage.objects.count() == before


def test_posting_creates_a_draft_with_teasers_and_opens_the_editor(client, editor, content):
    index = archive(None)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("newsletter_new_issue", args=[index.pk]))
    issue = NewsletterIssuePage.objects.get(title="Nyhetsbrev november 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[issue.pk])
    assert not issue.live
    assert issue.get_parent().pk == index.pk
    assert issue.issue_date == dt.date(2026, 11, 20)
    assert issue.slug == "nyhetsbrev-november-2026"
    assert issue.owner == editor
    assert issue.latest_revision is not None
    assert PageLogEntry.objects.filter(page=issue, action="wagtail.create").exists()
    body = [(b.block_type, b.value.get("article") or b.value.get("event")) for b in issue.body]
    newest_first = sorted(content["new"], key=lambda a: a.date, reverse=True)
    assert [t for t, _ in body] == ["article_teaser", "article_teaser", "event_teaser"]
    assert {p.pk for _, p in body} == {*[a.pk for a in newest_first], content["upcoming"].pk}
    assert "Artikel" in issue.preheader and "Evenemang 1" in issue.preheader

    # The editor opens and the draft renders (web and email) from the chosen pages.
    editor_page = client.get(response["Location"])
    assert editor_page.status_code == 200
    assert "skapat" in editor_page.content.decode()
    from newsletter.rendering import render_email

    assert "Evenemang 1" in render_email(issue, backend="preview").html


def test_a_second_draft_the_same_month_gets_a_free_slug(client, editor, content):
    index = archive(None)
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("newsletter_new_issue", args=[index.pk]))
        client.post(reverse("newsletter_new_issue", args=[index.pk]))
    slugs = sorted(
        NewsletterIssuePage.objects.filter(title="Nyhetsbrev november 2026").values_list(
            "slug", flat=True
        )
    )
    assert slugs == ["nyhetsbrev-november-2026", "nyhetsbrev-november-2026-2"]


def test_nothing_new_gives_a_message_and_no_empty_draft(client, editor, home_page):
    with time_machine.travel(NOW, tick=False):
        sent = make_issue(home_page, body=[], slug="oktober", title="Oktober")
        mark_sent(sent, status=CampaignStatus.SENT, sent_at=SENT_AT)
        published_at(make_article(home_page, 1), SENT_AT - dt.timedelta(days=1))
        index = archive(None)
        url = reverse("newsletter_new_issue", args=[index.pk])
        page = client.get(url)
        assert "Inget nytt har publicerats sedan förra numret." in page.content.decode()
        assert b"<form" not in page.content.split(b"<main")[-1]
        before = NewsletterIssuePage.objects.count()
        response = client.post(url, follow=True)
    assert NewsletterIssuePage.objects.count() == before
    assert "Inget nytt har publicerats sedan förra numret." in response.content.decode()


def test_before_the_first_send_the_past_month_counts(home_page):
    with time_machine.travel(NOW, tick=False):
        recent = published_at(make_article(home_page, 1), NOW - dt.timedelta(days=10))
        published_at(make_article(home_page, 2), NOW - dt.timedelta(days=45))
        # A campaign that was never sent does not count as the last issue.
        unsent = make_issue(home_page, body=[], slug="utkast", title="Utkast", live=False)
        mark_sent(unsent, status=CampaignStatus.SCHEDULED)
        published = published_since_last_issue()
    assert published.last_sent is None
    assert [a.pk for a in published.articles] == [recent.pk]


def test_only_editors_who_may_add_issues_can_use_it(client, home_page):
    index = archive(home_page)
    group = Group.objects.create(name="Läsare")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=index, permission=Permission.objects.get(codename="change_page")
    )
    user = get_user_model().objects.create_user("las", "las@smakom.se", "lösenord-123")
    user.groups.add(group)
    client.force_login(user)
    url = reverse("newsletter_new_issue", args=[index.pk])
    before = NewsletterIssuePage.objects.count()
    # Wagtail's admin answers a permission denied with a redirect to the dashboard.
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert NewsletterIssuePage.objects.count() == before
    # And the archive's page menu does not offer it.
    listing = client.get(reverse("wagtailadmin_explore", args=[index.pk]))
    assert url not in listing.content.decode()


def test_the_archive_menu_offers_it(client, editor, home_page):
    index = archive(home_page)
    listing = client.get(reverse("wagtailadmin_explore", args=[index.pk]))
    assert reverse("newsletter_new_issue", args=[index.pk]) in listing.content.decode()
    # Not on other pages' menus.
    home_listing = client.get(reverse("wagtailadmin_pages:edit", args=[home_page.pk]))
    assert "/new-issue/" not in home_listing.content.decode()


def test_the_title_is_swedish_whatever_the_editors_language():
    assert issue_title(dt.date(2026, 3, 5)) == "Nyhetsbrev mars 2026"
    with timezone.override("UTC"):
        from django.utils import translation

        with translation.override("en"):
            assert issue_title(dt.date(2026, 5, 1)) == "Nyhetsbrev maj 2026"


def test_unknown_archive_is_404(client, editor):
    assert client.get(reverse("newsletter_new_issue", args=[99999])).status_code == 404
