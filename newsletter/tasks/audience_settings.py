"""Push the site settings' footer facts (address, sender, reason) to the Mailchimp audience."""

from __future__ import annotations

import logging

from django_tasks import task

from newsletter.mailchimp.client import MailchimpError
from newsletter.services import audience_settings

logger = logging.getLogger(__name__)


@task(queue_name="mailchimp")
def push_audience_settings() -> bool:
    """Enqueued when the site settings are saved, and periodically (a retry after an outage)."""
    try:
        return audience_settings.push()
    except MailchimpError as exc:
        # The periodic run (PERIODIC_TASKS) tries again.
        logger.warning("Audience settings not pushed to Mailchimp: %s", exc)
        return False
