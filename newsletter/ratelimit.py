"""Fixed-window rate limits in the cache (shared by every process: database cache or Redis).

Sign-ups are limited so that nobody can use our form to bomb a mailbox, a domain or our sender
reputation with confirmation mails, while an office behind one NAT can still sign up together:

- per mailbox (its canonical address: "+tags", case and quoting do not give a new allowance),
- per domain and globally per hour (confirmation mails; tripping either warns on the dashboard),
- per IP address, generously (an office or a conference Wi-Fi shares one; IPv6 counts per /64).
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cms.clientip import client_ip, rate_limit_key

logger = logging.getLogger(__name__)

# name: (requests allowed, window in seconds); override with settings.NEWSLETTER_RATE_LIMITS.
DEFAULT_LIMITS = {
    "signup_ip": (60, 3600),
    "signup_email": (3, 24 * 3600),
    "signup_domain": (50, 3600),
    "signup_global": (300, 3600),
    "token_ip": (60, 600),
    # Address changes asked from one subscription's preferences page (each mails the old address
    # a notice and the new one a link; a leaked preferences link must not become a mail cannon).
    "address_change_subscriber": (3, 24 * 3600),
    # Wagtail's "forgot password" mails (cms.auth.PasswordResetThrottleMiddleware).
    "password_reset_ip": (10, 3600),
    "password_reset_email": (3, 3600),
}

# Limits whose tripping an editor should hear about (an attack on a domain or on us all).
WATCHED = ("signup_domain", "signup_global")
TRIPPED_KEY = "newsletter-rl:tripped:{name}"
TRIPPED_SHOWN_FOR = 24 * 3600


def limit_for(name: str) -> tuple[int, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "NEWSLETTER_RATE_LIMITS", {})}[name]


def _key(name: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"newsletter-rl:{name}:{digest}:{int(time.time() // window)}"


def hit(name: str, value: str) -> bool:
    """Count one request; False when the limit for this window is already used up."""
    allowed, window = limit_for(name)
    key = _key(name, value, window)
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
    if count <= allowed:
        return True
    if name in WATCHED and count == allowed + 1:
        _record_trip(name, value, allowed, window)
    return False


def _record_trip(name: str, value: str, allowed: int, window: int) -> None:
    logger.warning("Rate limit %s tripped (%s in %ss) for %s", name, allowed, window, value)
    cache.set(
        TRIPPED_KEY.format(name=name),
        {"at": timezone.now().isoformat(), "value": value, "allowed": allowed, "window": window},
        timeout=TRIPPED_SHOWN_FOR,
    )


def recent_trips() -> dict[str, dict]:
    """The watched limits that tripped in the last day: name -> what and when."""
    found = cache.get_many([TRIPPED_KEY.format(name=name) for name in WATCHED])
    return {
        name: found[TRIPPED_KEY.format(name=name)]
        for name in WATCHED
        if TRIPPED_KEY.format(name=name) in found
    }


def ip_key(request) -> str:
    """What the per-IP limits count for this request (IPv4 address or IPv6 /64)."""
    return rate_limit_key(client_ip(request))
