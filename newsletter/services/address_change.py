"""A subscriber changes their own address from the preferences page.

Asking changes nothing yet: the new address gets a link that proves it belongs to the person
(and is their consent to get the newsletter there), and the old address gets a notice, so a
leaked preferences link cannot quietly move someone's subscription. Following the link changes
the address through save_profile, the admin edit's path: the row is read under lock, only the
address is written (a status that changed meanwhile survives), the same Mailchimp member is
renamed by the outbox push, and every link made for the old address stops working.

The new address is personal data nobody has proven yet: it is kept only in a
PendingAddressChange row (never in the link, never in a task's arguments, which django-tasks
stores). The link carries a random token whose hash alone is stored; the mail task gets the
row's id. Erasure deletes the rows with the subscriber; the periodic webhook drain purges rows
whose link has expired (used rows hold the subscriber's current address, superseded ones none).

Decisions:
- A new address that another subscriber already has (in any status) is not revealed when asked:
  the answer and the notice are the same, only the link is not sent. Following a link whose
  address was taken since is refused (the person has then shown the mailbox is theirs).
- A new address that was erased before may be used: the link, followed from that mailbox, is
  the person's fresh consent, as a sign-up through the form is, and lifts the tombstone.
- Only a subscribed person can change the address; a link followed after they left changes
  nothing (it never subscribes anyone again).
- Only the newest request works: asking again supersedes older ones (their address is blanked
  at once and their links answer 410).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter import emails, tokens
from newsletter.models.subscribers import (
    PendingAddressChange,
    Subscriber,
    SubscriberEvent,
    normalise_email,
)
from newsletter.services import tombstones
from newsletter.services.subscribers import save_profile

Status = Subscriber.Status


def request_address_change(sub: Subscriber, new_email: str) -> str:
    """Mail a confirmation link to `new_email` (already cleaned with clean_address) and a
    notice to the current address. Returns "sent", "same" (already the address) or "inactive"
    (not subscribed). "sent" is also the answer when another subscriber has the address."""
    new_email = normalise_email(new_email)
    with transaction.atomic():
        # Locked: two requests at once supersede each other in order, one stays open.
        current = Subscriber.objects.select_for_update().get(pk=sub.pk)
        if current.status != Status.SUBSCRIBED:
            return "inactive"
        if new_email == current.email:
            return "same"
        taken = Subscriber.objects.with_emails([new_email]).exclude(pk=current.pk).exists()
        now = timezone.now()
        supersede(current, now)
        change = PendingAddressChange.objects.create(
            subscriber=current,
            new_email=new_email,
            link_nonce=current.link_nonce,
            created_at=now,
            expires_at=now + timedelta(seconds=tokens.confirm_max_age()),
        )
        SubscriberEvent.objects.create(
            subscriber=current,
            from_status=current.status,
            to_status=current.status,
            source="preferences",
            applied=False,
            detail={"address_change_requested": True},
        )
        if not taken:
            emails.schedule(current, "address_change_confirm", pending_change_id=change.pk)
        emails.schedule(current, "address_change_notice", pending_change_id=change.pk)
    return "sent"


def supersede(sub: Subscriber, now=None) -> int:
    """Close the subscriber's open requests: their links stop working and their address goes."""
    return PendingAddressChange.objects.filter(
        subscriber=sub, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now or timezone.now(), new_email="")


def find(token: str) -> PendingAddressChange | None:
    """The request a link's token stands for (None: unknown, e.g. purged after expiry or erased).
    Raises tokens.TokenError("invalid") for something that is not a token of ours."""
    token_hash = tokens.address_change_token_hash(token)
    return (
        PendingAddressChange.objects.select_related("subscriber")
        .filter(token_hash=token_hash)
        .first()
    )


def address_change_state(change: PendingAddressChange, sub: Subscriber) -> str:
    """What following the link would do now, without doing it: "ask", "already" (done),
    "superseded" (a newer request), "expired", "moved" (the subscriber's address changed since
    it was asked), "left" or "taken"."""
    if change.new_email and sub.email == change.new_email:
        return "already"
    if change.superseded_at is not None:
        return "superseded"
    if change.used_at is not None:
        return "moved"  # used, and the address has changed again since
    if change.expires_at <= timezone.now():
        return "expired"
    if change.link_nonce != sub.link_nonce:
        return "moved"
    if sub.status != Status.SUBSCRIBED:
        return "left"
    if Subscriber.objects.with_emails([change.new_email]).exclude(pk=sub.pk).exists():
        return "taken"
    return "ask"


def confirm_address_change(change: PendingAddressChange) -> str:
    """Follow an address-change link: "changed", or why not (see address_change_state;
    "unknown" if the subscriber or the request was deleted meanwhile)."""
    try:
        with transaction.atomic():
            # Under lock: an unsubscribe (or a newer request) that committed first is seen
            # here; one that comes later waits for this and then applies to the new address.
            current = Subscriber.objects.select_for_update().filter(pk=change.subscriber_id).first()
            locked = PendingAddressChange.objects.select_for_update().filter(pk=change.pk).first()
            if current is None or locked is None:
                return "unknown"
            state = address_change_state(locked, current)
            if state != "ask":
                return state
            tombstones.lift(locked.new_email)
            save_profile(current, {"email": locked.new_email}, source="address_change")
            locked.used_at = timezone.now()
            locked.save(update_fields=["used_at"])
    except IntegrityError:
        return "taken"  # someone signed up with the address between the check and the save
    change.refresh_from_db()
    return "changed"


def purge_expired(now=None) -> int:
    """Delete requests whose link has expired (used, superseded or never followed)."""
    purged, _ = PendingAddressChange.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return purged
