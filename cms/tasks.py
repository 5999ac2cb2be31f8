"""Site-wide periodic tasks (enqueued by `manage.py run_periodic`, run by `db_worker`)."""

from __future__ import annotations

import io
import logging

from django_tasks import task

from django.core.management import call_command

logger = logging.getLogger(__name__)


@task()
def publish_scheduled() -> None:
    """Wagtail's scheduled publishing: pages (and newsletter issues) whose go-live time has come
    are published, those whose expiry has come unpublished, and the caches that show them purged
    (`cms.purge`). Wagtail leaves running `manage.py publish_scheduled` to a cron job; here
    `run_periodic` enqueues it every minute, so it runs on one machine at a time."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    if out.getvalue().strip():
        logger.info("publish_scheduled: %s", out.getvalue().strip())
