"""Mailchimp audience webhook throughput over real HTTP.

    .venv/bin/python benchmarks/bench_webhooks.py [--events 3000] [--clients 8] [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless --database-url is given, e.g.
postgres://postgres@127.0.0.1:5432/bench_webhooks, which must exist and may be emptied) with 2,000
subscribers, serves the Django app with werkzeug's threaded WSGI server (--workers 2: two pre-forked processes
sharing one socket, as gunicorn would run it; --workers 1: a thread in this process), and posts N
form-encoded events (unsubscribe, subscribe, profile, cleaned, with 10% duplicate deliveries) from
a separate client process with keep-alive connections, so the clients do not share our GIL.
Prints events/s and latency percentiles. Target: at least 300 events/s.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 300
SECRET = "test-webhook-secret"  # noqa: S105 - the test settings' secret
PATH = f"/newsletter/webhooks/mailchimp/?key={SECRET}"
SUBSCRIBERS = 2000


def build_events(n: int, seed: int = 300) -> list[bytes]:
    """N event bodies over SUBSCRIBERS addresses, fired_at increasing, 10% delivered twice."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(hours=6)
    bodies = []
    for i in range(n):
        if bodies and rng.random() < 0.1:
            bodies.append(rng.choice(bodies))  # a duplicate delivery
            continue
        email = f"person{rng.randrange(SUBSCRIBERS)}@example.se"
        kind = rng.choice(["unsubscribe", "subscribe", "profile", "unsubscribe", "cleaned"])
        fields = {
            "type": kind,
            "fired_at": (start + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"),
            "data[list_id]": "testaudience",
            "data[email]": email,
            "data[merges][EMAIL]": email,
            "data[merges][FNAME]": f"Namn{i}",
            "data[merges][LNAME]": "Svensson",
        }
        if kind == "unsubscribe":
            fields.update({"data[action]": "unsub", "data[reason]": "manual"})
        if kind == "cleaned":
            fields["data[reason]"] = "hard"
        bodies.append(urlencode(fields).encode())
    return bodies[:n]


def client_process(port: int, bodies: list[bytes], clients: int, conn) -> None:
    """Post every body with `clients` keep-alive connections; send back (elapsed, statuses, ms)."""
    chunks = [bodies[i::clients] for i in range(clients)]
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(chunk):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, times = [], []
        for body in chunk:
            began = time.perf_counter()
            connection.request(
                "POST",
                PATH,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - began) * 1000)
            mine.append(response.status)
        connection.close()
        with lock:
            statuses.extend(mine)
            latencies.extend(times)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conn.send((time.perf_counter() - started, statuses, latencies))


def setup_django(database_url: str | None, reuse_connections: bool = False) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("SMAKOM_VAR_DIR", str(workdir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django
    from django.conf import settings

    # The production task backend: work triggered by a request (e.g. Wagtail's reference index
    # on save) is queued in the database, not run inside the request as the test backend does.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "mailchimp"],
        }
    }
    if reuse_connections:
        # As in production (PostgreSQL, CONN_MAX_AGE=600): a connection per server thread, kept.
        # The SQLite default (0) opens one per request so the worker can share the file.
        settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=2, help="Server processes (1: a thread in this process)."
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--reuse-connections",
        action="store_true",
        help="Keep database connections between requests (production's setting for PostgreSQL).",
    )
    args = parser.parse_args()

    setup_django(args.database_url, args.reuse_connections)
    import io
    import logging

    from werkzeug.serving import make_server

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connections

    from newsletter.models import Subscriber, SubscriberEvent

    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    SubscriberEvent.objects.all().delete()
    Subscriber.objects.all().delete()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"person{i}@example.se", status="subscribed", status_changed_at=long_ago)
        for i in range(SUBSCRIBERS)
    )

    bodies = build_events(args.events)
    app = WSGIHandler()
    children = []
    if args.workers == 1:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
    else:
        # Pre-fork, as gunicorn does: one listening socket, W processes serving it (threaded).
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        connections.close_all()  # no database connection may cross a fork
        for _ in range(args.workers):
            pid = os.fork()
            if pid == 0:
                server = make_server("127.0.0.1", port, app, threaded=True, fd=listener.fileno())
                server.serve_forever()
                os._exit(0)
            children.append(pid)

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=client_process, args=(port, bodies, args.clients, child))
    process.start()
    elapsed, statuses, latencies = parent.recv()
    process.join()
    for pid in children:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)

    rate = len(statuses) / elapsed
    latencies.sort()
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    print(
        f"{len(statuses):,} events, {args.clients} clients, {args.workers} server process(es): "
        f"{elapsed:.2f} s, {rate:,.0f} events/s "
        f"(target ≥ {TARGET})"
    )
    print(
        f"latency ms: median {statistics.median(latencies):.1f}, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:.1f}, max {latencies[-1]:.1f}"
    )
    print(f"answers: {counts}")
    print(
        f"subscribers now: unsubscribed "
        f"{Subscriber.objects.filter(status='unsubscribed').count():,}, cleaned "
        f"{Subscriber.objects.filter(status='cleaned').count():,}; events logged "
        f"{SubscriberEvent.objects.count():,}"
    )
    ok = counts.get(200, 0) == len(statuses) and rate >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
