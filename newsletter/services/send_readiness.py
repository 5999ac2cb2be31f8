"""What the editor is told before a click: would a send be refused, and is a change still pending.

Read from the database only (no Mailchimp call): the send confirmation, the "Publicera och
skicka" dialog and the status endpoint that the campaign panel polls all ask here, so they tell
the same story as the state machine (services/campaigns.py) that decides in the end.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsletter.checklist import check_issue
from newsletter.mailchimp.client import is_configured
from newsletter.models import Campaign, CampaignStatus
from newsletter.services import send_gate
from newsletter.services.senders import may_send

S = CampaignStatus

# How long after a decision the panel keeps polling for the worker to act on it.
PENDING_WINDOW = timedelta(minutes=10)


def unsubscribes_refusal() -> str:
    """Why waiting unsubscribes would stop a send now ("" if they will go through first)."""
    waiting = send_gate.waiting_unsubscribes()
    count = waiting.count() + send_gate.waiting_erasures().count()
    if not count:
        return ""
    stuck = waiting.filter(~Q(mailchimp_last_error="")).count()
    if not is_configured() or stuck:
        return ngettext(
            "%(count)d unsubscribe has not reached Mailchimp and the last attempt failed: the "
            "send would be stopped until it goes through.",
            "%(count)d unsubscribes have not reached Mailchimp and the last attempt failed: "
            "the send would be stopped until they go through.",
            count,
        ) % {"count": count}
    return ""


def publish_step_messages() -> set[str]:
    """The refusals that "Publicera och skicka" resolves itself by publishing and syncing."""
    return {
        _("Publish the issue first."),
        _("The published version is not in Mailchimp yet. Wait a moment and try again."),
    }


def send_refusals(page, user, campaign: Campaign | None, *, checklist: bool = True) -> list[str]:
    """Every reason a send would be refused now, in Swedish; empty when it would go ahead."""
    from newsletter.services.campaigns import content_revision

    reasons = []
    if not may_send(user):
        reasons.append(_("Only someone allowed to send the newsletter may do this."))
    if campaign is not None and campaign.status == S.SENT:
        return [*reasons, _("This issue has already been sent. A sent campaign cannot be changed.")]
    if campaign is not None and campaign.status == S.SENDING:
        return [*reasons, _("This issue is being sent right now.")]
    revision, _go_live = content_revision(page)
    if revision is None:
        reasons.append(_("Publish the issue first."))
    elif (
        campaign is None or not campaign.mailchimp_id or campaign.synced_revision_id != revision.pk
    ):
        reasons.append(
            _("The published version is not in Mailchimp yet. Wait a moment and try again.")
        )
    if checklist:
        reasons += [
            item.message for item in check_issue(revision.as_object() if revision else page).errors
        ]
    refusal = unsubscribes_refusal()
    if refusal:
        reasons.append(refusal)
    return reasons


def is_pending(campaign: Campaign | None, page) -> bool:
    """A change the worker has still to make (or is making): the panel keeps polling."""
    from newsletter.services.campaigns import content_revision

    now = timezone.now()
    if campaign is None:
        return bool(page.live)
    if campaign.status == S.SENDING:
        return True
    if campaign.lease_until and campaign.lease_until > now:
        return True
    if campaign.next_retry_at and campaign.status != S.FAILED:
        return True
    if campaign.status in (S.SENT, S.FAILED):
        return False
    revision, _go_live = content_revision(page)
    if revision is not None and campaign.synced_revision_id != revision.pk:
        return True
    recent = campaign.decision_at and now - campaign.decision_at < PENDING_WINDOW
    if recent and campaign.decision == "schedule" and campaign.status != S.SCHEDULED:
        return True
    return bool(
        recent and campaign.decision == "unschedule" and campaign.remote_status == "schedule"
    )
