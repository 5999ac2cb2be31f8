"""The shared cache (Redis) fails open: when Redis does not answer, the site keeps serving.

Every public request reads the shared cache (the page cache, the per-process copies' version,
the API's rate limit), and publishing purges it. Django's `RedisCache` raises when Redis is
down, so an outage of the cache took every page, the API and every publish down with it while
`/healthz` still called the node fit ("degraded"). Here a cache that does not answer behaves as
an empty one that keeps nothing: reads miss, writes are dropped, `add` says "not added" and
`incr` "no such key" (so the rate limits let requests through): pages are rendered afresh,
slower, but served.

After a failure the cache is not asked again for `RETRY_AFTER` seconds (default 5) in this
process, so a Redis that hangs costs one request a timeout, not every request; the socket
timeouts (`socket_connect_timeout`, `socket_timeout` in OPTIONS) bound that one. `/healthz`
probes Redis itself (`probe`), whatever the pause, and reports the cache as "error" while it is
away. A purge dropped during an outage is logged; what Redis kept from before expires with its
timeout (`PAGE_CACHE_SECONDS`).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Per process and location: when Redis may be asked again (time.monotonic()).
_paused_until: dict[str, float] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _call(self, name, fallback, /, *args, **kwargs):
        if _paused_until.get(self._location, 0.0) > time.monotonic():
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception as error:  # redis' ConnectionError, TimeoutError, a dead pool...
            if not isinstance(error, _redis_errors()):
                raise
            _paused_until[self._location] = time.monotonic() + self.retry_after
            logger.warning(
                "cache: Redis does not answer (%s: %s); serving without it for %ss",
                name,
                error,
                self.retry_after,
            )
            return fallback

    def probe(self) -> None:
        """Ask Redis now (the health check), whatever the pause; raises if it does not answer."""
        super().get("healthz:probe")
        _paused_until.pop(self._location, None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        found = self._call("incr", missing, key, delta=delta, version=version)
        if found is missing:
            raise ValueError(f"Key '{key}' not found")  # as for a key that expired
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def clear(self):
        return self._call("clear", False)


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
