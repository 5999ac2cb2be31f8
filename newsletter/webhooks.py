"""Incoming webhooks: Mailchimp's audience events and anymail's tracking events.

The Mailchimp webhook has no signature; a secret in the URL (?key=…) is the advised protection.
Answers: 200 stored (applied by a task right after: newsletter.services.webhook_inbox), 403 wrong
or missing key, 400 anything malformed or unknown, 503 when our database is unavailable (Mailchimp
retries for ~75 minutes). Input never causes a 500 and a rejected request changes nothing.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qsl

from anymail.signals import tracking

from django.conf import settings
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from cms.queue import enqueue_unless_waiting
from newsletter.services import audience_events, webhook_inbox

logger = logging.getLogger(__name__)

# A real event is well under 4 KB; anything much bigger is not from Mailchimp.
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200
FORM_TYPE = "application/x-www-form-urlencoded"


def key_is_valid(request) -> bool:
    secret = settings.MAILCHIMP_WEBHOOK_SECRET or ""
    given = request.GET.get("key", "")
    if not secret:
        return False  # not configured: accept nothing
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def read_form(request) -> dict[str, str]:
    """The form-encoded body, strictly: UTF-8, bounded size and field count."""
    content_type, _sep, params = (request.META.get("CONTENT_TYPE") or "").partition(";")
    if content_type.strip().lower() != FORM_TYPE:
        raise audience_events.InvalidEvent("expected application/x-www-form-urlencoded")
    charset = params.strip().lower()
    if charset and charset.replace(" ", "") not in {"charset=utf-8", 'charset="utf-8"'}:
        raise audience_events.InvalidEvent("expected UTF-8")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise audience_events.InvalidEvent("bad Content-Length") from None
    if length <= 0 or length > MAX_BODY_BYTES:
        raise audience_events.InvalidEvent("empty or oversized body")
    try:
        body = request.body  # bounded by the Content-Length check above
        decoded = body.decode("utf-8")
        pairs = parse_qsl(
            decoded,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError, OSError):
        raise audience_events.InvalidEvent("unreadable body") from None
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        # No real event has one, and PostgreSQL cannot store it (text or jsonb).
        raise audience_events.InvalidEvent("NUL character in the body")
    return dict(pairs)


@csrf_exempt
def mailchimp_webhook(request):
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if not key_is_valid(request):
        return text("forbidden", 403)
    if request.method != "POST":
        # Mailchimp's validator checks the URL with a GET when the webhook is saved.
        return text("ok", 200)
    try:
        fields = read_form(request)
        webhook_inbox.store(request.body, fields)
    except audience_events.InvalidEvent as exc:
        return text(f"bad request: {exc}", 400)
    except DatabaseError:
        logger.exception("Mailchimp webhook could not be stored")
        return text("try again later", 503)
    apply_stored_events()
    return text("accepted", 200)


def apply_stored_events() -> None:
    """Have the stored events applied soon. The event is safe already: if this fails, the
    periodic drain applies it."""
    from newsletter.tasks.audience import apply_webhook_events

    try:
        enqueue_unless_waiting(apply_webhook_events)
    except Exception:
        logger.exception("could not enqueue the Mailchimp webhook drain")


@receiver(tracking, dispatch_uid="newsletter.anymail_tracking")
def on_anymail_tracking(sender, event, esp_name, **kwargs):
    """anymail (Mandrill) tracking webhook: bounces, complaints and unsubscribes from our own mail.

    Connected when the webhook URLs are loaded (newsletter.urls_webhooks imports this module),
    which always happens before anymail's view can send the signal.
    """
    audience_events.apply_tracking_event(event, esp_name=esp_name)
