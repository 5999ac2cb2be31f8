"""Enqueue the periodic tasks in settings.PERIODIC_TASKS at their intervals.

django-tasks has no scheduler of its own; this small loop runs beside `db_worker` (make run,
production) and only enqueues: the worker does the work, so a slow task never delays the clock.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from cms.queue import enqueue_unless_waiting


class Command(BaseCommand):
    help = "Enqueue periodic tasks (settings.PERIODIC_TASKS) at their intervals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every periodic task once, then exit."
        )
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between clock checks.")

    def handle(self, *args, once=False, tick=5.0, **options):
        tasks = [
            (import_string(path), path, float(interval))
            for path, interval in settings.PERIODIC_TASKS
        ]
        if once:
            for task, path, _interval in tasks:
                done = enqueue_unless_waiting(task)
                self.stdout.write(f"{'enqueued' if done else 'already waiting'} {path}")
            return
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_run = {path: time.monotonic() for _task, path, _interval in tasks}
        self.stdout.write(f"periodic: {len(tasks)} tasks")
        while not stopping:
            now = time.monotonic()
            for task, path, interval in tasks:
                if now >= next_run[path]:
                    enqueue_unless_waiting(task)
                    next_run[path] = now + interval
            time.sleep(tick)
