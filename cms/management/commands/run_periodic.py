"""Enqueue the periodic tasks in settings.PERIODIC_TASKS at their intervals.

django-tasks has no scheduler of its own; this small loop runs beside `db_worker` (make run,
production) and only enqueues: the worker does the work, so a slow task never delays the clock.

Safe to start on several machines: only the process holding the `run_periodic` lease (a database
row, cms/leases.py) enqueues; the others stand by and take over within `--lease` seconds when the
holder stops or dies.
"""

import contextlib
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils.module_loading import import_string

from cms import leases
from cms.queue import enqueue_unless_waiting

LEASE = "run_periodic"


class Command(BaseCommand):
    help = "Enqueue periodic tasks (settings.PERIODIC_TASKS) at their intervals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every periodic task once, then exit."
        )
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between clock checks.")
        parser.add_argument(
            "--lease",
            type=float,
            default=60.0,
            help="Seconds the lock holds without renewal: how soon a stand-by takes over "
            "from a holder that died.",
        )

    def handle(self, *args, once=False, tick=5.0, lease=60.0, verbosity=1, **options):
        lease = max(lease, 3 * tick)  # renewed every tick: a slow tick must not lose it
        tasks = [
            (import_string(path), path, float(interval))
            for path, interval in settings.PERIODIC_TASKS
        ]
        me = leases.this_process()
        if once:
            if not leases.acquire(LEASE, me, lease):
                self.stdout.write("another run_periodic holds the lock: nothing enqueued")
                return
            try:
                for task, path, _interval in tasks:
                    done = enqueue_unless_waiting(task)
                    self.stdout.write(f"{'enqueued' if done else 'already waiting'} {path}")
            finally:
                leases.release(LEASE, me)
            return
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_run: dict[str, float] = {}
        holding = None
        self.stdout.write(f"periodic: {len(tasks)} tasks ({me})")
        try:
            while not stopping:
                close_old_connections()
                try:
                    held = leases.acquire(LEASE, me, lease)
                except DatabaseError as error:  # the database is away: enqueue nothing, retry
                    self.stderr.write(f"periodic: cannot reach the lock: {error}")
                    held = False
                if held != holding:
                    holding = held
                    self.stdout.write(
                        "periodic: holding the lock" if held else "periodic: standing by"
                    )
                    # A new holder starts the clock afresh: whatever is due runs now (a task
                    # already waiting in the queue is not enqueued twice).
                    next_run = {path: 0.0 for _task, path, _interval in tasks}
                if held:
                    now = time.monotonic()
                    for task, path, interval in tasks:
                        if now >= next_run[path]:
                            try:
                                if enqueue_unless_waiting(task) and verbosity > 1:
                                    self.stdout.write(f"enqueued {path}")
                            except DatabaseError as error:  # tried again next tick
                                self.stderr.write(f"periodic: cannot enqueue {path}: {error}")
                                continue
                            next_run[path] = now + interval
                time.sleep(tick)
        finally:
            if holding:
                with contextlib.suppress(DatabaseError):  # if not, it expires by itself
                    leases.release(LEASE, me)
