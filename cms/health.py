"""`GET /healthz`: is this web node fit to serve? For load balancers and monitoring.

Answered by a middleware that comes first, before anything else sees the request:
- no host check (a load balancer probes the node by its address, which ALLOWED_HOSTS does not
  list), no HTTPS redirect (probes often come over plain HTTP on the private network), no session,
  no page cache; the answer is `Cache-Control: no-store` and holds no personal data — only
  whether the parts answer and how many tasks wait;
- 200 when the database answers; 503 when it does not (the node cannot serve pages);
- a cache (Redis) that does not answer makes the status "degraded" but still 200: every node
  shares it, so taking them all out of the load balancer would not help anyone.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

PATH = "/healthz"


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # any failure to reach the database is "down"
        logger.warning("healthz: the database does not answer", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        return False


def _cache() -> bool:
    try:
        probe = getattr(cache, "probe", None)  # cms.cache: asks Redis even while it is paused
        if probe is not None:
            probe()
        else:
            cache.get("healthz:probe")  # a read: a probe writes nothing
        return True
    except Exception:
        logger.warning("healthz: the cache does not answer", exc_info=True)
        return False


def _queue() -> dict | None:
    """Tasks waiting in the database queue, and how long the oldest has waited (seconds)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    now = timezone.now()
    ready = DBTaskResult.objects.ready()  # waiting and due (not scheduled for later)
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "ready": ready.count(),
        "oldest_ready_seconds": round((now - oldest).total_seconds()) if oldest else 0,
    }


def health() -> tuple[int, dict]:
    database = _database()
    cache_ok = _cache()
    body = {
        "status": "ok" if database and cache_ok else ("degraded" if database else "down"),
        "database": "ok" if database else "error",
        "cache": "ok" if cache_ok else "error",
        "queue": _queue() if database else None,
    }
    return (200 if database else 503), body


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before the rest of the stack (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        status, body = health()
        response = JsonResponse(body, status=status)
        add_never_cache_headers(response)
        return response
