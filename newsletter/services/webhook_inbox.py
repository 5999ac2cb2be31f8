"""The Mailchimp audience webhook's inbox: stored in the request, applied by a task.

The request validates the event and inserts it (one short statement, no lock held while a
subscriber changes), so the webhook answers fast under Mailchimp's bursts and an answered event
is never lost: if applying fails, the event stays here and is retried by the next drain (the
periodic one at the latest). A delivery Mailchimp repeats has the same body and is stored once.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.db import update_rows
from newsletter.models import MailchimpWebhookEvent, Subscriber, SubscriberEvent
from newsletter.services import audience_events

logger = logging.getLogger(__name__)

# Events applied per transaction: few enough that SQLite's write lock is held only briefly.
BATCH = 100
# Attempts before an event that keeps failing is left for an administrator (it stays listed).
MAX_ATTEMPTS = 5
# Applied events are kept this long (without their body) so repeated deliveries are recognised;
# Mailchimp retries for about 75 minutes. Failed events (with their body) are purged after the
# same time: NEWSLETTER_WEBHOOK_RETENTION_DAYS (default 7).
ADDRESS_FIELDS = ("data[email]", "data[old_email]", "data[new_email]")


def retention() -> timedelta:
    return timedelta(days=getattr(settings, "NEWSLETTER_WEBHOOK_RETENTION_DAYS", 7))


def store(body: bytes, fields: dict[str, str]) -> None:
    """Validate and store one delivery. Raises audience_events.InvalidEvent (nothing stored)."""
    kind, fired_at = audience_events.check_mailchimp_event(fields)
    event = MailchimpWebhookEvent(
        body_hash=hashlib.sha256(body).hexdigest(),
        kind=kind,
        fired_at=fired_at,
        fields=fields,
    )
    # A repeated delivery hits the unique hash and is skipped, in the same single statement.
    MailchimpWebhookEvent.objects.bulk_create([event], ignore_conflicts=True)


def waiting():
    return MailchimpWebhookEvent.objects.filter(
        processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS
    )


def apply_waiting() -> Counter:
    """Apply every waiting event, oldest first; returns the outcomes counted."""
    counts: Counter = Counter()
    failed: set[int] = set()  # retried by a later drain, not in a loop now
    while apply_batch(counts, failed):
        pass
    purged = purge_old()
    if purged:
        counts["purged"] = purged
    return counts


def purge_old() -> int:
    """Delete applied events, and events that failed for good, older than the retention."""
    cutoff = timezone.now() - retention()
    purged, _ = MailchimpWebhookEvent.objects.filter(
        Q(processed_at__lt=cutoff)
        | Q(processed_at__isnull=True, attempts__gte=MAX_ATTEMPTS, received_at__lt=cutoff)
    ).delete()
    return purged


def forget_addresses(emails) -> int:
    """Erasure: delete every stored event (waiting or failed) that names one of these addresses.
    Applied events hold no body, so only unapplied ones are read (a handful normally)."""
    wanted = {audience_events.normalise_email(e) for e in emails if e}
    doomed = [
        event.pk
        for event in MailchimpWebhookEvent.objects.filter(processed_at__isnull=True)
        .only("pk", "fields")
        .iterator(chunk_size=500)
        if isinstance(event.fields, dict)
        and any(
            audience_events.normalise_email(str(event.fields.get(key) or "")) in wanted
            for key in ADDRESS_FIELDS
        )
    ]
    if not doomed:
        return 0
    deleted, _ = MailchimpWebhookEvent.objects.filter(pk__in=doomed).delete()
    return deleted


def apply_batch(counts: Counter, failed: set[int]) -> int:
    with transaction.atomic():
        # skip_locked: a second worker draining at the same time takes other events (PostgreSQL;
        # SQLite serialises the transactions instead).
        events = list(
            waiting()
            .exclude(pk__in=failed)
            .order_by("fired_at", "id")
            .select_for_update(skip_locked=True)[:BATCH]
        )
        try:
            with transaction.atomic():
                outcomes = apply_together(events)
        except Exception:
            # Something in the batch failed: apply one by one, so only that event waits.
            logger.warning("webhook batch failed; applying its events one by one", exc_info=True)
            outcomes = [apply_alone(event, failed) for event in events]
        done = []
        for event, outcome in zip(events, outcomes, strict=True):
            event.attempts += 1
            if outcome is None:
                continue  # failed, kept for the next drain (apply_alone saved the error)
            event.outcome = outcome
            event.processed_at = timezone.now()
            event.fields = {}  # applied: the subscriber's event log has what matters
            done.append(event)
            counts[outcome] += 1
        update_rows(done, ["attempts", "outcome", "last_error", "processed_at", "fields"])
        if len(done) < len(events):
            counts["failed"] += len(events) - len(done)
    return len(events)


def apply_alone(event: MailchimpWebhookEvent, failed: set[int]) -> str | None:
    """One event in its own savepoint; None if it failed (the error is saved on the event)."""
    try:
        with transaction.atomic():
            return audience_events.apply_mailchimp_event(event.fields, checked=True)
    except audience_events.InvalidEvent as exc:
        # Cannot happen for an event that passed the check, unless settings changed (another
        # audience id): recorded as applied with that outcome, not retried.
        event.last_error = str(exc)
        return "invalid"
    except Exception as exc:
        logger.exception("Mailchimp webhook event %s could not be applied", event.pk)
        MailchimpWebhookEvent.objects.filter(pk=event.pk).update(
            attempts=event.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        failed.add(event.pk)
        return None


def apply_together(events: list[MailchimpWebhookEvent]) -> list[str]:
    """Apply a batch in order with a few statements in all: the subscribers it names are read
    (and locked) at once, changed in memory by the same rules as one event alone
    (audience_events.status_event), then written with one UPDATE and one INSERT. The rare
    events that change addresses or create subscribers go one at a time, in order."""
    subscribers = Subscribers(events)
    outcomes = []
    for event in events:
        fields = event.fields
        kind, at = audience_events.read_event(fields, checked=True)
        if kind == "campaign":
            outcomes.append(audience_events.campaign_sent(fields, at))
            continue
        if kind == "upemail":
            subscribers.flush()
            outcomes.append(audience_events.apply_mailchimp_event(fields, checked=True))
            subscribers.forget(fields)
            continue
        email = audience_events.clean_email(fields.get("data[email]"))
        sub = subscribers.get(email)
        if kind == "profile":
            if sub is None:
                outcomes.append("unknown")
                continue
            changed = audience_events.touched(
                sub,
                audience_events.take_mailchimp_profile(sub, at, audience_events.merges(fields)),
            )
            subscribers.changed(sub, bool(changed))
            outcomes.append("applied" if changed else "ignored")
            continue
        status, detail, reason = audience_events.status_change(kind, fields)
        if sub is None:
            outcomes.append(audience_events.set_status(email, status, at, fields, detail, reason))
            subscribers.forget(fields)
            continue
        applied, record, changed = audience_events.status_event(
            sub, status, at, fields, detail, reason
        )
        subscribers.changed(sub, bool(changed), record)
        outcomes.append("applied" if applied else "ignored")
    subscribers.flush()
    return outcomes


class Subscribers:
    """The subscribers a batch names, read under lock, with their unsaved changes."""

    def __init__(self, events):
        emails = {
            audience_events.normalise_email(event.fields.get("data[email]", ""))
            for event in events
            if event.kind in {"subscribe", "unsubscribe", "cleaned", "profile"}
        }
        self.by_email = {
            sub.email: sub for sub in Subscriber.objects.select_for_update().with_emails(emails)
        }
        self.dirty: dict[int, Subscriber] = {}
        self.records: list[SubscriberEvent] = []

    def get(self, email: str) -> Subscriber | None:
        if email not in self.by_email:
            self.by_email[email] = Subscriber.objects.select_for_update().by_email(email)
        return self.by_email[email]

    def changed(self, sub: Subscriber, changed: bool, record: SubscriberEvent | None = None):
        if changed:
            self.dirty[sub.pk] = sub
        if record is not None:
            self.records.append(record)

    def forget(self, fields: dict) -> None:
        """Read these addresses again next time: they were written outside the batch."""
        for key in ("data[email]", "data[old_email]", "data[new_email]"):
            if fields.get(key):
                self.by_email.pop(audience_events.normalise_email(fields[key]), None)

    def flush(self) -> None:
        if self.dirty:
            update_rows(self.dirty.values(), audience_events.EVENT_FIELDS)
        if self.records:
            SubscriberEvent.objects.bulk_create(self.records)
        self.dirty, self.records = {}, []
