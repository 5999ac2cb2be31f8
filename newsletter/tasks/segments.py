"""Background fetch of the audience's Mailchimp segments and tags (the recipients chooser's list)."""

from __future__ import annotations

from django_tasks import task

from newsletter.mailchimp.client import is_configured
from newsletter.services import segments as service

QUEUE = "mailchimp"


@task(queue_name=QUEUE)
def fetch_segments() -> str:
    """On request ("Hämta segment") and periodically (settings.PERIODIC_TASKS)."""
    if not is_configured():
        return "Mailchimp is not configured."
    return "segments fetched" if service.fetch() else "segments not fetched"
