"""Fixed-window rate limits in the cache (shared by every process: database cache or Redis).

Sign-ups are limited per IP address (bots) and per email address (subscription bombing: nobody
can make us send one person a stream of confirmation mails).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

# name: (requests allowed, window in seconds); override with settings.NEWSLETTER_RATE_LIMITS.
DEFAULT_LIMITS = {
    "signup_ip": (10, 3600),
    "signup_email": (3, 24 * 3600),
    "token_ip": (60, 600),
}


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
        return allowed >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    return count <= allowed


def client_ip(request) -> str:
    """The client's address. Behind a proxy, set NEWSLETTER_TRUSTED_PROXY_HEADER (e.g.
    "HTTP_X_REAL_IP") so the limit applies to the visitor, not the proxy."""
    header = getattr(settings, "NEWSLETTER_TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]
