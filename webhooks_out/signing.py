"""The X-SmaKom-Signature header: `t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

A receiver recomputes the HMAC over the timestamp, a dot and the raw body with the endpoint's
secret, compares in constant time, and refuses timestamps older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-SmaKom-Signature"
TOLERANCE = 300  # seconds a receiver should accept


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, tolerance: int = TOLERANCE) -> bool:
    """What a receiver does (written here so the tests check the documented recipe)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
