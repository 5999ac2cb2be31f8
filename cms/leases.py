"""Leases: a lock on a database row that works on SQLite and PostgreSQL and survives a crash.

`acquire(name, holder, ttl)` is one conditional UPDATE — take the lease if it is free or expired,
or renew it if `holder` has it — so two processes on two machines can never both get it: the
database serialises the two UPDATEs and the second sees the first one's row. Times are the
database's clock (`Now()`), so the machines' clocks need not agree. The holder renews it well
before `ttl` runs out; if the holder dies, the lease expires and another process takes it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now

from cms.models import Lease


def this_process() -> str:
    """A holder name, `host/random:pid`, that says where the process runs and is never another's:
    two containers on one host network share the host name and both run as pid 1, so a random
    part tells them apart (each call names a new holder: call it once per process)."""
    return f"{socket.gethostname()}/{secrets.token_hex(4)}:{os.getpid()}"


def _now_plus(seconds: float):
    return ExpressionWrapper(
        Now() + Value(dt.timedelta(seconds=seconds)), output_field=DateTimeField()
    )


def acquire(name: str, holder: str, ttl: float) -> bool:
    """Take or renew the lease `name` for `ttl` seconds; True if `holder` has it now."""
    if not Lease.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Lease.objects.create(
                    name=name, holder="", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
                )
        except IntegrityError:  # another process created it first
            pass
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(holder="") | Q(expires_at__lt=Now()))
        .update(holder=holder, expires_at=_now_plus(ttl))
    )
    return taken == 1


def release(name: str, holder: str) -> None:
    """Give the lease up at once (if `holder` has it): free for the next `acquire`."""
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=Now())
