""" "Publicera och skicka": publish the issue's latest version (when needed) and send or schedule
its campaign, in one decision.

`request_publish_and_send` runs in the editor's request: it checks everything it can without
Mailchimp, publishes (Wagtail's publish; the page_published receiver enqueues the sync), and tells
the caller what to enqueue. When the campaign is already current, that is the ordinary schedule or
send task; otherwise `after_sync` runs in a task: it brings the campaign up to date first, then
asks the state machine exactly as the separate Schedule and Send buttons do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from newsletter.services import campaigns as service
from newsletter.services import publish_gate

STOCKHOLM = service.STOCKHOLM

SEND = "send"


def on_its_way_message() -> str:
    """Translated when asked (in the request's language)."""
    return _(
        "“Publish and send” is already on its way for this issue. Wait for the campaign panel "
        "to show the result."
    )


SCHEDULE = "schedule"


@dataclass
class Decision:
    campaign: Campaign
    operation: str  # SEND | SCHEDULE
    published: bool
    # Set when the campaign was current and the state machine accepted at once.
    when: datetime | None = None
    send_key: str = ""


def request_publish_and_send(page, user, when: datetime | None = None) -> Decision:
    """Check, publish if needed, and claim the send or the schedule if the campaign is current.

    Raises service.CampaignRefused (or SenderRequired) with a Swedish message; nothing has been
    published then."""
    service.require_sender(user)
    page = NewsletterIssuePage.objects.get(pk=page.pk)
    latest = page.get_latest_revision()
    issue = latest.as_object() if latest else page
    refusal = publish_gate.publish_refusal(issue)
    if refusal is not None:
        raise service.CampaignRefused(publish_gate.refusal_message(refusal))
    campaign = service.campaign_for(page)
    service._require_not_sent(campaign)
    require_no_intent_on_its_way(campaign, page)
    operation = SCHEDULE if when is not None else SEND
    if when is not None:
        when = service.check_schedule_time(when)
    needs_publish = latest is not None and (not page.live or page.live_revision_id != latest.pk)
    if needs_publish:
        if not page.permissions_for_user(user).can_publish():
            raise service.CampaignRefused(_("You may not publish this issue."))
        if issue.go_live_at and issue.go_live_at > timezone.now():
            raise service.CampaignRefused(
                _(
                    "The issue has a publication time set. Remove it, or publish it and "
                    "schedule the mailing separately."
                )
            )
        # Under the campaign's lock: of two submissions at once (a double click, two tabs) the
        # second waits here and then finds the first one's intent, so it publishes nothing.
        with service.locked(campaign.pk) as campaign:
            service._require_not_sent(campaign)
            require_no_intent_on_its_way(campaign, page)
            current = NewsletterIssuePage.objects.get(pk=page.pk)
            if current.live and current.live_revision_id == latest.pk:
                raise service.CampaignRefused(on_its_way_message())
            latest.publish(user=user)
            if operation == SCHEDULE:
                # The decision, so the panel waits for it; the schedule itself follows the sync.
                service.record_decision(campaign, "schedule", user)
            # Kept until the send or schedule is claimed after the sync (or refused): a sync that
            # fails for good does not lose the sender's intent.
            campaign.publish_send_intent = {
                "operation": operation,
                "when": when.isoformat() if when else None,
                "user_id": user.pk,
            }
            campaign.save(update_fields=[*service.DECISION_FIELDS, "publish_send_intent"])
        return Decision(campaign, operation, published=True, when=when)
    if operation == SCHEDULE:
        campaign, rounded = service.request_schedule(page, when, user=user)
        return Decision(campaign, operation, published=False, when=rounded)
    campaign, key = service.request_send(page)
    return Decision(campaign, operation, published=False, send_key=key)


def require_no_intent_on_its_way(campaign: Campaign | None, page) -> None:
    """A second submission of the dialog (a double click, a second tab) while the first one's
    publish and send or schedule is still on its way: refused with a clear reason, never a
    second send or schedule. An intent that was not carried out may be replaced."""
    from newsletter.services.send_readiness import is_pending

    if (
        campaign is not None
        and campaign.publish_send_intent
        and not unfulfilled_intent(campaign, is_pending(campaign, page))
    ):
        raise service.CampaignRefused(on_its_way_message())


def after_sync(campaign_id: int, operation: str, when_iso: str | None, user_id=None):
    """In a task, once the sync has run: claim the schedule or the send as the buttons do.
    Returns (task name, args) to enqueue, or an Outcome when refused (recorded for the editor)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    user = service._user(user_id)
    if page is None:
        return service.Outcome(_("The issue no longer exists."), ok=False)
    try:
        if user is None:
            raise service.SenderRequired()
        if operation == SCHEDULE:
            campaign, rounded = service.request_schedule(
                page, datetime.fromisoformat(when_iso), user=user
            )
            return "schedule", (campaign.pk, rounded.isoformat(), user_id)
        service.require_sender(user)
        campaign, key = service.request_send(page)
        return "send", (campaign.pk, key, user_id)
    except service.CampaignRefused as refused:
        # Carried out as far as it may be: the refusal, not the intent, is what the panel shows.
        Campaign.objects.filter(pk=campaign_id).exclude(
            status__in=(CampaignStatus.SENT, CampaignStatus.SENDING)
        ).update(last_error=refused.message, publish_send_intent={})
        return service.Outcome(refused.message, ok=False)


def unfulfilled_intent(campaign: Campaign | None, pending: bool) -> dict | None:
    """The sender's "Publicera och skicka" that was not carried out: its sync failed for good, or
    nothing is on its way to claim it any more. {"operation", "when" (aware datetime or None)}."""
    if campaign is None or not campaign.publish_send_intent:
        return None
    if campaign.status in (CampaignStatus.SENT, CampaignStatus.SENDING):
        return None
    if pending and campaign.status != CampaignStatus.FAILED:
        return None  # still on its way (the sync, or its retry, has yet to run)
    intent = campaign.publish_send_intent
    when = intent.get("when")
    return {
        "operation": intent.get("operation"),
        "when": datetime.fromisoformat(when).astimezone(STOCKHOLM) if when else None,
    }


def request_redo(page, user) -> tuple[int, str, str | None]:
    """ "Försök igen" on an intent that was not carried out: the failed sync is taken back to its
    pending state and the caller enqueues send_after_publish again (with this sender).
    Returns (campaign id, operation, when as ISO)."""
    from newsletter.services.send_readiness import is_pending

    service.require_sender(user)
    campaign = service.campaign_for(page)
    intent = dict(campaign.publish_send_intent or {})
    # Never a second one while the first is still on its way.
    if intent.get("operation") not in (SEND, SCHEDULE) or not unfulfilled_intent(
        campaign, is_pending(campaign, page)
    ):
        raise service.CampaignRefused(_("There is nothing to retry."))
    if campaign.status == CampaignStatus.FAILED:
        service.request_retry(page)
    return campaign.pk, intent["operation"], intent.get("when")
