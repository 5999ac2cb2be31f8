"""Before a campaign goes out, every unsubscribe waiting in the outbox reaches Mailchimp.

`push_pending_unsubscribes()` is the one rule "no one who left is mailed because their
unsubscribe was still on its way": the send and the schedule paths of the campaign state machine
call it (and the reconciler shortly before a scheduled send). It makes Mailchimp calls, so it runs
in task context only, never in a web request.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsletter.mailchimp.client import MailchimpNotConfigured, get_client
from newsletter.models import MailchimpErasure, Subscriber
from newsletter.services import sync

logger = logging.getLogger(__name__)


class UnsubscribesPending(Exception):
    """Some unsubscribes (or erasures) could not be pushed: the send must not go out.

    `count` is how many are waiting, `message_sv` what the editor is shown. Shaped like a
    non-retryable MailchimpError (`message_sv`, `retryable`) so the campaign's failure path can
    record it as it records Mailchimp's refusals.
    """

    retryable = False

    def __init__(self, count: int, reason: str):
        self.count = count
        self.reason = reason
        self.message_sv = ngettext(
            "Not sent: %(count)d unsubscribe or erasure has not reached Mailchimp yet, so the "
            "person could still get this newsletter. %(reason)s Try again when it has gone "
            "through.",
            "Not sent: %(count)d unsubscribes or erasures have not reached Mailchimp yet, so "
            "those people could still get this newsletter. %(reason)s Try again when they have "
            "gone through.",
            count,
        ) % {"count": count, "reason": reason}
        super().__init__(self.message_sv)

    def __str__(self) -> str:
        return self.message_sv


def waiting_unsubscribes():
    return Subscriber.objects.filter(mailchimp_needs_push=True, status__in=list(sync.GONE))


def waiting_erasures():
    return MailchimpErasure.objects.filter(resolved_at__isnull=True)


def push_pending_unsubscribes() -> int:
    """Push every waiting unsubscribe and cleaning (and erasure) now, ignoring their backoff;
    returns how many were pushed. Raises UnsubscribesPending if any is still waiting."""
    from newsletter.tasks.audience import erase

    pks = list(waiting_unsubscribes().order_by("pk").values_list("pk", flat=True))
    erasures = list(waiting_erasures().order_by("pk"))
    if not pks and not erasures:
        return 0
    reason = ""
    pushed = 0
    try:
        client = get_client()
    except MailchimpNotConfigured as exc:
        raise UnsubscribesPending(len(pks) + len(erasures), exc.message_sv) from exc
    for pk in pks:
        result = sync.push_subscriber(pk, client=client)
        if result.error is not None:
            reason = result.error.message_sv
            if result.outcome in ("auth", "retry"):
                break  # Mailchimp is down or refuses the key: the rest would fail alike
        else:
            pushed += 1
    for erasure in erasures:
        outcome, error = erase(erasure, client)
        if error is not None:
            reason = reason or error.message_sv
            if outcome == "retry" or error.status in sync.AUTH_STATUSES:
                break
    still = waiting_unsubscribes().count() + waiting_erasures().count()
    if still:
        logger.warning("campaign held back: %s unsubscribes or erasures still waiting", still)
        raise UnsubscribesPending(still, reason or _("Mailchimp did not accept them."))
    return pushed
