"""No state the system cannot leave, and an unschedule is never undone by a retry.

Every operation is idempotent against Mailchimp's real state (the sandbox over real HTTP, with its
fault injection): "not scheduled" is a success, an unschedule is recorded as soon as Mailchimp
confirms it, a send waits for another operation's lease, and the latest schedule decision wins."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime

import pytest

from django.urls import reverse

from newsletter.mailchimp import campaigns as api
from newsletter.models import CampaignStatus
from newsletter.services import campaigns as service
from tests.newsletter.campaign_fixtures import (
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    in_two_days,
)

pytestmark = pytest.mark.django_db


def remote_status(sandbox, issue):
    return sandbox.state.campaigns[campaign_of(issue).mailchimp_id]["status"]


def test_unschedule_that_mailchimp_answers_not_scheduled_is_a_success(scheduled, sandbox, sender):
    campaign = campaign_of(scheduled)
    api.unschedule(campaign.mailchimp_id)  # Mailchimp's own state moved (an earlier attempt)

    service.request_unschedule(scheduled, user=sender)
    outcome = service.run_unschedule(campaign.pk, sender.pk)

    assert outcome.ok, outcome.message
    campaign = campaign_of(scheduled)
    assert campaign.status == CampaignStatus.SYNCED and campaign.last_error == ""
    assert campaign.remote_status == "save" and campaign.scheduled_for is None
    statuses = [r["status"] for r in api_calls(sandbox, "POST", "/actions/unschedule")]
    assert statuses == [204, 400]


@pytest.mark.parametrize("operation", ["send", "schedule"])
def test_a_5xx_after_a_successful_unschedule_does_not_wedge_the_campaign(
    operation, scheduled, sandbox, sender, settings, client, django_capture_on_commit_callbacks
):
    settings.MAILCHIMP_MAX_ATTEMPTS = 1  # fail at once instead of backing off
    campaign = campaign_of(scheduled)
    sandbox.inject(delay=0.01, count=1)  # the unschedule passes…
    sandbox.inject(status=503, count=1)  # …the send / schedule after it does not
    if operation == "send":
        claimed, key = service.request_send(scheduled)
        outcome = service.run_send(claimed.pk, key, sender.pk)
    else:
        later = in_two_days(minute=45).isoformat()
        service.request_schedule(scheduled, datetime.datetime.fromisoformat(later), user=sender)
        outcome = service.run_schedule(campaign.pk, later, sender.pk)
    assert not outcome.ok
    campaign = campaign_of(scheduled)
    assert campaign.status == CampaignStatus.FAILED
    # Mailchimp confirmed the unschedule: the CMS knows it, not a stale "schedule".
    assert campaign.remote_status == "save"
    assert remote_status(sandbox, scheduled) == "save"

    # The editor retries and gets a clear Swedish outcome.
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletter_campaign:retry", args=[scheduled.pk]), follow=True
        )
    assert "Försöker igen" in response.content.decode()
    campaign = campaign_of(scheduled)
    if operation == "send":
        assert campaign.status == CampaignStatus.SENT
        assert sorted(m["to"] for m in sandbox.messages(kind="campaign")) == sorted(SUBSCRIBERS)
        assert (
            len([r for r in api_calls(sandbox, "POST", "/actions/send") if r["status"] < 300]) == 1
        )
    else:
        assert campaign.status == CampaignStatus.SCHEDULED
        assert remote_status(sandbox, scheduled) == "schedule"
    assert campaign.last_error == ""


def test_a_send_waits_for_another_operations_lease_instead_of_failing(scheduled, sandbox, sender):
    campaign = campaign_of(scheduled)
    held, _seconds = service._claim(campaign.pk, "sync")  # a sync is talking to Mailchimp
    assert held is not None
    claimed, key = service.request_send(scheduled)

    outcome = service.run_send(claimed.pk, key, sender.pk)

    assert outcome.busy and outcome.retry_in and outcome.retry_in > 0
    assert campaign_of(scheduled).status == CampaignStatus.SENDING
    assert api_calls(sandbox, "POST", "/actions/send") == []
    service.release_lease(campaign.pk)  # the sync is done
    assert service.run_send(claimed.pk, key, sender.pk).ok
    assert campaign_of(scheduled).status == CampaignStatus.SENT


def test_a_sync_waiting_for_its_retry_does_not_restore_a_removed_schedule(
    issue, sandbox, sender, client, django_capture_on_commit_callbacks
):
    """A go-live schedule; a new version's sync unschedules, then gets a 500 and waits for its
    retry; meanwhile the sender unschedules. The retry must not schedule again."""
    issue.live = False
    issue.save()
    issue.go_live_at = in_two_days()
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision(user=sender).publish(user=sender)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED

    issue.subject = "Ny ämnesrad"
    issue.save_revision(user=sender).publish(user=sender)  # its sync runs below, by hand
    sandbox.inject(delay=0.01, count=1)  # unschedule passes
    sandbox.inject(status=500, count=1)  # the update fails: the sync waits for its retry
    waiting = service.run_sync(campaign.pk)
    assert waiting.retry_in is not None
    assert campaign_of(issue).remote_status == "save"

    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter_campaign:unschedule", args=[issue.pk]))
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.decision == "unschedule" and campaign.decision_by == sender

    assert service.run_sync(campaign.pk).ok  # the retry
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED and campaign.scheduled_for is None
    assert remote_status(sandbox, issue) == "save"
    assert sandbox.state.campaigns[campaign.mailchimp_id]["settings"]["subject_line"] == (
        "Ny ämnesrad"
    )
    assert sandbox.deliver_due(campaign.mailchimp_id, force=True) == 0

    # A later decision wins again: a sender schedules it once more.
    with django_capture_on_commit_callbacks(execute=True):
        when = in_two_days(minute=45).strftime("%Y-%m-%dT%H:%M")
        client.post(reverse("newsletter_campaign:schedule", args=[issue.pk]), {"when": when})
    assert campaign_of(issue).status == CampaignStatus.SCHEDULED
