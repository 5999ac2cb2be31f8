"""Enqueueing helpers shared by the apps' tasks and `run_periodic`."""

from __future__ import annotations


def already_waiting(task) -> bool:
    """True if the database queue already holds this task, not yet started.

    Only READY counts: a task already running may have read its input before the newest change,
    so another run is still needed. The immediate backend (tests) has no queue: never waiting.
    """
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def enqueue_unless_waiting(task) -> bool:
    """Enqueue `task` (no arguments) unless a run of it is already waiting; True if enqueued.

    For tasks that process whatever is pending when they run (sweeps, drains): one waiting run
    covers every change made before it starts.
    """
    if already_waiting(task):
        return False
    task.enqueue()
    return True
