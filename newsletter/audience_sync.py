"""Local → Mailchimp audience sync entry points, for views, admin and services.

    schedule_push(subscriber)  -> None   # flag for the outbox now; push after commit
    schedule_erasure(email)    -> None   # record the erasure now; delete-permanent after commit

Both write their durable record in the caller's transaction (so nothing is lost if Mailchimp is
down or the worker is stopped) and enqueue the network work only after commit.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import MailchimpErasure, Subscriber, normalise_email

logger = logging.getLogger(__name__)


def schedule_push(subscriber) -> None:
    # Bumping updated_at tells a push already in flight that there is something newer to send.
    Subscriber.objects.filter(pk=subscriber.pk).update(
        mailchimp_needs_push=True, updated_at=timezone.now()
    )
    subscriber.mailchimp_needs_push = True
    pk = subscriber.pk
    transaction.on_commit(lambda: _enqueue_push(pk))


def schedule_erasure(email: str) -> None:
    member_hash = subscriber_hash(normalise_email(email))
    # A new erasure of an address erased before (they signed up again): one an administrator
    # marked resolved then must not swallow this one; it starts afresh.
    MailchimpErasure.objects.update_or_create(
        member_hash=member_hash,
        create_defaults={},
        defaults={
            "attempts": 0,
            "last_error": "",
            "refused": False,
            "retry_at": None,
            "resolved_at": None,
            "resolved_by": "",
        },
    )
    transaction.on_commit(lambda: _enqueue_erasure(member_hash))


def _enqueue_push(pk: int) -> None:
    from newsletter.tasks.audience import push_subscriber

    try:
        push_subscriber.enqueue(pk)
    except Exception:
        # The flag is set: the outbox sweeper sends it.
        logger.exception("could not enqueue the push of subscriber %s", pk)


def _enqueue_erasure(member_hash: str) -> None:
    from newsletter.tasks.audience import erase_member

    try:
        erase_member.enqueue(member_hash)
    except Exception:
        logger.exception("could not enqueue the Mailchimp erasure of %s", member_hash)
