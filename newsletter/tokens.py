"""Signed links and form stamps for subscribers (django.core.signing, one salt per purpose).

- confirm: expires (NEWSLETTER_CONFIRM_MAX_AGE, 3 days) and works once: it carries the
  subscriber's token_nonce, which is rotated when the confirmation is used.
- unsubscribe: long-lived and reusable (RFC 8058 one-click links in mail that may be old).
- preferences: expires (NEWSLETTER_PREFERENCES_MAX_AGE, 180 days), reusable.
- address change: sent to the new address, expires like confirm, and names the new address; it
  works while the subscriber still has the address (link_nonce) it was asked from, i.e. once.
- form stamp: the time a sign-up form was rendered, so bots that post too fast or replay an
  old form are rejected.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.subscriber.confirm"
UNSUBSCRIBE_SALT = "newsletter.subscriber.unsubscribe"
PREFERENCES_SALT = "newsletter.subscriber.preferences"
FORM_STAMP_SALT = "newsletter.signup.form-stamp"
ADDRESS_CHANGE_SALT = "newsletter.subscriber.address-change"

TOKEN_MAX_LENGTH = 400
# An address-change link carries the new address (up to 254 characters) as well.
ADDRESS_CHANGE_TOKEN_MAX_LENGTH = 800


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
    # The address an address-change link moves the subscription to.
    new_email: str = ""

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


def _loads(token: str, salt: str, max_age: int | None, max_length: int = TOKEN_MAX_LENGTH) -> dict:
    if not token or len(token) > max_length:
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


def make_address_change_token(subscriber, new_email: str) -> str:
    return _dumps(_payload(subscriber, e=new_email), ADDRESS_CHANGE_SALT)


def read_address_change_token(token: str) -> TokenData:
    payload = _loads(token, ADDRESS_CHANGE_SALT, confirm_max_age(), ADDRESS_CHANGE_TOKEN_MAX_LENGTH)
    new_email = payload.get("e")
    if not isinstance(new_email, str) or "@" not in new_email:
        raise TokenError("invalid")
    return TokenData(payload["s"], address=_address(payload), new_email=new_email)


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
