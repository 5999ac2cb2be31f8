"""Tasks: deliver one webhook now; the periodic sweeper retries what is due (backoff)."""

from __future__ import annotations

from django_tasks import task

from . import delivery


@task()
def deliver(delivery_id: int) -> str | None:
    return delivery.attempt(delivery_id)


@task()
def deliver_due() -> dict:
    """Periodic (every minute): enqueue every delivery whose next attempt has come, each in its
    own task so that one slow endpoint does not hold up the others."""
    ids = delivery.due_ids()
    for pk in ids:
        deliver.enqueue(pk)
    return {"enqueued": len(ids)}
