"""The mail we send subscribers ourselves (confirmation, welcome, address change), through
Django's mail API and django-anymail (Mailchimp Transactional). Sent by a task after commit, never
inside a request, retried with backoff when the provider fails. Every message to the subscriber's
own address carries our one-click unsubscribe link as List-Unsubscribe + List-Unsubscribe-Post
(RFC 8058); the link to a new, unproven address does not (its reader may be a stranger).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from newsletter import tokens
from newsletter.mailchimp.client import retry_delay
from newsletter.rendering.links import logo

logger = logging.getLogger(__name__)

KINDS = ("confirm", "welcome", "address_change_confirm", "address_change_notice")
# Mail about a PendingAddressChange: the task gets the row's id, never the address (django-tasks
# stores arguments, and erasure would not find them there).
ADDRESS_CHANGE_KINDS = ("address_change_confirm", "address_change_notice")


def absolute_url(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path


def unsubscribe_url(subscriber) -> str:
    token = tokens.make_unsubscribe_token(subscriber)
    return absolute_url(reverse("newsletter:unsubscribe", args=[token]))


def preferences_url(subscriber) -> str:
    token = tokens.make_preferences_token(subscriber)
    return absolute_url(reverse("newsletter:preferences", args=[token]))


def confirm_url(subscriber) -> str:
    token = tokens.make_confirm_token(subscriber)
    return absolute_url(reverse("newsletter:confirm", args=[token]))


def address_change_url(change) -> str:
    """A fresh random token for the request's link; only its hash is stored. Made when the mail
    is built, so a retry makes a new one (the failed attempt's link never arrived)."""
    from newsletter.models import PendingAddressChange

    token, token_hash = tokens.new_address_change_token()
    PendingAddressChange.objects.filter(pk=change.pk).update(token_hash=token_hash)
    return absolute_url(reverse("newsletter:address_change", args=[token]))


def masked_address(email: str) -> str:
    """ "a…@example.se": enough for the owner of the old address to recognise their own new one."""
    local, _sep, domain = email.rpartition("@")
    return f"{local[:1]}…@{domain}"


def list_unsubscribe_headers(subscriber) -> dict[str, str]:
    """RFC 2369 + RFC 8058 headers: mail clients show an unsubscribe button that POSTs."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _site_settings():
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return SiteSettings.for_site(site) if site else None


def build_message(subscriber, kind: str, change=None) -> EmailMultiAlternatives:
    """`change`: the PendingAddressChange that address-change mail is about."""
    if kind not in KINDS or (kind in ADDRESS_CHANGE_KINDS) != (change is not None):
        raise ValueError(kind)
    new_email = change.new_email if change is not None else ""
    site_settings = _site_settings()
    to_new_address = kind == "address_change_confirm"
    organisation_name = (site_settings.organisation_name if site_settings else "") or "SmåKom"
    context = {
        "subscriber": subscriber,
        "site_settings": site_settings,
        "organisation_name": organisation_name,
        "logo": logo(organisation_name),
        "unsubscribe_url": "" if to_new_address else unsubscribe_url(subscriber),
        "preferences_url": "" if to_new_address else preferences_url(subscriber),
        "site_url": settings.SITE_BASE_URL,
        "expiry_days": tokens.confirm_max_age() // (24 * 3600),
    }
    if kind == "confirm":
        context["confirm_url"] = confirm_url(subscriber)
        subject = _("Confirm your subscription to the SmåKom newsletter")
    elif kind == "welcome":
        subject = _("Welcome to the SmåKom newsletter")
    elif to_new_address:
        context["new_email"] = new_email
        context["confirm_url"] = address_change_url(change)
        subject = _("Confirm your new email address for the SmåKom newsletter")
    else:
        context["masked_new_email"] = masked_address(new_email)
        subject = _("The email address of your SmåKom newsletter subscription is about to change")
    context["subject"] = subject
    text = render_to_string(f"email/transactional/{kind}.txt", context)
    html = render_to_string(f"email/transactional/{kind}.html", context)
    reply_to = [site_settings.reply_to] if site_settings else [settings.MAILCHIMP_REPLY_TO]
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[new_email if to_new_address else subscriber.email],
        reply_to=reply_to,
        headers={} if to_new_address else list_unsubscribe_headers(subscriber),
    )
    message.attach_alternative(html, "text/html")
    # anymail: tag the message so tracking webhooks can tell our mail apart; no click tracking
    # (it would rewrite the signed links).
    message.tags = [f"subscriber-{kind}"]
    message.track_clicks = False
    message.metadata = {"subscriber_id": str(subscriber.pk), "kind": kind}
    return message


def schedule(subscriber, kind: str, pending_change_id: int | None = None) -> None:
    """After the current transaction commits, send `kind` mail to the subscriber."""
    pk = subscriber.pk
    if pending_change_id is not None:
        transaction.on_commit(
            lambda: send_subscriber_email.enqueue(pk, kind, pending_change_id=pending_change_id)
        )
    else:
        transaction.on_commit(lambda: send_subscriber_email.enqueue(pk, kind))


@task()
def send_subscriber_email(
    subscriber_id: int, kind: str, attempt: int = 1, pending_change_id: int | None = None
) -> str:
    from newsletter.models import PendingAddressChange, Subscriber

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return "gone"
    wanted = Subscriber.Status.PENDING if kind == "confirm" else Subscriber.Status.SUBSCRIBED
    if subscriber.status != wanted:
        return "skipped"  # left meanwhile: no link that could be mistaken for a way back
    change = None
    if kind in ADDRESS_CHANGE_KINDS:
        change = PendingAddressChange.objects.filter(
            pk=pending_change_id, subscriber=subscriber
        ).first()
        if change is None:
            return "gone"
        if not change.is_open(subscriber):
            return "skipped"  # superseded, used, expired, or the address changed meanwhile
    with translation.override(settings.LANGUAGE_CODE):
        message = build_message(subscriber, kind, change)
    try:
        message.send()
    except Exception as exc:
        max_attempts = settings.MAILCHIMP_MAX_ATTEMPTS
        backend = send_subscriber_email.get_backend()
        if attempt >= max_attempts or not backend.supports_defer:
            logger.error("%s mail to subscriber %s failed for good: %s", kind, subscriber_id, exc)
            return "failed"
        run_after = timezone.now() + timedelta(seconds=retry_delay(attempt))
        logger.warning("%s mail to subscriber %s failed, retrying: %s", kind, subscriber_id, exc)
        send_subscriber_email.using(run_after=run_after).enqueue(
            subscriber_id, kind, attempt + 1, pending_change_id=pending_change_id
        )
        return "retry"
    return "sent"
