"""Signed links and form stamps for subscribers (django.core.signing, one salt per purpose).

- confirm: expires (NEWSLETTER_CONFIRM_MAX_AGE, 3 days) and works once: it carries the
  subscriber's token_nonce, which is rotated when the confirmation is used.
- unsubscribe: long-lived and reusable (RFC 8058 one-click links in mail that may be old).
- preferences: expires (NEWSLETTER_PREFERENCES_MAX_AGE, 180 days), reusable.
- address change: not signed data but an opaque random token; the request it stands for (new
  address, expiry, use) is a PendingAddressChange row holding only the token's hash, so the new
  address is never in a URL (logs, mail scanners).
- form stamp: the time a sign-up form was rendered, so bots that post too fast or replay an
  old form are rejected.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.subscriber.confirm"
UNSUBSCRIBE_SALT = "newsletter.subscriber.unsubscribe"
PREFERENCES_SALT = "newsletter.subscriber.preferences"
FORM_STAMP_SALT = "newsletter.signup.form-stamp"


def confirm_max_age() -> int:
    return getattr(settings, "NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600)


def preferences_max_age() -> int:
    return getattr(settings, "NEWSLETTER_PREFERENCES_MAX_AGE", 180 * 24 * 3600)


def new_nonce() -> str:
    return secrets.token_hex(8)


class TokenError(Exception):
    """A link that cannot be used; `reason` is "expired" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class TokenData:
    subscriber_id: int
    nonce: str = ""
    # The subscriber's link_nonce when the link was made (None: a link from before links carried
    # it). A link only works for the address it was made for.
    address: str | None = None

    def matches_address(self, subscriber) -> bool:
        if self.address is None:
            return not subscriber.link_nonce
        return bool(subscriber.link_nonce) and self.address == subscriber.link_nonce


def _payload(subscriber, **extra) -> dict:
    payload = {"s": subscriber.pk, **extra}
    address = getattr(subscriber, "link_nonce", "")
    if address:
        payload["a"] = address
    return payload


def _address(payload: dict) -> str | None:
    value = payload.get("a")
    return str(value) if value is not None else None


def _dumps(payload: dict, salt: str) -> str:
    return signing.dumps(payload, salt=salt, compress=False)


def _loads(token: str, salt: str, max_age: int | None) -> dict:
    if not token or len(token) > 400:
        raise TokenError("invalid")
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenError("expired") from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise TokenError("invalid") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise TokenError("invalid")
    return payload


def make_confirm_token(subscriber) -> str:
    return _dumps(_payload(subscriber, n=subscriber.token_nonce), CONFIRM_SALT)


def read_confirm_token(token: str) -> TokenData:
    payload = _loads(token, CONFIRM_SALT, confirm_max_age())
    return TokenData(payload["s"], str(payload.get("n", "")), _address(payload))


def make_unsubscribe_token(subscriber) -> str:
    return _dumps(_payload(subscriber), UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> TokenData:
    payload = _loads(token, UNSUBSCRIBE_SALT, None)
    return TokenData(payload["s"], address=_address(payload))


def make_preferences_token(subscriber) -> str:
    return _dumps(_payload(subscriber), PREFERENCES_SALT)


def read_preferences_token(token: str) -> TokenData:
    payload = _loads(token, PREFERENCES_SALT, preferences_max_age())
    return TokenData(payload["s"], address=_address(payload))


# token_urlsafe(32): 43 characters of [A-Za-z0-9_-], 256 random bits.
ADDRESS_CHANGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_address_change_token() -> tuple[str, str]:
    """(token for the link, its hash for the database)."""
    token = secrets.token_urlsafe(32)
    return token, address_change_token_hash(token)


def address_change_token_hash(token: str) -> str:
    """The hash to look the token up by; raises TokenError("invalid") if it is not one of ours.
    A plain SHA-256 is enough: the token is random, so there is nothing to guess from it."""
    if not isinstance(token, str) or not ADDRESS_CHANGE_TOKEN.fullmatch(token):
        raise TokenError("invalid")
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def make_form_stamp(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=FORM_STAMP_SALT)


def form_stamp_age(stamp: str, now: float | None = None) -> float:
    """Seconds since the form was rendered; raises TokenError if the stamp is not ours."""
    try:
        issued = signing.loads(stamp or "", salt=FORM_STAMP_SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise TokenError("invalid") from exc
    if not isinstance(issued, int):
        raise TokenError("invalid")
    return (now if now is not None else time.time()) - issued
