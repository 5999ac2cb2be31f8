"""Applying what Mailchimp and the transactional ESP tell us about subscribers.

Mailchimp audience webhooks (form-encoded) and anymail tracking events. Everything here is
idempotent and order-independent: a status change carries the time it happened at its origin, and
Subscriber.change_status() ignores anything older than the current status.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from newsletter import audience_sync
from newsletter.models import Subscriber, SubscriberEvent, normalise_email
from newsletter.services import sync, tombstones
from newsletter.tokens import new_nonce

logger = logging.getLogger(__name__)

Status = Subscriber.Status

EVENT_TYPES = {"subscribe", "unsubscribe", "profile", "upemail", "cleaned", "campaign"}
FIRED_AT_FORMAT = "%Y-%m-%d %H:%M:%S"
# A fired_at further ahead than this is not a clock difference but bad input.
MAX_CLOCK_SKEW = timedelta(hours=1)
CLEANED_REASONS = {
    "hard": Subscriber.CleanedReason.HARD_BOUNCE,
    "abuse": Subscriber.CleanedReason.COMPLAINT,
}

# Sent for `campaign` events (a campaign was sent), for whoever tracks campaigns:
# kwargs campaign_id, subject, status, reason, fired_at.
mailchimp_campaign_event = Signal()

validate_email = EmailValidator()


class InvalidEvent(ValueError):
    """The webhook body is not an event we can apply (answered 400, nothing changed)."""


def clean_email(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        raise InvalidEvent("missing or invalid email")
    email = normalise_email(value)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidEvent("invalid email") from None
    return email


def parse_fired_at(value, *, future_ok: bool = False) -> datetime:
    """Mailchimp's fired_at: "YYYY-MM-DD HH:MM:SS" in UTC."""
    try:
        moment = datetime.strptime(str(value or "").strip(), FIRED_AT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidEvent("missing or invalid fired_at") from None
    if not future_ok and moment > timezone.now() + MAX_CLOCK_SKEW:
        raise InvalidEvent("fired_at is in the future")
    return moment


def merges(fields: dict) -> dict:
    """FNAME/LNAME/ORG from data[merges][…], only those present."""
    names = {}
    for tag, attr, limit in (
        ("FNAME", "first_name", 100),
        ("LNAME", "last_name", 100),
        ("ORG", "organisation", 160),
    ):
        key = f"data[merges][{tag}]"
        if key in fields:
            names[attr] = fields[key].strip()[:limit]
    return names


# --- Mailchimp audience webhooks ----------------------------------------------------------------


def check_mailchimp_event(fields: dict[str, str]) -> tuple[str, datetime]:
    """Validate one audience webhook event without touching the database: (type, fired_at).

    Raises InvalidEvent (→ 400) for everything apply_mailchimp_event() would refuse, so an event
    that was accepted and stored can always be applied.
    """
    kind = fields.get("type", "")
    if kind not in EVENT_TYPES:
        raise InvalidEvent("unknown event type")
    at = parse_fired_at(fields.get("fired_at"))
    list_id = fields.get("data[list_id]")
    if list_id is not None and list_id != settings.MAILCHIMP_AUDIENCE_ID:
        raise InvalidEvent("event for another audience")
    if kind == "campaign":
        if not fields.get("data[id]", ""):
            raise InvalidEvent("campaign event without data[id]")
    elif kind == "upemail":
        clean_email(fields.get("data[old_email]"))
        clean_email(fields.get("data[new_email]"))
    else:
        clean_email(fields.get("data[email]"))
    return kind, at


def apply_mailchimp_event(fields: dict[str, str], *, checked: bool = False) -> str:
    """Apply one audience webhook event; returns what happened. Raises InvalidEvent.

    `checked`: the event passed check_mailchimp_event() when it arrived; fired_at is not compared
    with the clock again (it was not in the future then).
    """
    kind, at = read_event(fields, checked=checked)
    if kind == "campaign":
        return campaign_sent(fields, at)
    if kind == "upemail":
        return change_email(fields, at, {"type": kind, "fired_at": fields.get("fired_at")})
    email = clean_email(fields.get("data[email]"))
    if kind == "profile":
        return update_profile(email, fields, at)
    status, detail, reason = status_change(kind, fields)
    return set_status(email, status, at, fields, detail, reason=reason)


def read_event(fields: dict[str, str], *, checked: bool) -> tuple[str, datetime]:
    if checked:
        return fields.get("type", ""), parse_fired_at(fields.get("fired_at"), future_ok=True)
    return check_mailchimp_event(fields)


def status_change(kind: str, fields: dict[str, str]) -> tuple[str, dict, str]:
    """For a subscribe, unsubscribe or cleaned event: (new status, log detail, cleaned reason)."""
    detail = {"type": kind, "fired_at": fields.get("fired_at")}
    if kind == "subscribe":
        return Status.SUBSCRIBED, detail, ""
    if kind == "unsubscribe":
        detail.update(
            action=fields.get("data[action]", "")[:20],
            reason=fields.get("data[reason]", "")[:100],
            campaign_id=fields.get("data[campaign_id]", "")[:50],
        )
        return Status.UNSUBSCRIBED, detail, ""
    # cleaned
    detail["reason"] = fields.get("data[reason]", "")[:100]
    reason = CLEANED_REASONS.get(fields.get("data[reason]", ""), Subscriber.CleanedReason.OTHER)
    return Status.CLEANED, detail, reason


def set_status(email, status, at, fields, detail, reason="") -> str:
    # One transaction for the whole event: one commit, and the webhook's steps stay together.
    # No savepoint when nested: the inbox drain wraps each event in its own.
    with transaction.atomic(savepoint=False):
        return _set_status(email, status, at, fields, detail, reason)


def _set_status(email, status, at, fields, detail, reason) -> str:
    sub = Subscriber.objects.select_for_update().by_email(email)
    if sub is None and tombstones.is_buried(email):
        return "erased"  # never recreated from an event about someone erased
    if sub is None:
        created = create_from_event(email, status, at, fields, detail, reason)
        if created:
            return "created"
        sub = Subscriber.objects.select_for_update().by_email(email)
    applied, record, changed = status_event(sub, status, at, fields, detail, reason)
    if changed:
        sub.save(update_fields=changed)
    record.save()
    return "applied" if applied else "ignored"


# What status_event() may change; the inbox's batches save these for every subscriber touched.
EVENT_FIELDS = (
    "status",
    "status_changed_at",
    "cleaned_reason",
    "mailchimp_last_changed",
    "first_name",
    "last_name",
    "organisation",
    "updated_at",
)


def status_event(sub, status, at, fields, detail, reason=""):
    """One subscribe/unsubscribe/cleaned event on `sub`, read under lock, in memory only.

    Returns (applied, the unsaved SubscriberEvent, the fields to save). Shared by the one-event
    path above and the inbox's batches (newsletter.services.webhook_inbox), so both decide alike.
    """
    if status in sync.GONE and sync.mailchimp_is_newer(at, sub.status_changed_at, status):
        # Leaving in the same second as our last change: Mailchimp's whole-second clock makes it
        # a tie, and leaving wins the tie.
        at = max(at, sub.status_changed_at)
    previous = sub.status
    applied = sub.transition(status, at=at, reason=reason, push=False)
    changed = ["status", "status_changed_at", "cleaned_reason"] if applied else []
    if not applied and sub.status == status and sub.status_changed_at < at:
        # Same status reported again, later: it held until then, so an opposite event older
        # than this one (arriving late) must lose.
        sub.status_changed_at = at
        changed.append("status_changed_at")
    changed = touched(sub, changed + take_mailchimp_profile(sub, at, merges(fields)))
    record = SubscriberEvent(
        subscriber=sub,
        from_status=previous,
        to_status=status,
        source="mailchimp_webhook",
        occurred_at=at,
        applied=applied,
        detail=detail,
    )
    return applied, record, changed


def touched(sub: Subscriber, changed: list[str]) -> list[str]:
    """`changed` plus updated_at, set now, if anything changed (saves that bypass save()'s
    auto_now need it set by hand)."""
    if not changed:
        return []
    sub.updated_at = timezone.now()
    return [*changed, "updated_at"]


def take_mailchimp_profile(sub: Subscriber, at: datetime, names: dict) -> list[str]:
    """Take Mailchimp's profile onto a locked `sub` if this event is the newest seen from it;
    returns the fields to save."""
    if sub.mailchimp_last_changed is not None and sub.mailchimp_last_changed > at:
        return []
    sub.mailchimp_last_changed = at
    for attr, value in names.items():
        setattr(sub, attr, value)
    return ["mailchimp_last_changed", *names]


def create_from_event(email, status, at, fields, detail, reason="") -> bool:
    """A member we did not know. Kept even when they left, so no import can sign them up again."""
    sub = Subscriber(
        email=email,
        status=status,
        status_changed_at=at,
        cleaned_reason=reason,
        source=Subscriber.Source.MAILCHIMP,
        mailchimp_last_changed=at,
        **merges(fields),
    )
    if status == Status.SUBSCRIBED:
        sub.confirmed_at = at
        sub.confirm_ip = valid_ip(fields.get("data[ip_opt]"))
        sub.signup_ip = valid_ip(fields.get("data[ip_signup]"))
    # False if created concurrently (a duplicate delivery): the caller applies it as an update.
    return save_new(sub, source="mailchimp_webhook", detail=detail)


def save_new(sub: Subscriber, *, source: str, detail: dict) -> bool:
    """Save a subscriber we did not know, with the event that made them; False if the address
    was created concurrently (nothing saved)."""
    try:
        with transaction.atomic():
            sub.save()
            SubscriberEvent.objects.create(
                subscriber=sub,
                to_status=sub.status,
                source=source,
                occurred_at=sub.status_changed_at,
                detail={**detail, "created": True},
            )
    except IntegrityError:
        return False
    return True


def valid_ip(value) -> str | None:
    from ipaddress import ip_address

    try:
        return str(ip_address(str(value or "").strip()))
    except ValueError:
        return None


def update_profile(email: str, fields: dict, at: datetime) -> str:
    with transaction.atomic(savepoint=False):
        sub = Subscriber.objects.select_for_update().by_email(email)
        if sub is None:
            return "unknown"  # the pull brings in members we do not have, with their status
        changed = touched(sub, take_mailchimp_profile(sub, at, merges(fields)))
        if not changed:
            return "ignored"
        sub.save(update_fields=changed)
    return "applied"


def change_email(fields: dict, at: datetime, detail: dict) -> str:
    old = clean_email(fields.get("data[old_email]"))
    new = clean_email(fields.get("data[new_email]"))
    detail.update(old_email_changed=True)
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().by_email(old)
        if sub is None:
            renaming = Subscriber.objects.select_for_update().filter(mailchimp_email=old).first()
            if renaming is not None:
                return member_renamed(renaming, old, new, at, detail)
            # Applied before, or never known.
            return "ignored" if Subscriber.objects.by_email(new) else "unknown"
        # The status stays: the log records the address change (or why it was refused).
        log = SubscriberEvent(
            subscriber=sub,
            from_status=sub.status,
            to_status=sub.status,
            source="mailchimp_webhook",
            occurred_at=at,
            detail=detail,
        )
        if Subscriber.objects.with_emails([new]).exclude(pk=sub.pk).exists():
            # Both addresses exist here: keep both, and say so in the log.
            log.applied = False
            log.detail = {**detail, "conflict": "new address already a subscriber"}
            log.save()
            return "conflict"
        Subscriber.objects.filter(pk=sub.pk).update(
            email=new,
            token_nonce="",
            link_nonce=new_nonce(),  # links signed for the old address stop working
            mailchimp_email="",  # Mailchimp's member has the new address already
            # Erasure removes whatever Mailchimp may still hold for the old one too.
            former_emails=[*(a for a in sub.former_emails if a != old), old],
            mailchimp_last_changed=at,
            updated_at=timezone.now(),
        )
        log.save()
    return "applied"


def member_renamed(sub: Subscriber, old: str, new: str, at: datetime, detail: dict) -> str:
    """Mailchimp renamed the member `sub` is still called there (`mailchimp_email`: our own
    address change has not reached Mailchimp yet). Our push must now move the member by its new
    name, or it would create a second member and leave this one subscribed."""
    if new != sub.email and Subscriber.objects.with_emails([new]).exclude(pk=sub.pk).exists():
        # The new name is someone else's subscription here: our push moves nothing of theirs.
        SubscriberEvent.objects.create(
            subscriber=sub,
            from_status=sub.status,
            to_status=sub.status,
            source="mailchimp_webhook",
            occurred_at=at,
            applied=False,
            detail={**detail, "conflict": "new address already a subscriber"},
        )
        return "conflict"
    former = [a for a in sub.former_emails if a not in (old, new)]
    Subscriber.objects.filter(pk=sub.pk).update(
        mailchimp_email="" if new == sub.email else new,
        # Erasure removes whatever Mailchimp may hold under either name.
        former_emails=[*former, old] + ([new] if new != sub.email else []),
        mailchimp_last_changed=at,
        mailchimp_needs_push=True,
        updated_at=timezone.now(),
    )
    SubscriberEvent.objects.create(
        subscriber=sub,
        from_status=sub.status,
        to_status=sub.status,
        source="mailchimp_webhook",
        occurred_at=at,
        detail={**detail, "mailchimp_member_renamed": True},
    )
    if new != sub.email:
        audience_sync.schedule_push(sub)
    return "applied"


def campaign_sent(fields: dict, at: datetime) -> str:
    campaign_id = fields["data[id]"]  # present: check_mailchimp_event() requires it
    mailchimp_campaign_event.send(
        sender=Subscriber,
        campaign_id=campaign_id[:50],
        subject=fields.get("data[subject]", "")[:300],
        status=fields.get("data[status]", "")[:50],
        reason=fields.get("data[reason]", "")[:300],
        fired_at=at,
    )
    return "noted"


# --- anymail tracking (the mail we send ourselves) ----------------------------------------------


def delivery_id(event, esp_event: dict) -> str:
    """What identifies one tracking event across repeated deliveries. Mandrill has no event id:
    its `_id` is the message's, so the kind and time are added."""
    if event.event_id:
        value = str(event.event_id)
    elif not event.message_id:
        return ""
    else:
        kind = esp_event.get("event", event.event_type)
        value = f"{event.message_id}:{kind}:{esp_event.get('ts', '')}"
    # PostgreSQL cannot store or compare a NUL character (text or jsonb): never in a real id.
    return value.replace("\x00", "")[:200]


def apply_tracking_event(event, esp_name: str = "") -> str:
    """bounced (hard) → cleaned, complained → cleaned, unsubscribed → unsubscribed."""
    from anymail.signals import EventType

    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == EventType.BOUNCED:
        if esp_event.get("event") == "soft_bounce":
            return "soft_bounce"
        status, reason = Status.CLEANED, Subscriber.CleanedReason.HARD_BOUNCE
    elif event.event_type == EventType.COMPLAINED:
        status, reason = Status.CLEANED, Subscriber.CleanedReason.COMPLAINT
    elif event.event_type == EventType.UNSUBSCRIBED:
        status, reason = Status.UNSUBSCRIBED, ""
    else:
        return "not_relevant"
    try:
        email = clean_email(event.recipient)
    except InvalidEvent:
        logger.warning("%s tracking event without a usable recipient", esp_name)
        return "invalid"
    event_id = delivery_id(event, esp_event)
    if (
        event_id
        and SubscriberEvent.objects.filter(source="anymail", detail__event_id=event_id).exists()
    ):
        return "duplicate"
    # Never later than now: a status "changed in the future" would make every later change,
    # a fresh sign-up included, look older and be ignored.
    at = min(event.timestamp or timezone.now(), timezone.now())
    detail = {"event_id": event_id, "event_type": event.event_type, "esp": esp_name}
    sub = Subscriber.objects.by_email(email)
    if sub is None and tombstones.is_buried(email):
        return "erased"
    if sub is None:
        if reason == Subscriber.CleanedReason.HARD_BOUNCE:
            return "unknown"  # nobody to protect: the address does not exist
        # Someone who complained or left without being a subscriber here: remember them, so
        # no import or sync can sign them up.
        sub = Subscriber(email=email, status=status, status_changed_at=at, cleaned_reason=reason)
        if save_new(sub, source="anymail", detail=detail):
            audience_sync.schedule_push(sub)
            return "created"
        sub = Subscriber.objects.by_email(email)
    applied = sub.change_status(status, source="anymail", at=at, reason=reason, detail=detail)
    if applied:
        # Mailchimp must stop mailing them too.
        audience_sync.schedule_push(sub)
    return "applied" if applied else "ignored"
