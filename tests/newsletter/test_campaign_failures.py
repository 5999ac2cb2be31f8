"""Injected Mailchimp failures (500, 429, timeout) and how the campaign recovers."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import time

import pytest
from django_tasks import default_task_backend

from newsletter.models import CampaignStatus
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def test_500_on_create_is_retried_without_a_second_campaign(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    sandbox.inject(status=500, count=2)
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.attempts == 0 and campaign.last_error == ""
    statuses = [r["status"] for r in api_calls(sandbox, "POST", "/campaigns")]
    assert statuses == [500, 500, 200]
    assert len(sandbox.state.campaigns) == 1


def test_500_until_the_limit_fails_then_retry_recovers(
    issue, sandbox, sender, settings, django_capture_on_commit_callbacks
):
    settings.MAILCHIMP_MAX_ATTEMPTS = 3
    sandbox.inject(status=500, count=3)
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.FAILED
    assert campaign.failed_operation == "sync"
    assert "tekniska problem" in campaign.last_error  # Swedish, with Mailchimp's detail
    assert "injected by the sandbox" in campaign.last_error
    assert len(api_calls(sandbox, "POST", "/campaigns")) == 3

    with django_capture_on_commit_callbacks(execute=True):
        operation, args = service.request_retry(issue)
        tasks.enqueue_operation(campaign.pk, operation, args)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.last_error == ""


def test_429_on_send_is_retried_and_sends_once(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    sandbox.inject(status=429, count=1)
    with django_capture_on_commit_callbacks(execute=True):
        campaign, key = service.request_send(issue)
        tasks.enqueue(tasks.send_campaign, campaign.pk, key)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENT
    sends = api_calls(sandbox, "POST", "/actions/send")
    assert [r["status"] for r in sends] == [429, 204]
    # The retry asked Mailchimp first: the 429 might have been an answer to a send that went out.
    assert api_calls(sandbox, "GET", f"/campaigns/{campaign.mailchimp_id}")
    assert len(sandbox.messages(kind="campaign")) == len(SUBSCRIBERS)


def test_4xx_fails_at_once_with_mailchimps_detail(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    sandbox.inject(status=400, count=1)
    campaign_id, key = service.request_send(issue)[0].pk, str(campaign_of(issue).send_key)
    outcome = service.run_send(campaign_id, key)
    assert not outcome.ok and outcome.retry_in is None
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.FAILED
    assert campaign.failed_operation == "send"
    assert "Mailchimp nekade begäran" in campaign.last_error
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1


def test_timeout_on_send_then_retry_asks_first_and_never_sends_twice(
    issue, sandbox, sender, settings, django_capture_on_commit_callbacks
):
    """The send times out on our side but goes through at Mailchimp: the retry must notice."""
    settings.MAILCHIMP_TIMEOUT = 1
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    sandbox.inject(delay=2, count=1)
    campaign, key = service.request_send(issue)
    outcome = service.run_send(campaign.pk, key)
    assert not outcome.ok and outcome.retry_in is not None  # a retry is due after backoff
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENDING
    assert campaign.next_retry_at is not None
    assert "gick inte att nå" in campaign.last_error
    # The backoff passes (the delayed request completes at the sandbox meanwhile).
    deadline = time.monotonic() + 10
    while not sandbox.messages(kind="campaign") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service.run_send(campaign.pk, key).ok
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENT
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    assert len(sandbox.messages(kind="campaign")) == len(SUBSCRIBERS)


def test_retry_is_enqueued_with_backoff_on_a_deferring_backend(
    issue, sandbox, sender, settings, django_capture_on_commit_callbacks
):
    """With a real queue the retry waits (run_after), and the state survives in the database."""
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}
    }
    default_task_backend.clear()
    sandbox.inject(status=503, count=1)
    campaign, key = service.request_send(issue)
    tasks.send_campaign.call(campaign.pk, key)
    retry = [r for r in default_task_backend.results if r.task.name == "send_campaign"]
    assert len(retry) == 1
    assert retry[0].task.run_after is not None
    assert retry[0].args == [campaign.pk, key, None]
    stored = campaign_of(issue)
    assert stored.status == CampaignStatus.SENDING and stored.attempts == 1
    assert abs((stored.next_retry_at - retry[0].task.run_after).total_seconds()) < 2
    # A fresh worker running the stored task finishes the job.
    tasks.send_campaign.call(*retry[0].args)
    assert campaign_of(issue).status == CampaignStatus.SENT
    default_task_backend.clear()


def test_without_an_api_key_the_issue_fails_at_once_with_a_swedish_reason(
    issue, sandbox, sender, settings, django_capture_on_commit_callbacks
):
    settings.MAILCHIMP_API_KEY = ""
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.FAILED
    assert campaign.last_error == "Mailchimp är inte konfigurerat (MAILCHIMP_API_KEY saknas)."
    assert campaign.next_retry_at is None
    assert api_calls(sandbox, "POST", "/campaigns") == []  # nothing was sent


def test_a_sync_between_send_attempts_does_not_make_the_retry_send_blindly(
    issue, sandbox, sender, settings, django_capture_on_commit_callbacks
):
    """A sync (e.g. a republish) while a timed-out send waits for its retry must leave the send's
    attempt count alone: the retry still has to ask Mailchimp before sending again."""
    settings.MAILCHIMP_TIMEOUT = 1
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    sandbox.inject(delay=2, count=1)
    campaign, key = service.request_send(issue)
    assert service.run_send(campaign.pk, key).retry_in is not None
    outcome = service.run_sync(campaign.pk)
    assert not outcome.ok and outcome.retry_in is None  # already being sent: nothing to update
    stored = campaign_of(issue)
    assert stored.status == CampaignStatus.SENDING and stored.attempts == 1
    assert stored.lease_until is None
    deadline = time.monotonic() + 10
    while not sandbox.messages(kind="campaign") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service.run_send(campaign.pk, key).ok
    assert campaign_of(issue).status == CampaignStatus.SENT
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    assert len(sandbox.messages(kind="campaign")) == len(SUBSCRIBERS)
