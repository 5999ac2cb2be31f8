"""The visitor's IP address: the one rule for every use (sign-up, confirmation, consent evidence,
rate limits, admin login throttling).

Behind N reverse proxies (TRUSTED_PROXY_COUNT = N), each proxy appends the address it received the
request from to X-Forwarded-For, so the client is the N-th address from the right; everything to
the left of it was written by the client and proves nothing. Without proxies (N = 0) the header is
ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def parse_ip(value: str | None) -> str | None:
    """A normalised address from one header entry, or None when it is not an IP address.

    Accepts what proxies write: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1" and "[2001:db8::1]:443".
    """
    value = (value or "").strip().strip('"')
    if not value or len(value) > 64:
        return None
    if value.startswith("["):  # [IPv6]:port
        if "]" not in value:
            return None
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def trusted_proxy_count() -> int:
    try:
        return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))
    except (TypeError, ValueError):
        return 0


def client_ip(request) -> str | None:
    """The client's address, or None when there is no usable one. Never raises."""
    meta = request.META
    remote = parse_ip(meta.get("REMOTE_ADDR"))
    proxies = trusted_proxy_count()
    if not proxies:
        return remote
    entries = [e for e in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if e.strip()]
    if not entries:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones; the left-most entry was
    # still written by a proxy we trust.
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    return parse_ip(candidate) or remote


def rate_limit_key(ip: str | None) -> str:
    """What a per-IP limit counts: the address for IPv4, its /64 network for IPv6 (one household
    or office gets a whole /64 and can use any address in it)."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
