"""Audience reconcile at scale: 100,000 subscribers against the Mailchimp sandbox.

    .venv/bin/python benchmarks/bench_sync.py [--subscribers 100000] [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless --database-url is given, e.g.
postgres://postgres@127.0.0.1:5432/bench_sync, which must exist and may be emptied), starts the
Mailchimp sandbox in a child process (so its memory is not ours), and runs through the real
commands' code paths:

  1. push --full      N local subscribers, empty audience  (batch subscribe calls of 500)
  2. pull --full      the whole audience, all known locally  (pages of 1,000)
  3. pull --full      the whole audience into an empty local table (creates N records)
  4. pull             incremental, after 100 changes in Mailchimp

For each: wall time, Mailchimp API calls (counted from the sandbox's request log) and peak Python
memory of this process (tracemalloc). Target: each full reconcile at most 220 calls, and memory
that does not grow with N (compare --subscribers 20000 with 100000).
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_CALLS = 220


# --- the sandbox in a child process -------------------------------------------------------------


class SlimLog(list):
    """The sandbox's request log without request/response bodies (a 1,000-member page is large)."""

    def append(self, entry):
        entry.pop("response", None)
        entry.pop("body", None)
        super().append(entry)


def sandbox_process(conn) -> None:
    from mailchimp_sandbox.server import SandboxServer

    server = SandboxServer(audience_id="testaudience")
    server.state.requests = SlimLog()
    server.start()
    conn.send(server.api_url)
    while True:
        command = conn.recv()
        if command == "stop":
            server.stop()
            conn.send("stopped")
            return
        if command == "calls":
            log = list(server.requests)
            conn.send([(r.get("api"), r.get("method"), r.get("path")) for r in log])
        elif command == "clear":
            server.requests.clear()
            conn.send("cleared")
        elif isinstance(command, tuple) and command[0] == "touch":
            # Unsubscribe `count` subscribed members in Mailchimp, as people leaving would. Only
            # subscribed ones: every 20th member is unsubscribed already, and touching those
            # changes no status (the pull then rightly records fewer changes than were made).
            from mailchimp_sandbox.state import iso

            with server.state.lock:
                members = [
                    m
                    for m in server.state.members["testaudience"].values()
                    if m["status"] == "subscribed"
                ][: command[1]]
                for member in members:
                    member["status"] = "unsubscribed"
                    member["last_changed"] = iso()
            conn.send(len(members))


class Sandbox:
    def __init__(self):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=sandbox_process, args=(child,), daemon=True)
        self.process.start()
        self.api_url = self.conn.recv()

    def ask(self, command):
        self.conn.send(command)
        return self.conn.recv()

    def marketing_calls(self) -> list:
        return [c for c in self.ask("calls") if c[0] == "marketing"]

    def stop(self):
        self.ask("stop")
        self.process.join(timeout=10)


# --- Django ---------------------------------------------------------------------------------


def setup_django(database_url: str | None, api_url: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("SMAKOM_VAR_DIR", str(workdir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django
    from django.conf import settings

    settings.MAILCHIMP_API_URL = api_url
    django.setup()


def measure(label: str, sandbox: Sandbox, run) -> dict:
    sandbox.ask("clear")
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    summary = run()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    calls = sandbox.marketing_calls()
    by_kind = {}
    for _api, method, path in calls:
        kind = f"{method} {'/members' if path.endswith('/members') else path.split('/')[-1]}"
        by_kind[kind] = by_kind.get(kind, 0) + 1
    row = {
        "step": label,
        "seconds": elapsed,
        "calls": len(calls),
        "peak_mb": peak / 1e6,
        "processed": summary.processed,
        "counts": dict(summary.counts),
        "by_kind": by_kind,
    }
    print(
        f"{label:<34} {elapsed:7.1f} s  {len(calls):4d} calls  peak {peak / 1e6:6.1f} MB  "
        f"{summary.processed:,} members  {dict(summary.counts)}"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    n = args.subscribers

    sandbox = Sandbox()
    try:
        setup_django(args.database_url, sandbox.api_url)
        import io
        import logging

        from django.core.management import call_command

        from newsletter.models import Subscriber, SubscriberEvent
        from newsletter.services import sync

        logging.disable(logging.INFO)
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        Subscriber.objects.all().delete()

        print(f"creating {n:,} local subscribers …")
        batch = 5000
        for start in range(0, n, batch):
            Subscriber.objects.bulk_create(
                Subscriber(
                    email=f"person{i}@kommun{i % 290}.se",
                    first_name=f"Förnamn{i}",
                    last_name="Svensson",
                    organisation=f"Kommun {i % 290}",
                    status=Subscriber.Status.UNSUBSCRIBED if i % 20 == 0 else "subscribed",
                )
                for i in range(start, min(start + batch, n))
            )
        rows = [
            measure("1. push --full (empty audience)", sandbox, lambda: sync.push_all(full=True)),
            measure("2. pull --full (all known)", sandbox, lambda: sync.pull_changes(full=True)),
        ]
        SubscriberEvent.objects.all().delete()
        Subscriber.objects.all().delete()
        rows.append(
            measure("3. pull --full (empty table)", sandbox, lambda: sync.pull_changes(full=True))
        )
        time.sleep(1.1)  # Mailchimp's clock has whole seconds
        unsubscribed_before = Subscriber.objects.filter(status="unsubscribed").count()
        touched = sandbox.ask(("touch", 100))
        rows.append(measure("4. pull (incremental, 100 changed)", sandbox, sync.pull_changes))
        assert Subscriber.objects.count() == n
        # Every change made in Mailchimp arrived: none skipped at a second's boundary.
        assert rows[-1]["counts"].get("status_from_mailchimp") == touched == 100, rows[-1]
        unsubscribed = Subscriber.objects.filter(status="unsubscribed").count()
        assert unsubscribed == unsubscribed_before + touched
    finally:
        sandbox.stop()

    worst = max(r["calls"] for r in rows[:3])
    print(
        f"\nsubscribers {n:,}: at most {worst} Mailchimp calls per full reconcile "
        f"(target ≤ {MAX_CALLS}); peak memory {max(r['peak_mb'] for r in rows):.1f} MB"
    )
    for row in rows:
        print(f"  {row['step']}: {row['by_kind']}")
    return 0 if worst <= MAX_CALLS else 1


if __name__ == "__main__":
    sys.exit(main())
