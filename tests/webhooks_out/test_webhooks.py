"""Publish webhooks: delivered from a task to a real local HTTP receiver, signed, logged,
retried with backoff for up to a day, and never in the way of publishing."""

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django_tasks import default_task_backend

from django.test import override_settings
from django.utils import timezone

from home.models import ArticlePage
from newsletter.services.campaigns import _log
from webhooks_out import delivery as delivery_service
from webhooks_out.models import WebhookDelivery, WebhookEndpoint
from webhooks_out.signing import sign, verify
from webhooks_out.tasks import deliver_due

from ..api.content import build_content
from .receiver import Receiver

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def content(home_page):
    return build_content(home_page)


def endpoint(url, **events):
    return WebhookEndpoint.objects.create(name="Frontend", url=url, secret="s3cret", **events)


def publish(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


def test_publish_is_delivered_signed_with_page_and_api_urls(
    receiver, content, django_capture_on_commit_callbacks
):
    endpoint(receiver.url)
    content.welcome.title = "Välkommen, Tranemo!"
    publish(content.welcome, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = request["headers"]
    assert headers["X-SmaKom-Event"] == "page.published"
    assert verify("s3cret", request["body"], headers["X-SmaKom-Signature"])
    assert not verify("wrong", request["body"], headers["X-SmaKom-Signature"])
    payload = json.loads(request["body"])
    assert payload["event"] == "page.published"
    assert payload["page"]["id"] == content.welcome.pk
    assert payload["page"]["title"] == "Välkommen, Tranemo!"
    assert payload["page"]["type"] == "home.ArticlePage"
    assert f"/api/v2/pages/{content.welcome.pk}/" in payload["page"]["api_urls"][0]
    assert payload["revision"] == ArticlePage.objects.get(pk=content.welcome.pk).live_revision_id

    logged = WebhookDelivery.objects.get()
    assert logged.status == Status.DELIVERED and logged.attempts == 1
    assert logged.response_status == 200 and logged.response_ms is not None
    assert payload["id"] == str(logged.pk) == headers["X-SmaKom-Delivery"]


def test_signature_recipe():
    body = b'{"event": "page.published"}'
    header = sign("key", body, timestamp=int(time.time()))
    assert verify("key", body, header)
    assert not verify("key", body + b" ", header)
    old = sign("key", body, timestamp=int(time.time()) - 3600)
    assert not verify("key", body, old)  # replayed from an hour ago
    assert not verify("key", body, "garbage")


def test_unpublish_and_delete_and_only_chosen_events(
    receiver, content, django_capture_on_commit_callbacks
):
    endpoint(receiver.url, on_published=False)
    with django_capture_on_commit_callbacks(execute=True):
        content.board.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        content.welcome.delete()
    publish(content.grastorp, django_capture_on_commit_callbacks)  # not chosen
    events = [r["headers"]["X-SmaKom-Event"] for r in receiver.requests]
    assert events == ["page.unpublished", "page.deleted"]
    deleted = json.loads(receiver.requests[1]["body"])
    assert deleted["page"]["title"] == content.welcome.title


def test_issue_sent_event(receiver, content, django_capture_on_commit_callbacks):
    endpoint(receiver.url, on_published=False, on_issue_sent=True)
    from newsletter.models import Campaign

    campaign = Campaign.objects.create(page=content.issue, mailchimp_id="abc123")
    campaign.recipient_count = 42
    with django_capture_on_commit_callbacks(execute=True):
        _log(campaign, "newsletter.campaign.sent", recipients=42)
    payload = json.loads(receiver.requests[0]["body"])
    assert payload["event"] == "issue.sent"
    assert payload["page"]["id"] == content.issue.pk
    assert payload["campaign"] == {"mailchimp_id": "abc123", "recipients": 42}


def test_inactive_endpoint_gets_nothing(receiver, content, django_capture_on_commit_callbacks):
    endpoint(receiver.url, is_active=False)
    publish(content.welcome, django_capture_on_commit_callbacks)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_failing_endpoint_is_retried_with_backoff_then_delivered(
    receiver, content, django_capture_on_commit_callbacks
):
    endpoint(receiver.url)
    receiver.status = 503
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish(content.welcome, django_capture_on_commit_callbacks)
    logged = WebhookDelivery.objects.get()
    assert logged.status == Status.PENDING and logged.attempts == 1
    assert logged.response_status == 503 and logged.last_error == "HTTP 503"
    assert logged.next_attempt_at == start + timedelta(seconds=30)

    # Not due yet: the sweeper leaves it.
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        deliver_due.enqueue()
    assert len(receiver.requests) == 1
    # Due: tried again, fails again, waits twice as long.
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        deliver_due.enqueue()
    logged.refresh_from_db()
    assert len(receiver.requests) == 2 and logged.attempts == 2
    assert logged.next_attempt_at == start + timedelta(seconds=31 + 60)
    # The receiver is back.
    receiver.status = 204
    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        deliver_due.enqueue()
    logged.refresh_from_db()
    assert logged.status == Status.DELIVERED and logged.attempts == 3
    assert logged.response_status == 204 and logged.next_attempt_at is None
    # All three attempts carried the same delivery id (for the receiver's idempotency).
    assert len({r["headers"]["X-SmaKom-Delivery"] for r in receiver.requests}) == 1


def test_endpoint_down_for_a_day_is_given_up(content, django_capture_on_commit_callbacks):
    # Nothing listens on port 9 (discard): every attempt is refused.
    endpoint("http://127.0.0.1:9/hook")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish(content.welcome, django_capture_on_commit_callbacks)
    logged = WebhookDelivery.objects.get()
    assert logged.status == Status.PENDING and logged.response_status is None
    assert logged.last_error
    moment = start
    while logged.status == Status.PENDING:
        moment = logged.next_attempt_at
        with time_machine.travel(moment, tick=False):
            deliver_due.enqueue()
        logged.refresh_from_db()
        assert logged.attempts < 40
    assert logged.status == Status.FAILED
    assert timedelta(hours=22) < moment - start <= timedelta(hours=24)
    assert logged.next_attempt_at is None


@override_settings(WEBHOOKS_TIMEOUT=0.3)
def test_slow_endpoint_never_slows_publishing(receiver, content, settings):
    """Publishing only stores and enqueues; the task (here run afterwards) times out and
    schedules a retry."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    receiver.delay = 2
    endpoint(receiver.url)
    started = time.monotonic()
    from django.db import transaction

    with transaction.atomic():
        content.welcome.save_revision().publish()
    # The test's own transaction is still open: on_commit has not run; run it as a commit would.
    took = time.monotonic() - started
    assert took < 1.5
    assert receiver.requests == []
    logged = WebhookDelivery.objects.get()
    started = time.monotonic()
    assert delivery_service.attempt(logged.pk) == Status.PENDING
    assert time.monotonic() - started < 1.5
    logged.refresh_from_db()
    assert "timed out" in logged.last_error
    assert logged.response_status is None and logged.response_ms >= 300


def test_a_claimed_delivery_is_not_sent_twice(
    receiver, content, django_capture_on_commit_callbacks
):
    endpoint(receiver.url)
    receiver.status = 500
    publish(content.welcome, django_capture_on_commit_callbacks)
    logged = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=logged.pk).update(next_attempt_at=timezone.now())
    assert delivery_service.attempt(logged.pk) == Status.PENDING
    # A second worker with the same id right after: not due any more.
    assert delivery_service.attempt(logged.pk) is None
    assert len(receiver.requests) == 2
    assert default_task_backend is not None
