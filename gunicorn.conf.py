"""gunicorn settings for the web nodes, as `benchmarks/bench_http.py` measures them.

    gunicorn cms.wsgi:application        # reads this file from the working directory

Two sync workers per node (this 2-core machine; about one per core): a page the page cache holds
costs a few file reads (or a Redis round trip), an uncached one a few milliseconds of rendering,
so sync workers are not waiting on I/O long enough for threads to pay off; WhiteNoise serves the
static files from the same workers. The app is loaded before forking (shared memory, faster
restarts), with the URLs, translations and the site's templates made ready in the master
(`cms.warmup`), so a fresh worker's first pages cost no more than its later ones; a worker is
replaced after a few thousand requests to keep its memory (RSS) flat — the bench checks it
stays under 150 MB.

The access log (GUNICORN_ACCESS_LOG, or --access-logfile) records the path without its query
string, so secrets in query strings (the Mailchimp webhook's ?key=) never reach it; the logger
class redacts key=/secret=/token= values anywhere as a second line of defence.
"""

import ctypes
import os

M_MMAP_THRESHOLD = -3


def _fixed_mmap_threshold(size: int = 128 * 1024) -> None:
    """Blocks of 128 kB and more (decoded pictures while a worker makes image renditions) come
    from mmap and go back to the system when freed. glibc otherwise raises that threshold after
    the first large block is freed and keeps later ones in its heap: a worker that made a few
    renditions stayed about 30 MB larger for the rest of its life (measured: +35 MB → +7 MB).
    Set here, in the master before it forks, so every worker inherits it; skipped when the
    operator set MALLOC_MMAP_THRESHOLD_ or the C library is not glibc."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_MMAP_THRESHOLD, size)


_fixed_mmap_threshold()

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
threads = 1
preload_app = True
max_requests = 5000
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
# Behind a load balancer or Varnish on the same network: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
logger_class = "cms.logredact.RedactingGunicornLogger"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)


def when_ready(server):
    from cms.warmup import warm_up

    server.log.info("warmed up: %d templates compiled before forking", warm_up())
