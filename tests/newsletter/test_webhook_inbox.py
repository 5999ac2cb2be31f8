"""The Mailchimp webhook's inbox: an answered event is stored first, then applied by a task.

Tests run tasks immediately (cms.settings.test), so a webhook request applies its event at once;
the tests with `db_queue` use the database queue and the real `db_worker`, as production does.
"""

import random
from datetime import timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from django_tasks_db.models import DBTaskResult

from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from cms.settings.base import TASKS as DB_TASKS
from newsletter.models import MailchimpWebhookEvent, Subscriber, SubscriberEvent
from newsletter.services import audience_events, webhook_inbox
from newsletter.tasks.audience import apply_webhook_events

from .audience_support import event, make_subscriber, post_event

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def subscriber(email="anna@example.se"):
    # Subscribed before the events below happened.
    return make_subscriber(email, status_changed_at=timezone.now() - timedelta(days=400))


def unsubscribe(email="anna@example.se", fired_at="2026-01-10 10:00:00"):
    return event("unsubscribe", fired_at=fired_at, email=email, action="unsub", reason="manual")


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS


@pytest.fixture
def failing_apply(monkeypatch):
    """Make applying a status event fail as a locked or lost database would (injected: such a
    failure cannot be produced on demand here), for every address or only `state["only"]`.
    Returns the switch."""
    real = audience_events.status_event
    state = {"failing": True, "only": None}

    def status_event(sub, *args, **kwargs):
        if state["failing"] and state["only"] in (None, sub.email):
            raise OperationalError("database is locked")
        return real(sub, *args, **kwargs)

    monkeypatch.setattr(audience_events, "status_event", status_event)
    return state


def store(fields: dict) -> None:
    """Store an event as the webhook does, without draining (to build a batch)."""
    webhook_inbox.store(urlencode(fields).encode(), fields)


def test_an_event_is_stored_applied_and_its_body_cleared(client):
    sub = subscriber("anna@example.se")
    response = post_event(client, unsubscribe())
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    stored = MailchimpWebhookEvent.objects.get()
    assert stored.kind == "unsubscribe"
    assert stored.outcome == "applied"
    assert stored.processed_at is not None
    assert stored.fields == {}  # applied: no personal data kept in the inbox
    assert stored.attempts == 1


def test_a_repeated_delivery_is_stored_once(client):
    sub = subscriber("anna@example.se")
    for _ in range(3):
        assert post_event(client, unsubscribe()).status_code == 200
    assert MailchimpWebhookEvent.objects.count() == 1
    assert sub.events.filter(applied=True).count() == 1


def test_an_event_that_fails_to_apply_is_kept_and_applied_later(client, failing_apply):
    sub = subscriber("anna@example.se")
    response = post_event(client, unsubscribe())
    # The event is safe in the inbox: Mailchimp is told so and does not need to retry.
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED
    stored = MailchimpWebhookEvent.objects.get()
    assert stored.processed_at is None
    assert stored.attempts == 1
    assert "database is locked" in stored.last_error
    assert stored.fields["data[email]"] == "anna@example.se"

    failing_apply["failing"] = False
    apply_webhook_events.enqueue()  # the periodic drain
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.attempts == 2


def test_an_event_that_always_fails_is_left_after_max_attempts(client, failing_apply):
    subscriber("anna@example.se")
    post_event(client, unsubscribe())
    for _ in range(webhook_inbox.MAX_ATTEMPTS + 2):
        apply_webhook_events.enqueue()
    stored = MailchimpWebhookEvent.objects.get()
    assert stored.attempts == webhook_inbox.MAX_ATTEMPTS
    assert stored.processed_at is None  # kept, with its error, for an administrator
    assert not webhook_inbox.waiting().exists()


def test_one_failing_event_does_not_hold_up_the_others(failing_apply):
    anna = subscriber("anna@example.se")
    bo = subscriber("bo@example.se")
    failing_apply["only"] = "anna@example.se"
    # One batch: it fails as a whole, then its events are applied one by one.
    store(unsubscribe("anna@example.se", "2026-01-10 10:00:00"))
    store(unsubscribe("bo@example.se", "2026-01-10 10:00:01"))
    assert apply_webhook_events.enqueue().return_value == {"applied": 1, "failed": 1}
    anna.refresh_from_db()
    bo.refresh_from_db()
    assert (anna.status, bo.status) == (Status.SUBSCRIBED, Status.UNSUBSCRIBED)
    [waiting] = webhook_inbox.waiting()
    assert waiting.fields["data[email]"] == "anna@example.se"
    assert "database is locked" in waiting.last_error


def test_applied_events_are_purged_after_the_retention(client):
    subscriber("anna@example.se")
    post_event(client, unsubscribe())
    old = timezone.now() - webhook_inbox.retention() - timedelta(hours=1)
    MailchimpWebhookEvent.objects.update(processed_at=old)
    post_event(client, unsubscribe("bo@example.se"))
    assert list(MailchimpWebhookEvent.objects.values_list("outcome", flat=True)) == ["created"]


# The worker closes its database connection when it stops, as it would in production.
@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_request_only_stores_and_the_worker_applies(client, db_queue):
    anna = subscriber("anna@example.se")
    bo = subscriber("bo@example.se")
    assert post_event(client, unsubscribe("anna@example.se")).status_code == 200
    assert post_event(client, unsubscribe("bo@example.se")).status_code == 200
    anna.refresh_from_db()
    assert anna.status == Status.SUBSCRIBED  # not applied inside the request
    assert webhook_inbox.waiting().count() == 2
    # One waiting drain covers both events.
    drains = DBTaskResult.objects.filter(task_path=apply_webhook_events.module_path)
    assert list(drains.values_list("status", flat=True)) == ["READY"]

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    anna.refresh_from_db()
    bo.refresh_from_db()
    assert (anna.status, bo.status) == (Status.UNSUBSCRIBED, Status.UNSUBSCRIBED)
    assert not webhook_inbox.waiting().exists()
    assert list(drains.values_list("status", flat=True)) == ["SUCCESSFUL"]
    # The next event enqueues a new drain.
    post_event(client, event("subscribe", fired_at="2026-01-10 11:00:00", email="bo@example.se"))
    assert drains.filter(status="READY").count() == 1


def random_stream(seed: int, n: int = 160) -> list[dict]:
    """Events of every kind over a few addresses (two unknown here), some twice, out of order."""
    rng = random.Random(seed)
    addresses = ["anna@example.se", "bo@example.se", "cilla@example.se", "ny@example.se"]
    events = []
    for i in range(n):
        fired = f"2026-01-10 10:{i // 60:02d}:{i % 60:02d}"
        kind = rng.choice(["subscribe", "unsubscribe", "cleaned", "profile", "profile"])
        if i % 40 == 39:
            kind = rng.choice(["upemail", "campaign"])
        email = rng.choice(addresses)
        if kind == "upemail":
            new = f"flyttad{i}@example.se"
            events.append(event(kind, fired_at=fired, old_email=email, new_email=new))
            addresses[addresses.index(email)] = new
        elif kind == "campaign":
            events.append(event(kind, fired_at=fired, id=f"c{i}", subject="April"))
        else:
            events.append(
                event(kind, fired_at=fired, email=email, reason="hard", merges_FNAME=f"Namn{i}")
            )
    deliveries = events + rng.sample(events, n // 10)
    rng.shuffle(deliveries)
    return deliveries


def state():
    subscribers = sorted(
        Subscriber.objects.values(
            "email",
            "status",
            "status_changed_at",
            "cleaned_reason",
            "first_name",
            "mailchimp_last_changed",
            "mailchimp_needs_push",
        ),
        key=lambda row: row["email"],
    )
    log = sorted(
        SubscriberEvent.objects.values_list(
            "subscriber__email", "from_status", "to_status", "occurred_at", "applied", "detail"
        ),
        key=repr,
    )
    return subscribers, log


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_ends_exactly_as_its_events_applied_one_at_a_time(seed):
    """The inbox applies a batch with a few statements; the outcome must be the one-event
    path's, event for event, in every case a random stream of all kinds produces."""
    deliveries = random_stream(seed)
    for email in ("anna@example.se", "bo@example.se", "cilla@example.se"):
        subscriber(email)
    for fields in deliveries:
        store(fields)
    outcomes = apply_webhook_events.enqueue().return_value
    assert "failed" not in outcomes
    assert outcomes["applied"] > 50  # the stream really changed things
    assert outcomes["ignored"] > 10  # and held stale and repeated events
    together = state()

    Subscriber.objects.all().delete()
    SubscriberEvent.objects.all().delete()
    for email in ("anna@example.se", "bo@example.se", "cilla@example.se"):
        subscriber(email)
    # The same events one at a time, in the inbox's order (each body once, by fired_at).
    unique = {urlencode(fields): fields for fields in reversed(deliveries)}
    for fields in sorted(unique.values(), key=lambda fields: fields["fired_at"]):
        audience_events.apply_mailchimp_event(fields, checked=True)
    assert state() == together


def test_the_command_shows_failed_events_and_retries_them(client, failing_apply):
    sub = subscriber("anna@example.se")
    post_event(client, unsubscribe())
    for _ in range(webhook_inbox.MAX_ATTEMPTS):
        apply_webhook_events.enqueue()
    out = StringIO()
    call_command("mailchimp_webhook", "inbox", stdout=out)
    assert f"failed {webhook_inbox.MAX_ATTEMPTS} times (not retried): 1" in out.getvalue()
    assert "database is locked" in out.getvalue()

    # The periodic drain leaves it alone; an administrator retries it after fixing the cause.
    failing_apply["failing"] = False
    apply_webhook_events.enqueue()
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED
    out = StringIO()
    call_command("mailchimp_webhook", "apply", "--retry-failed", stdout=out)
    assert "retrying 1 failed event(s)" in out.getvalue()
    assert "applied 1" in out.getvalue()
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    out = StringIO()
    call_command("mailchimp_webhook", "inbox", stdout=out)
    assert out.getvalue().startswith("waiting: 0, failed")
