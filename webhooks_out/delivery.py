"""Making events and delivering them: one delivery per endpoint, sent from a task, retried with
backoff for up to WEBHOOKS_RETRY_FOR seconds (a day). Publishing only inserts rows and enqueues:
a slow or failing endpoint never slows it.

Each attempt claims the delivery first (moves its next attempt past the request's timeout in
one UPDATE), so the task and the periodic sweeper never send the same delivery twice at once.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint
from .signing import HEADER, sign

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
USER_AGENT = "SmaKom-Webhooks/1"


def timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT", 10))


def retry_for() -> float:
    return float(getattr(settings, "WEBHOOKS_RETRY_FOR", 24 * 3600))


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failures: 30 s, 1 min, 2 min … at most
    an hour, so a receiver down for a day still gets the event when it comes back."""
    return min(3600.0, 30.0 * 2 ** max(0, attempts - 1))


def record_event(event: str, payload: dict) -> list[int]:
    """Store one delivery for every active endpoint that wants `event`, and deliver each from
    a task once the transaction commits. Returns the deliveries' ids."""
    ids = []
    now = timezone.now()
    for endpoint in WebhookEndpoint.subscribed_to(event):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=payload, next_attempt_at=now
        )
        delivery.payload = {"id": str(delivery.pk), **payload}
        delivery.save(update_fields=["payload"])
        ids.append(delivery.pk)
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver

    for pk in ids:
        try:
            deliver.enqueue(pk)
        except Exception:  # the periodic sweeper delivers it instead
            logger.exception("could not enqueue webhook delivery %s", pk)


def _claim(pk: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=pk, status=Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=timeout() * 2 + 5))
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=pk)


def attempt(pk: int) -> str | None:
    """Send one delivery now if it is due; its status afterwards (None: not due or gone)."""
    delivery = _claim(pk)
    if delivery is None:
        return None
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - http(s) only (the model's validator)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            HEADER: sign(delivery.endpoint.secret, body),
            "X-SmaKom-Event": delivery.event,
            "X-SmaKom-Delivery": str(delivery.pk),
        },
    )
    started = time.monotonic()
    status, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:  # noqa: S310
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as e:
        status, error = e.code, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        error = str(getattr(e, "reason", e)) or type(e).__name__
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return _record(delivery, status, elapsed_ms, error)


def _record(delivery: WebhookDelivery, status, elapsed_ms: int, error: str) -> str:
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_status = status
    delivery.response_ms = elapsed_ms
    if status is not None and 200 <= status < 300:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error[:1000]
        next_at = now + timedelta(seconds=backoff(delivery.attempts))
        if next_at > delivery.created_at + timedelta(seconds=retry_for()):
            delivery.status = Status.FAILED
            delivery.next_attempt_at = None
            logger.warning("webhook delivery %s given up: %s", delivery.pk, error)
        else:
            delivery.next_attempt_at = next_at
    delivery.save(
        update_fields=[
            "attempts",
            "response_status",
            "response_ms",
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_error",
        ]
    )
    return delivery.status


def due_ids(limit: int = 100) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
