"""Fixtures for the campaign tests: an issue under the newsletter archive, editors, site settings."""

import datetime

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail.models import GroupPagePermission, Site

from cms.models import SiteSettings
from newsletter.models import Campaign, NewsletterIndexPage, NewsletterIssuePage


def make_issue(home_page, *, slug="nyhetsbrev-april-2022", subject="SmåKom nyhetsbrev april 2022"):
    index = NewsletterIndexPage.objects.first()
    if index is None:
        index = home_page.add_child(
            instance=NewsletterIndexPage(title="Nyhetsbrev", slug="nyhetsbrev")
        )
    issue = NewsletterIssuePage(
        title="Nyhetsbrev april 2022",
        slug=slug,
        issue_date=datetime.date(2022, 4, 8),
        subject=subject,
        preheader="Nyheter från SmåKom",
        intro="<p>Hej! Här kommer aprilnumret.</p>",
        body=[
            (
                "text",
                {
                    "heading": "Välkommen till SmåKoms nyhetsbrev",
                    "text": "<p>Vi träffades i Stockholm den 9 mars 2022.</p>",
                },
            )
        ],
    )
    index.add_child(instance=issue)
    return NewsletterIssuePage.objects.get(pk=issue.pk)


def publish(issue, user=None, capture=None):
    """Publish the issue, running the on-commit callbacks (the sync task) when `capture` is given."""
    if capture is None:
        issue.save_revision(user=user).publish(user=user)
    else:
        with capture(execute=True):
            issue.save_revision(user=user).publish(user=user)
    return NewsletterIssuePage.objects.get(pk=issue.pk)


def campaign_url(name, issue) -> str:
    return reverse(f"newsletter_campaign:{name}", args=[issue.pk])


def unpublished(issue, user):
    """The issue as a draft with a saved revision (never live)."""
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(live=False, has_unpublished_changes=True)
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    issue.save_revision(user=user)
    return issue


def campaign_of(issue) -> Campaign:
    return Campaign.objects.get(page_id=issue.pk)


@pytest.fixture
def site_settings(home_page):
    settings_obj = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.postal_address = "SmåKom, Box 123, 111 22 Stockholm"
    settings_obj.newsletter_from_name = "SmåKom"
    settings_obj.newsletter_reply_to = "info@smakom.se"
    settings_obj.save()
    return settings_obj


@pytest.fixture
def issue(home_page, site_settings):
    return make_issue(home_page)


def _editor(username, *, can_send, home_page):
    User = get_user_model()
    user = User.objects.create_user(
        username=username, email=f"{username}@smakom.se", password="pw-" + username
    )
    group, _ = Group.objects.get_or_create(name=f"Redaktörer {username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if can_send:
        group.permissions.add(Permission.objects.get(codename="send_newsletter"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=home_page, permission=Permission.objects.get(codename=codename)
        )
    user.groups.add(group)
    return user


@pytest.fixture
def sender(home_page):
    """An editor who may send newsletters."""
    return _editor("ansvarig", can_send=True, home_page=home_page)


@pytest.fixture
def editor(home_page):
    """An editor who may prepare and test, not send."""
    return _editor("redaktor", can_send=False, home_page=home_page)


SUBSCRIBERS = ["anna@kommun.se", "bertil@kommun.se", "cecilia@kommun.se"]


@pytest.fixture
def sandbox(mailchimp_sandbox, settings):
    """The Mailchimp sandbox over real HTTP (tests/fixtures/sandbox.py) with three members."""
    from newsletter.mailchimp.client import call, get_client, subscriber_hash

    client = get_client()
    for email in SUBSCRIBERS:
        call(
            client.lists.set_list_member,
            settings.MAILCHIMP_AUDIENCE_ID,
            subscriber_hash(email),
            {"email_address": email, "status_if_new": "subscribed", "status": "subscribed"},
        )
    return mailchimp_sandbox


def api_calls(server, method=None, suffix=""):
    """The Marketing API requests the sandbox received, optionally filtered."""
    return [
        r
        for r in server.requests
        if r.get("api") == "marketing"
        and (method is None or r["method"] == method)
        and r["api_path"].endswith(suffix)
    ]


def in_two_days(minute=30):
    """A send time two days ahead on a whole minute (Mailchimp schedules on the quarter hour)."""
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    return when.replace(minute=minute, second=0, microsecond=0)


@pytest.fixture
def scheduled(issue, sandbox, sender, django_capture_on_commit_callbacks):
    """A live issue whose campaign a sender scheduled by hand (Mailchimp holds the schedule)."""
    from newsletter.services import campaigns as service

    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign, when = service.request_schedule(issue, in_two_days(), user=sender)
    assert service.run_schedule(campaign.pk, when.isoformat(), sender.pk).ok
    assert sandbox.state.campaigns[campaign_of(issue).mailchimp_id]["status"] == "schedule"
    return issue
