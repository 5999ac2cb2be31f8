"""Background work on Mailchimp campaigns (django-tasks). Every Mailchimp call runs here.

The tasks are thin: the state machine lives in newsletter.services.campaigns. A task whose
operation should run again (backoff after 429/5xx/timeout, or another worker holding the lease)
re-enqueues itself with run_after; attempt counts live on the Campaign row.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta

from django_tasks import task

from django.db import transaction
from django.utils import timezone

from newsletter.mailchimp.client import is_configured
from newsletter.services import campaigns as service

logger = logging.getLogger(__name__)

QUEUE = "mailchimp"


def _later(task_obj, delay: float, *args, **kwargs):
    """Enqueue `task_obj` again after `delay` seconds (at once on backends without run_after)."""
    if task_obj.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(seconds=max(delay, 0))
        return task_obj.using(run_after=run_after).enqueue(*args, **kwargs)
    # ImmediateBackend (tests): no waiting, the attempt count still bounds the retries.
    return task_obj.enqueue(*args, **kwargs)


def enqueue(task_obj, *args, **kwargs):
    """Enqueue after the current transaction commits (never inside a request's transaction)."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


def _follow(outcome: service.Outcome, task_obj, *args, **kwargs) -> str:
    if outcome.busy and not task_obj.get_backend().supports_defer:
        # Without run_after a busy retry would spin; the lease holder finishes the work.
        return outcome.message
    if outcome.retry_in is not None:
        _later(task_obj, outcome.retry_in, *args, **kwargs)
    return outcome.message


@contextmanager
def _lease_guard(campaign_id: int):
    try:
        yield
    except Exception:
        service.release_lease(campaign_id)
        raise


@task(queue_name=QUEUE)
def sync_campaign(campaign_id: int, user_id: int | None = None) -> str:
    with _lease_guard(campaign_id):
        outcome = service.run_sync(campaign_id, user_id)
    return _follow(outcome, sync_campaign, campaign_id, user_id)


@task(queue_name=QUEUE)
def send_test_campaign(
    campaign_id: int, emails: list[str], user_id: int | None = None, attempt: int = 1
) -> str:
    outcome = service.run_test(campaign_id, emails, user_id, attempt)
    if outcome.retry_in is not None:
        _later(send_test_campaign, outcome.retry_in, campaign_id, emails, user_id, attempt + 1)
    return outcome.message


@task(queue_name=QUEUE)
def schedule_campaign(campaign_id: int, when: str, user_id: int | None = None) -> str:
    with _lease_guard(campaign_id):
        outcome = service.run_schedule(campaign_id, when, user_id)
    return _follow(outcome, schedule_campaign, campaign_id, when, user_id)


@task(queue_name=QUEUE)
def unschedule_campaign(campaign_id: int, user_id: int | None = None) -> str:
    with _lease_guard(campaign_id):
        outcome = service.run_unschedule(campaign_id, user_id)
    return _follow(outcome, unschedule_campaign, campaign_id, user_id)


@task(queue_name=QUEUE)
def unschedule_cancelled_go_live(campaign_id: int, revision_id: int | None = None) -> str:
    """The issue's go-live was cancelled: unschedule the campaign it scheduled."""
    with _lease_guard(campaign_id):
        outcome = service.run_go_live_cancelled(campaign_id, revision_id)
    if outcome.retry_in is not None:
        return _follow(outcome, unschedule_cancelled_go_live, campaign_id, revision_id)
    if service.live_and_not_sent(campaign_id):
        # The campaign may hold the cancelled version: bring back the live one (a no-op if it is).
        sync_campaign.enqueue(campaign_id)
    return outcome.message


@task(queue_name=QUEUE)
def send_campaign(campaign_id: int, send_key: str, user_id: int | None = None) -> str:
    with _lease_guard(campaign_id):
        outcome = service.run_send(campaign_id, send_key, user_id)
    return _follow(outcome, send_campaign, campaign_id, send_key, user_id)


@task(queue_name=QUEUE)
def refresh_campaign_report(campaign_id: int) -> str:
    return service.refresh_report(campaign_id).message


OPERATION_TASKS = {
    "sync": sync_campaign,
    "schedule": schedule_campaign,
    "unschedule": unschedule_campaign,
    "send": send_campaign,
}


def enqueue_operation(campaign_id: int, operation: str, args: dict, user_id=None) -> None:
    """Enqueue (after commit) the task for a retried operation."""
    if operation == "schedule":
        enqueue(schedule_campaign, campaign_id, args["when"], user_id)
    elif operation == "send":
        enqueue(send_campaign, campaign_id, args["send_key"], user_id)
    else:
        enqueue(OPERATION_TASKS[operation], campaign_id, user_id)


@task(queue_name=QUEUE)
def refresh_campaign_reports() -> str:
    """Periodic: resume stalled sends, unschedule campaigns of issues that will not go live,
    notice delivered scheduled campaigns, refresh reports."""
    if not is_configured():
        return "Mailchimp is not configured."
    resumed = 0
    for campaign in service.stalled_sends():
        if campaign.send_key:
            send_campaign.enqueue(campaign.pk, str(campaign.send_key))
            resumed += 1
    # Safety net for go-lives that went without a signal we hear (see run_go_live_cancelled).
    checked = 0
    for campaign_id in service.schedules_outliving_go_live():
        unschedule_cancelled_go_live.enqueue(campaign_id)
        checked += 1
    refreshed = 0
    for campaign_id in service.campaigns_to_refresh().values_list("pk", flat=True):
        if service.refresh_report(campaign_id).ok:
            refreshed += 1
    return (
        f"resumed {resumed} sends, checked {checked} schedules without a go-live, "
        f"refreshed {refreshed} reports"
    )


@task(queue_name=QUEUE)
def reconcile_campaigns() -> str:
    """Periodic: compare every unfinished campaign with Mailchimp and repair drift (a worker
    killed mid-operation, a schedule nobody wants, a schedule lost) — services.reconciler."""
    if not is_configured():
        return "Mailchimp is not configured."
    from newsletter.services.reconciler import reconcile

    findings = reconcile()
    return "; ".join(str(f) for f in findings) or "campaigns agree with Mailchimp"


@task(queue_name=QUEUE)
def send_after_publish(
    campaign_id: int, operation: str, when: str | None = None, user_id: int | None = None
) -> str:
    """ "Publicera och skicka" on an issue that had to be published first: bring the campaign up
    to date, then schedule or send it exactly as the separate buttons do."""
    from newsletter.services import publish_and_send

    with _lease_guard(campaign_id):
        outcome = service.run_sync(campaign_id, user_id)
    if outcome.busy or outcome.retry_in is not None:
        return _follow(outcome, send_after_publish, campaign_id, operation, when, user_id)
    if not outcome.ok and service.has_failed(campaign_id):
        return outcome.message  # the sync's failure is on the panel, with "Try again"
    step = publish_and_send.after_sync(campaign_id, operation, when, user_id)
    if isinstance(step, service.Outcome):
        return step.message
    name, args = step
    enqueue(schedule_campaign if name == "schedule" else send_campaign, *args)
    return f"{name} enqueued"
