"""Rate limit for anonymous API clients: a fixed window per client address, in the cache
(shared by every process). Far above what a frontend's server-side rendering or a browser
needs; a build that fetches everything at once runs from an address in API_RATE_LIMIT_EXEMPT.

Kept apart from the newsletter's sign-up limits (its own keys and settings); only the rule for
finding the client's address behind a proxy is shared.
"""

from __future__ import annotations

import ipaddress
import time

from rest_framework.throttling import BaseThrottle

from django.conf import settings
from django.core.cache import cache

from newsletter.ratelimit import client_ip

# (requests allowed, window in seconds) per client address.
DEFAULT_LIMIT = (600, 60)


def limit() -> tuple[int, int]:
    allowed, window = getattr(settings, "API_RATE_LIMIT", DEFAULT_LIMIT)
    return int(allowed), int(window)


def _exempt(ip: str) -> bool:
    networks = getattr(settings, "API_RATE_LIMIT_EXEMPT", [])
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


class AnonymousRateThrottle(BaseThrottle):
    """DRF answers 429 with `Retry-After` (the seconds until the window ends) when this says no."""

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        allowed, window = limit()
        if allowed <= 0:
            return True
        ip = client_ip(request._request if hasattr(request, "_request") else request)
        if _exempt(ip):
            return True
        now = time.time()
        slot = int(now // window)
        self._wait = (slot + 1) * window - now
        key = f"api-rl:{ip}:{slot}"
        if cache.add(key, 1, timeout=window + 5):
            return allowed >= 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
        return count <= allowed

    def wait(self) -> float:
        return max(1.0, getattr(self, "_wait", 1.0))
