"""Erasure tombstones: an erased address is never recreated from data that predates the erasure.

A tombstone is a keyed hash (HMAC-SHA256) of the normalised address: it recognises the address
when it comes back (Mailchimp's pull, a waiting webhook event, a CSV import, a tracking event) but
cannot be turned back into it, nor matched against a list of addresses without the key. The key
is NEWSLETTER_TOMBSTONE_KEY, or one derived from SECRET_KEY (then rotating SECRET_KEY forgets the
tombstones: set the dedicated key in production). A fresh sign-up through the form is new
consent and lifts the tombstone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from newsletter.models import ErasureTombstone, normalise_email

DERIVATION_SALT = b"newsletter.erasure-tombstone"


def _key() -> bytes:
    key = getattr(settings, "NEWSLETTER_TOMBSTONE_KEY", "") or ""
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), DERIVATION_SALT, hashlib.sha256).digest()


def address_hash(email: str) -> str:
    return hmac.new(_key(), normalise_email(email).encode(), hashlib.sha256).hexdigest()


def bury(*emails: str) -> None:
    """Leave a tombstone for each address (idempotent)."""
    hashes = {address_hash(e) for e in emails if e}
    ErasureTombstone.objects.bulk_create(
        [ErasureTombstone(address_hash=h) for h in hashes], ignore_conflicts=True
    )


def buried(emails: Iterable[str]) -> set[str]:
    """The (normalised) addresses among `emails` that were erased."""
    by_hash = {address_hash(e): normalise_email(e) for e in emails if e}
    if not by_hash:
        return set()
    found = ErasureTombstone.objects.filter(address_hash__in=list(by_hash)).values_list(
        "address_hash", flat=True
    )
    return {by_hash[h] for h in found}


def is_buried(email: str) -> bool:
    return bool(buried([email]))


def lift(email: str) -> None:
    """New consent through the form: the address may be recorded again."""
    ErasureTombstone.objects.filter(address_hash=address_hash(email)).delete()
