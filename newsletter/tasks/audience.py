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
from django.utils import timezone

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import MailchimpError, get_client, retry_delay
from newsletter.models import AudienceSyncState, MailchimpErasure, Subscriber
from newsletter.services import sync, webhook_inbox

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


@task(queue_name=QUEUE)
def push_pending_subscribers() -> dict:
    """The outbox sweeper (periodic): push every flagged subscriber and retry pending erasures.

    Stops at the first temporary failure and waits (backoff) before the next sweep, so a
    Mailchimp outage costs one call per sweep, not one per subscriber.
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
    pks = list(
        Subscriber.objects.filter(mailchimp_needs_push=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    for pk in pks:
        result = sync.push_subscriber(pk, client=client)
        counts[result.outcome] += 1
        if result.outcome == "retry":
            failure = result.error
            break
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


def sweep_erasures(counts: Counter, client) -> MailchimpError | None:
    for erasure in MailchimpErasure.objects.filter(refused=False).order_by("pk")[:SWEEP_LIMIT]:
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


def erase(erasure: MailchimpErasure, client=None) -> tuple[str, MailchimpError | None]:
    """Delete one member permanently; 404 means already gone (success)."""
    try:
        deleted = audience.delete_member_permanent(erasure.member_hash, client=client)
    except MailchimpError as exc:
        erasure.attempts += 1
        erasure.last_error = str(exc)[:2000]
        erasure.refused = not exc.retryable
        erasure.save(update_fields=["attempts", "last_error", "refused"])
        if not exc.retryable:
            logger.error("Mailchimp refused erasure of member %s: %s", erasure.member_hash, exc)
        return ("retry" if exc.retryable else "refused"), exc
    erasure.delete()
    return ("deleted" if deleted else "absent"), None


@task(queue_name=QUEUE)
def erase_member(member_hash: str) -> str:
    """Mailchimp `delete-permanent` for an erased subscriber (GDPR); retried with backoff."""
    erasure = MailchimpErasure.objects.filter(member_hash=member_hash, refused=False).first()
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
    as a safety net). No Mailchimp call: the default queue."""
    return dict(webhook_inbox.apply_waiting())
