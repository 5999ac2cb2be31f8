"""The reconciler repairs drift between the CMS and Mailchimp (the sandbox over real HTTP); the
killed-worker scenarios with a real db_worker are in test_campaign_worker_killed.py."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
from io import StringIO

import pytest

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from wagtail.models import PageLogEntry

from newsletter.mailchimp import campaigns as api
from newsletter.models import Campaign, CampaignStatus
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import (
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    in_two_days,
)

pytestmark = pytest.mark.django_db


def reconcile(*args):
    out = StringIO()
    call_command("newsletter_campaign", "reconcile", *args, stdout=out)
    return out.getvalue()


def test_it_is_a_periodic_task():
    assert ("newsletter.tasks.campaigns.reconcile_campaigns", 5 * 60) in settings.PERIODIC_TASKS


def test_a_schedule_mailchimp_lost_is_restored_and_logged_with_the_sender(
    scheduled, sandbox, sender
):
    campaign = campaign_of(scheduled)
    api.unschedule(campaign.mailchimp_id)  # drift: Mailchimp holds a draft

    assert "schedule again (to do)" in reconcile("--dry-run")
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"

    assert "schedule again" in tasks.reconcile_campaigns.enqueue().return_value
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["status"] == "schedule"
    assert campaign_of(scheduled).scheduled_for == campaign.scheduled_for
    users = PageLogEntry.objects.filter(
        page=scheduled, action="newsletter.campaign.scheduled"
    ).values_list("user__username", flat=True)
    assert list(users) == [sender.username, sender.username]
    assert "All campaigns agree" in reconcile()


def test_a_lost_schedule_whose_time_passed_is_reported_not_sent_late(scheduled, sandbox):
    campaign = campaign_of(scheduled)
    api.unschedule(campaign.mailchimp_id)
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(minutes=20)
    )
    assert "send time passed" in reconcile()
    campaign = campaign_of(scheduled)
    assert campaign.status == CampaignStatus.SYNCED
    assert "gick inte ut" in campaign.last_error
    assert api_calls(sandbox, "POST", "/actions/send") == []
    assert api_calls(sandbox, "POST", "/actions/schedule")[-1]["status"] < 300  # only the first


def test_a_stalled_send_that_reached_mailchimp_is_recorded_not_repeated(scheduled, sandbox):
    campaign, key = service.request_send(scheduled)
    api.unschedule(campaign.mailchimp_id)
    api.send(campaign.mailchimp_id)  # the worker's send landed, then the worker died
    Campaign.objects.filter(pk=campaign.pk).update(
        lease_operation="send",
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
        attempts=1,
    )
    assert "recorded as sent" in reconcile()
    assert campaign_of(scheduled).status == CampaignStatus.SENT
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    assert sorted(m["to"] for m in sandbox.messages(kind="campaign")) == sorted(SUBSCRIBERS)


def test_a_schedule_whose_worker_died_after_mailchimp_took_it_is_recorded(
    scheduled, sandbox, sender
):
    campaign = campaign_of(scheduled)
    service.request_unschedule(scheduled, user=sender)
    assert service.run_unschedule(campaign.pk, sender.pk).ok
    later = in_two_days(minute=45)
    service.request_schedule(scheduled, later, user=sender)
    api.schedule(campaign.mailchimp_id, later)  # reached Mailchimp; the worker died
    Campaign.objects.filter(pk=campaign.pk).update(
        lease_operation="schedule", lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert "recorded as scheduled" in reconcile()
    campaign = campaign_of(scheduled)
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_for == later
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"
