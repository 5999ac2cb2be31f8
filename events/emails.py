"""The mail we send registrants (confirmation with an .ics file, waiting list, offers, changes,
reminders, the organiser's messages), through Django's mail API and django-anymail. Sent by a
task after commit, retried with backoff when the provider fails."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks, urlize
from django.utils.translation import gettext as _

from newsletter.mailchimp.client import retry_delay

logger = logging.getLogger(__name__)

# kind -> the statuses in which the mail still makes sense when the task runs
KINDS = {
    "confirmed": ("confirmed",),
    "changed": ("confirmed", "offered", "waiting"),
    "waiting": ("waiting",),
    "offer": ("offered",),
    "offer_expired": ("cancelled",),
    "cancelled": ("cancelled",),
    "duplicate": ("confirmed", "offered", "waiting"),
    "reminder": ("confirmed",),
    "message": ("confirmed",),
}
WITH_CALENDAR = {"confirmed", "changed", "reminder"}


def subject_for(kind: str, event) -> str:
    title = event.title
    return {
        "confirmed": _("Registration confirmed: %(title)s"),
        "changed": _("Your registration has been changed: %(title)s"),
        "waiting": _("You are on the waiting list: %(title)s"),
        "offer": _("A place is free for you: %(title)s"),
        "offer_expired": _("The offered place has gone: %(title)s"),
        "cancelled": _("Registration cancelled: %(title)s"),
        "duplicate": _("You are already registered: %(title)s"),
        "reminder": _("Reminder: %(title)s"),
    }[kind] % {"title": title}


def manage_url(registration) -> str:
    """The personal link /kalender/anmalan/<token>/ (absolute: it goes out by mail)."""
    index = registration.event.get_parent().specific
    url = index.get_url() or "/"
    if not url.startswith("http"):
        url = settings.SITE_BASE_URL.rstrip("/") + url
    return url + index.reverse_subpage("registration", args=[registration.token])


def build_message(registration, kind: str, subject: str = "", body: str = ""):
    from events.services import registration_state
    from home.ics import build_calendar

    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "kind": kind,
        "options": list(registration.options.all()),
        "manage_url": manage_url(registration),
        "event_url": event.get_full_url(),
        "state": registration_state(event),
        "position": waiting_position(registration),
        "body": body,
    }
    if kind != "message":
        subject = subject_for(kind, event)
    context["subject"] = subject
    text = render_to_string("events/email/registration.txt", context)
    html = linebreaks(urlize(escape(text)))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    )
    message.attach_alternative(html, "text/html")
    if kind in WITH_CALENDAR:
        calendar = build_calendar(None, [event], name=event.title)
        message.attach(f"{event.slug}.ics", calendar.to_ical(), "text/calendar")
    message.tags = [f"event-{kind}"]
    message.track_clicks = False
    message.metadata = {"registration_id": str(registration.pk), "kind": kind}
    return message


def waiting_position(registration) -> int | None:
    from events.models import Registration

    if registration.status != Registration.Status.WAITING:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id,
            status=Registration.Status.WAITING,
            created_at__lte=registration.created_at,
        )
        .exclude(created_at=registration.created_at, pk__gt=registration.pk)
        .count()
    )


@task()
def send_registration_email(
    registration_id: int, kind: str, attempt: int = 1, subject: str = "", body: str = ""
) -> str:
    from events.models import Registration

    registration = (
        Registration.objects.select_related("event", "municipality")
        .filter(pk=registration_id, anonymised_at__isnull=True)
        .first()
    )
    if registration is None or not registration.email:
        return "gone"
    if registration.status not in KINDS[kind]:
        return "skipped"
    with translation.override(settings.LANGUAGE_CODE):
        message = build_message(registration, kind, subject, body)
    try:
        message.send()
    except Exception as exc:
        backend = send_registration_email.get_backend()
        if attempt >= settings.MAILCHIMP_MAX_ATTEMPTS or not backend.supports_defer:
            logger.error("%s mail for registration %s failed: %s", kind, registration_id, exc)
            return "failed"
        run_after = timezone.now() + timedelta(seconds=retry_delay(attempt))
        logger.warning(
            "%s mail for registration %s failed, retrying: %s", kind, registration_id, exc
        )
        send_registration_email.using(run_after=run_after).enqueue(
            registration_id, kind, attempt + 1, subject, body
        )
        return "retry"
    return "sent"
