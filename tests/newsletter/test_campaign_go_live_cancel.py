"""Cancelling an issue's scheduled publication (Wagtail's go-live) unschedules the campaign it
scheduled; the editor's own schedule of a live issue stays. Real admin views, real HTTP to the
Mailchimp sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime

import pytest
import time_machine

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageLogEntry

from newsletter.models import CampaignStatus, NewsletterIssuePage
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import api_calls, campaign_of, make_issue, publish

pytestmark = pytest.mark.django_db


def in_two_days(minute=20):
    when = timezone.now() + datetime.timedelta(days=2)
    return when.replace(minute=minute, second=0, microsecond=0)


def schedule_go_live(issue, user, capture, when, **changes):
    """What the editor's "publish" with a go-live time in the future does."""
    for field, value in changes.items():
        setattr(issue, field, value)
    issue.go_live_at = when
    with capture(execute=True):
        revision = issue.save_revision(user=user)
        revision.publish(user=user)
    return revision


def cancel_in_admin(client, user, issue, revision, capture):
    """Wagtail's "Cancel scheduled publish" button (the revisions_unschedule view)."""
    client.force_login(user)
    with capture(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:revisions_unschedule", args=[issue.pk, revision.pk])
        )
    assert response.status_code == 302
    assert not issue.revisions.filter(approved_go_live_at__isnull=False).exists()


def remote(sandbox, campaign):
    return sandbox.state.campaigns[campaign.mailchimp_id]


def test_cancelling_the_go_live_of_an_unpublished_issue_unschedules_the_campaign(
    client, issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue.live = False
    issue.save()
    revision = schedule_go_live(issue, sender, django_capture_on_commit_callbacks, in_two_days())
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_by_go_live
    assert remote(sandbox, campaign)["status"] == "schedule"

    cancel_in_admin(client, sender, issue, revision, django_capture_on_commit_callbacks)

    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.scheduled_for is None and not campaign.scheduled_by_go_live
    assert remote(sandbox, campaign)["status"] == "save"
    assert len(api_calls(sandbox, "POST", "/actions/unschedule")) == 1
    assert sandbox.deliver_due(campaign.mailchimp_id, force=True) == 0
    assert sandbox.messages(kind="campaign") == []
    # The editor sees it: in the page history, next to Wagtail's own entry, and in the status.
    actions = set(PageLogEntry.objects.filter(page=issue).values_list("action", flat=True))
    assert {"wagtail.schedule.cancel", "newsletter.campaign.go_live_cancelled"} <= actions
    history = client.get(reverse("wagtailadmin_pages:history", args=[issue.pk])).content.decode()
    assert "den schemalagda publiceringen ställdes in" in history
    status = client.get(reverse("newsletter_campaign:status", args=[issue.pk])).content.decode()
    assert 'data-campaign-status="synced"' in status
    assert "data-scheduled-for" not in status


def test_cancelling_a_new_versions_go_live_brings_back_the_live_version_unscheduled(
    client, issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    live_revision_id = issue.live_revision_id
    revision = schedule_go_live(
        issue,
        sender,
        django_capture_on_commit_callbacks,
        in_two_days(),
        subject="SmåKom nyhetsbrev april 2022 (ny version)",
    )
    campaign = campaign_of(issue)
    assert (
        campaign.status == CampaignStatus.SCHEDULED and campaign.synced_revision_id == revision.pk
    )
    assert remote(sandbox, campaign)["settings"]["subject_line"].endswith("(ny version)")

    cancel_in_admin(client, sender, issue, revision, django_capture_on_commit_callbacks)

    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED and campaign.scheduled_for is None
    assert campaign.synced_revision_id == live_revision_id
    assert remote(sandbox, campaign)["status"] == "save"
    assert remote(sandbox, campaign)["settings"]["subject_line"] == "SmåKom nyhetsbrev april 2022"


def test_the_editors_own_schedule_of_a_live_issue_survives_a_cancelled_go_live(
    client, issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    revision = schedule_go_live(
        issue, sender, django_capture_on_commit_callbacks, in_two_days(), preheader="Ny version"
    )
    # After the go-live scheduled it, the editor picks the time by hand.
    _c, own_time = service.request_schedule(issue, in_two_days(minute=45) + datetime.timedelta(1))
    assert service.run_schedule(campaign_of(issue).pk, own_time.isoformat()).ok
    assert not campaign_of(issue).scheduled_by_go_live

    cancel_in_admin(client, sender, issue, revision, django_capture_on_commit_callbacks)

    campaign = campaign_of(issue)
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_for == own_time
    assert remote(sandbox, campaign)["status"] == "schedule"
    # …but with the live content, not the cancelled version's.
    assert campaign.synced_revision_id == issue.live_revision_id
    assert remote(sandbox, campaign)["settings"]["preview_text"] == "Nyheter från SmåKom"
    assert "newsletter.campaign.go_live_cancelled" not in set(
        PageLogEntry.objects.filter(page=issue).values_list("action", flat=True)
    )


def test_the_periodic_task_unschedules_what_no_go_live_backs_any_more(
    issue, home_page, sandbox, sender, django_capture_on_commit_callbacks
):
    """The safety net: a go-live that went without a signal (Wagtail clears approved_go_live_at
    with queryset updates too) is noticed by the periodic campaign task."""
    issue.live = False
    issue.save()
    schedule_go_live(issue, sender, django_capture_on_commit_callbacks, in_two_days())
    # A live issue the editor scheduled by hand, and one still waiting for its go-live: both stay.
    by_hand = publish(make_issue(home_page, slug="maj"), sender, django_capture_on_commit_callbacks)
    _c, own_time = service.request_schedule(by_hand, in_two_days())
    assert service.run_schedule(campaign_of(by_hand).pk, own_time.isoformat()).ok
    waiting = make_issue(home_page, slug="juni")
    waiting.live = False
    waiting.save()
    schedule_go_live(waiting, sender, django_capture_on_commit_callbacks, in_two_days())

    issue.revisions.update(approved_go_live_at=None)  # no signal
    assert campaign_of(issue).status == CampaignStatus.SCHEDULED
    tasks.refresh_campaign_reports.enqueue()

    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED and campaign.scheduled_for is None
    assert remote(sandbox, campaign)["status"] == "save"
    assert PageLogEntry.objects.filter(
        page=issue, action="newsletter.campaign.go_live_cancelled"
    ).exists()
    for other in (by_hand, waiting):
        assert campaign_of(other).status == CampaignStatus.SCHEDULED
        assert remote(sandbox, campaign_of(other))["status"] == "schedule"
    assert len(api_calls(sandbox, "POST", "/actions/unschedule")) == 1


def test_a_go_live_that_happens_keeps_the_campaign_scheduled(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    """Publishing at the go-live also clears approved_go_live_at: that is no cancellation."""
    issue.live = False
    issue.save()
    go_live = in_two_days()
    schedule_go_live(issue, sender, django_capture_on_commit_callbacks, go_live)
    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("publish_scheduled")
        tasks.refresh_campaign_reports.enqueue()

    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    campaign = campaign_of(issue)
    assert issue.live and issue.live_revision_id == campaign.synced_revision_id
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_for == go_live.replace(minute=30)
    assert remote(sandbox, campaign)["status"] == "schedule"
    assert api_calls(sandbox, "POST", "/actions/unschedule") == []
