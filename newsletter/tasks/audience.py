"""Background work for the Mailchimp audience: push one subscriber, sweep the outbox, pull, erase.

django-tasks has no retries of its own: a failed push re-enqueues itself with `run_after` and
backoff (the attempt count lives on the subscriber); whatever is still flagged afterwards is picked
up by the outbox sweeper, which backs off as a whole while Mailchimp is down. Nothing is dropped.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django_tasks import task

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import MailchimpError, get_client, retry_delay
from newsletter.models import AudienceSyncState, MailchimpErasure, Subscriber
from newsletter.services import address_change, sync, webhook_inbox

logger = logging.getLogger(__name__)

QUEUE = "mailchimp"
SWEEP_LIMIT = 1000  # subscribers per sweep; the rest go in the next one
SWEEP_BACKOFF_BASE = 60.0
SWEEP_BACKOFF_CAP = 3600.0


def enqueue_later(task_obj, delay: float, *args) -> bool:
    """Enqueue to run after `delay` seconds, if the backend can defer (the immediate one cannot:
    then the outbox sweeper is the retry)."""
    if not task_obj.get_backend().supports_defer:
        return False
    run_after = timezone.now() + timedelta(seconds=delay)
    task_obj.using(run_after=run_after).enqueue(*args)
    return True


@task(queue_name=QUEUE)
def push_subscriber(subscriber_id: int) -> str:
    """Send one subscriber's current state to Mailchimp; retried with backoff."""
    if not sync.configured():
        return "not_configured"
    result = sync.push_subscriber(subscriber_id)
    if result.outcome == "retry" and result.attempts < settings.MAILCHIMP_MAX_ATTEMPTS:
        enqueue_later(push_subscriber, retry_delay(result.attempts), subscriber_id)
    if result.error:
        logger.warning(
            "push of subscriber %s: %s (%s)", subscriber_id, result.outcome, result.error
        )
    return result.outcome


def outbox(now=None):
    """Subscribers waiting to be pushed, unsubscribes and cleanings first; a member in its own
    backoff (mailchimp_retry_at) waits for it."""
    now = now or timezone.now()
    return (
        Subscriber.objects.filter(mailchimp_needs_push=True)
        .filter(Q(mailchimp_retry_at__isnull=True) | Q(mailchimp_retry_at__lte=now))
        .annotate(
            leaving=Case(
                When(status__in=list(sync.GONE), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("leaving", "pk")
    )


@task(queue_name=QUEUE)
def push_pending_subscribers() -> dict:
    """The outbox sweeper (periodic): push every flagged subscriber and retry pending erasures.

    Unsubscribes and cleanings go first. A member that fails on its own is skipped (it waits with
    its own backoff) and the sweep goes on; two temporary failures in a row are an outage: the
    sweep stops and waits (backoff) before the next one, so a Mailchimp outage costs two calls
    per sweep, not one per subscriber. A refused key (401/403) stops it too.
    """
    if not sync.configured():
        return {"not_configured": 1}
    state = AudienceSyncState.for_audience(audience.audience_id())
    now = timezone.now()
    if state.push_retry_at and state.push_retry_at > now:
        return {"waiting_until": state.push_retry_at.isoformat()}
    counts: Counter = Counter()
    client = get_client()
    failure = None
    in_a_row = 0
    pks = list(outbox(now).values_list("pk", flat=True)[:SWEEP_LIMIT])
    for pk in pks:
        result = sync.push_subscriber(pk, client=client)
        counts[result.outcome] += 1
        if result.outcome == "auth":
            failure = result.error
            break
        if result.outcome == "retry":
            in_a_row += 1
            if in_a_row >= 2:
                failure = result.error
                break
        else:
            in_a_row = 0
    if failure is None:
        failure = sweep_erasures(counts, client)
    if failure is not None:
        state.push_failures += 1
        delay = retry_delay(state.push_failures, base=SWEEP_BACKOFF_BASE, cap=SWEEP_BACKOFF_CAP)
        state.push_retry_at = now + timedelta(seconds=delay)
        state.last_error = str(failure)[:2000]
        counts["backoff_seconds"] = int(delay)
    else:
        state.push_failures = 0
        state.push_retry_at = None
        state.last_error = ""
    state.last_push_at = now
    state.save()
    return dict(counts)


def pending_erasures(now=None):
    """Erasures still to go through and due now (not resolved by an administrator)."""
    now = now or timezone.now()
    return MailchimpErasure.objects.filter(resolved_at__isnull=True).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )


def sweep_erasures(counts: Counter, client) -> MailchimpError | None:
    for erasure in pending_erasures().order_by("pk")[:SWEEP_LIMIT]:
        outcome, error = erase(erasure, client)
        counts[f"erasure_{outcome}"] += 1
        if outcome == "retry":
            return error
    return None


@task(queue_name=QUEUE)
def pull_audience_changes(full: bool = False) -> dict:
    """Incremental pull (periodic): apply Mailchimp's changes since the high-water mark."""
    if not sync.configured():
        return {"not_configured": 1}
    try:
        summary = sync.pull_changes(full=full)
    except MailchimpError as exc:
        # The mark did not move: the next run repeats this pull.
        logger.warning("audience pull failed: %s", exc)
        state = AudienceSyncState.for_audience(audience.audience_id())
        state.last_error = str(exc)[:2000]
        state.save(update_fields=["last_error"])
        return {"error": str(exc)}
    return summary.as_dict()


ERASURE_BACKOFF_BASE = 300.0
ERASURE_BACKOFF_CAP = 24 * 3600.0


def erase(erasure: MailchimpErasure, client=None) -> tuple[str, MailchimpError | None]:
    """Delete one member permanently; 404 means already gone (success). A refusal (any other
    status) is kept, retried with backoff and shown on the dashboard until it goes through or an
    administrator marks it resolved."""
    try:
        deleted = audience.delete_member_permanent(erasure.member_hash, client=client)
    except MailchimpError as exc:
        erasure.attempts += 1
        erasure.last_error = str(exc)[:2000]
        erasure.refused = not exc.retryable
        if erasure.refused:
            # Its own backoff; a temporary failure is the sweep's backoff (Mailchimp is down).
            delay = retry_delay(
                erasure.attempts, base=ERASURE_BACKOFF_BASE, cap=ERASURE_BACKOFF_CAP
            )
            erasure.retry_at = timezone.now() + timedelta(seconds=delay)
        erasure.save(update_fields=["attempts", "last_error", "refused", "retry_at"])
        if not exc.retryable:
            logger.error("Mailchimp refused erasure of member %s: %s", erasure.member_hash, exc)
        return ("retry" if exc.retryable else "refused"), exc
    erasure.delete()
    return ("deleted" if deleted else "absent"), None


@task(queue_name=QUEUE)
def erase_member(member_hash: str) -> str:
    """Mailchimp `delete-permanent` for an erased subscriber (GDPR); retried with backoff."""
    erasure = MailchimpErasure.objects.filter(
        member_hash=member_hash, resolved_at__isnull=True
    ).first()
    if erasure is None:
        return "done"
    if not sync.configured():
        return "not_configured"
    outcome, _error = erase(erasure)
    if outcome == "retry" and erasure.attempts < settings.MAILCHIMP_MAX_ATTEMPTS:
        enqueue_later(erase_member, retry_delay(erasure.attempts), member_hash)
    return outcome


@task()
def apply_webhook_events() -> dict:
    """Apply the Mailchimp webhook events waiting in the inbox (enqueued by the webhook; periodic
    as a safety net). No Mailchimp call: the default queue. The periodic run also purges what
    the subscriber data must not keep: old inbox events, expired address-change requests."""
    counts = webhook_inbox.apply_waiting()
    purged = address_change.purge_expired()
    if purged:
        counts["address_changes_purged"] = purged
    return dict(counts)
