"""Who may cause a send or a schedule: the one rule, and the go-live gate that applies it.

Only holders of newsletter.send_newsletter ("Can send newsletter") schedule or send a campaign,
whatever the path: the admin's buttons and direct POSTs, Wagtail's scheduled publishing (go-live),
the command, the reconciler. The state machine (services/campaigns.py) and the admin views ask
`may_send`; the go-live asks `go_live_hold`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from newsletter.checklist import check_issue

logger = logging.getLogger(__name__)

SEND_PERMISSION = "newsletter.send_newsletter"


def may_send(user) -> bool:
    """The one rule for who may cause a send or a schedule: holders of the send permission."""
    return bool(user and user.is_active and user.has_perm(SEND_PERMISSION))


def test_allowed_domains() -> list[str]:
    return [d.lower().lstrip("@") for d in settings.NEWSLETTER_TEST_ALLOWED_DOMAINS]


def test_needs_sender(user, emails) -> bool:
    """A test to anyone but the requesting user and the staff domain(s) needs the send permission."""
    own = (getattr(user, "email", "") or "").strip().lower()
    domains = test_allowed_domains()
    return any(e != own and e.rsplit("@", 1)[-1] not in domains for e in emails)


def go_live_decision(revision):
    """(user, time) of whoever set or approved this revision's go-live.

    Wagtail logs "wagtail.publish.schedule" with the user who published (or approved) the
    revision for later; without that entry the revision's author set it.
    """
    from wagtail.models import PageLogEntry

    entry = (
        PageLogEntry.objects.filter(action="wagtail.publish.schedule", revision_id=revision.pk)
        .select_related("user")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if entry is not None:
        return entry.user, entry.timestamp
    return revision.user, revision.created_at


def go_live_hold(revision) -> tuple[str, object]:
    """Why this revision's go-live may not schedule the campaign ("" if it may), and its user."""
    user, _when = go_live_decision(revision)
    if not may_send(user):
        return (
            _(
                "The issue goes live at the set time, but its campaign was not scheduled: "
                "whoever set the publication time may not send the newsletter. Someone who may "
                "send it must schedule it."
            ),
            user,
        )
    checklist = check_issue(revision.as_object())
    if checklist.has_errors:
        return (
            _("The issue goes live at the set time, but its campaign was not scheduled: %(errors)s")
            % {"errors": " ".join(item.message for item in checklist.errors)},
            user,
        )
    return "", user


def notify_senders_of_hold(campaign_id: int, page, message: str) -> None:
    """Tell the users who may send that an issue's go-live did not schedule its campaign."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.mail import send_mail
    from django.urls import reverse

    perm = Permission.objects.get(content_type__app_label="newsletter", codename="send_newsletter")
    User = get_user_model()
    senders = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm))
        .exclude(email="")
        .distinct()
    )
    recipients = sorted({u.email for u in senders})
    if not recipients:
        return
    url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "newsletter_campaign:status", args=[page.pk]
    )
    try:
        send_mail(
            _("Newsletter not scheduled: %(title)s") % {"title": page.title},
            f"{message}\n\n{url}",
            None,
            recipients,
        )
    except Exception:  # noqa: BLE001 - the hold is recorded and shown; the mail is a courtesy
        logger.exception("campaign %s: could not tell the senders about the hold", campaign_id)
