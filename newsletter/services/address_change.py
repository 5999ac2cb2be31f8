"""A subscriber changes their own address from the preferences page.

Asking changes nothing yet: the new address gets a link that proves it belongs to the person
(and is their consent to get the newsletter there), and the old address gets a notice, so a
leaked preferences link cannot quietly move someone's subscription. Following the link changes
the address through save_profile, the admin edit's path: the row is read under lock, only the
address is written (a status that changed meanwhile survives), the same Mailchimp member is
renamed by the outbox push, and every link made for the old address stops working.

Decisions:
- A new address that another subscriber already has (in any status) is not revealed when asked:
  the answer and the notice are the same, only the link is not sent. Following a link whose
  address was taken since is refused (the person has then shown the mailbox is theirs).
- A new address that was erased before may be used: the link, followed from that mailbox, is
  the person's fresh consent, as a sign-up through the form is, and lifts the tombstone.
- Only a subscribed person can change the address; a link followed after they left changes
  nothing (it never subscribes anyone again).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from newsletter import emails
from newsletter.models.subscribers import Subscriber, SubscriberEvent, normalise_email
from newsletter.services import tombstones
from newsletter.services.subscribers import save_profile
from newsletter.tokens import TokenData

Status = Subscriber.Status


def request_address_change(sub: Subscriber, new_email: str) -> str:
    """Mail a confirmation link to `new_email` (already cleaned with clean_address) and a
    notice to the current address. Returns "sent", "same" (already the address) or "inactive"
    (not subscribed). "sent" is also the answer when another subscriber has the address."""
    new_email = normalise_email(new_email)
    with transaction.atomic():
        current = Subscriber.objects.get(pk=sub.pk)
        if current.status != Status.SUBSCRIBED:
            return "inactive"
        if new_email == current.email:
            return "same"
        taken = Subscriber.objects.with_emails([new_email]).exclude(pk=current.pk).exists()
        SubscriberEvent.objects.create(
            subscriber=current,
            from_status=current.status,
            to_status=current.status,
            source="preferences",
            applied=False,
            detail={"address_change_requested": True},
        )
        if not taken:
            emails.schedule(current, "address_change_confirm", new_email=new_email)
        emails.schedule(current, "address_change_notice", new_email=new_email)
    return "sent"


def address_change_state(sub: Subscriber, data: TokenData) -> str:
    """What following the link would do now, without doing it: "ask", "already" (done),
    "moved" (used or superseded: the subscriber's address changed since), "left" or "taken"."""
    new_email = normalise_email(data.new_email)
    if sub.email == new_email:
        return "already"
    if not data.matches_address(sub):
        return "moved"
    if sub.status != Status.SUBSCRIBED:
        return "left"
    if Subscriber.objects.with_emails([new_email]).exclude(pk=sub.pk).exists():
        return "taken"
    return "ask"


def confirm_address_change(sub: Subscriber, data: TokenData) -> str:
    """Follow an address-change link: "changed", or why not (see address_change_state)."""
    new_email = normalise_email(data.new_email)
    try:
        with transaction.atomic():
            # Under lock: an unsubscribe that committed first is seen here; one that comes
            # later waits for this and then applies to the new address.
            current = Subscriber.objects.select_for_update().get(pk=sub.pk)
            state = address_change_state(current, data)
            if state != "ask":
                return state
            tombstones.lift(new_email)
            save_profile(current, {"email": new_email}, source="address_change")
    except IntegrityError:
        return "taken"  # someone signed up with the address between the check and the save
    sub.refresh_from_db()
    return "changed"
