"""Mailchimp audience webhook throughput over real HTTP, as production runs it.

    .venv/bin/python benchmarks/bench_webhooks.py [--events 3000] [--clients 8] [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless --database-url is given; a PostgreSQL
URL names a database that is dropped and created), with 2,000 subscribers. Runs the production
settings under gunicorn (--workers 2 --threads 4, as the README advises) and one `db_worker`, and
posts N form-encoded events (unsubscribe, subscribe, profile, cleaned, 10% delivered twice) from a
separate client process with keep-alive connections. Reports two rates, both with the target of
at least 300 events/s:

  accepted  events answered 200 per second (the webhook stores each event; Mailchimp waits on this)
  applied   events applied to the subscribers per second, from the first request until the
            worker has emptied the inbox (what "sustains" means: no backlog builds up)
"""

import argparse
import http.client
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from benchsetup import ROOT, drop_postgres_database, fresh_postgres_database

TARGET = 300
SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway database's secret
AUDIENCE = "benchaudience"
PATH = f"/newsletter/webhooks/mailchimp/?key={SECRET}"
SUBSCRIBERS = 2000
BIN = Path(sys.executable).parent


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
            "data[list_id]": AUDIENCE,
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


def production_environment(database_url: str, workdir: Path) -> dict:
    """Production settings, served over plain HTTP on 127.0.0.1, Mailchimp unconfigured."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=database_url,
        SMAKOM_VAR_DIR=str(workdir),
        SECRET_KEY="bench-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        MAILCHIMP_WEBHOOK_SECRET=SECRET,
        MAILCHIMP_AUDIENCE_ID=AUDIENCE,
        MAILCHIMP_API_KEY="",
        LOG_LEVEL="ERROR",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgres://…/NAME: database NAME is dropped and created (default: temporary SQLite)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    pg_name = None
    if args.database_url:
        pg_name = args.database_url.rsplit("/", 1)[1]
        database_url = fresh_postgres_database(pg_name)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = production_environment(database_url, workdir)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from newsletter.models import MailchimpWebhookEvent, Subscriber, SubscriberEvent
    from newsletter.services import webhook_inbox

    call_command("migrate", verbosity=0)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"person{i}@example.se", status="subscribed", status_changed_at=long_ago)
        for i in range(SUBSCRIBERS)
    )
    connections.close_all()
    bodies = build_events(args.events)

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own executables
        [
            str(BIN / "gunicorn"),
            "cms.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(  # noqa: S603
        [str(BIN / "python"), "manage.py", "db_worker", "--interval=0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(port, server)
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=client_process, args=(port, bodies, args.clients, child))
        began = time.perf_counter()
        process.start()
        elapsed, statuses, latencies = parent.recv()
        process.join()
        # Until the worker has applied everything that was accepted.
        while webhook_inbox.waiting().exists():
            time.sleep(0.05)
        applied_after = time.perf_counter() - began
    finally:
        for proc in (server, worker):
            proc.terminate()
            proc.wait(timeout=30)

    accepted = len(statuses) / elapsed
    applied = len(statuses) / applied_after
    latencies.sort()
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    failed = MailchimpWebhookEvent.objects.filter(processed_at__isnull=True).count()
    engine = "PostgreSQL" if pg_name else "SQLite"
    print(
        f"{len(statuses):,} events, {args.clients} clients, gunicorn {args.workers}×"
        f"{args.threads} + 1 db_worker, {engine}, {os.cpu_count()} CPUs"
    )
    print(f"accepted: {elapsed:.2f} s, {accepted:,.0f} events/s (target ≥ {TARGET})")
    print(f"applied:  {applied_after:.2f} s, {applied:,.0f} events/s (target ≥ {TARGET})")
    print(
        f"latency ms: median {statistics.median(latencies):.1f}, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:.1f}, max {latencies[-1]:.1f}"
    )
    print(f"answers: {counts}")
    print(
        f"inbox: {MailchimpWebhookEvent.objects.count():,} stored (duplicates once), "
        f"{failed} not applied; subscribers unsubscribed "
        f"{Subscriber.objects.filter(status='unsubscribed').count():,}, cleaned "
        f"{Subscriber.objects.filter(status='cleaned').count():,}; events logged "
        f"{SubscriberEvent.objects.count():,}"
    )
    connections.close_all()
    if pg_name:
        drop_postgres_database(pg_name)
    ok = counts.get(200, 0) == len(statuses) and failed == 0 and min(accepted, applied) >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
