"""The campaign state machine: what may happen to an issue's Mailchimp campaign, and when.

Two kinds of functions:
- `request_*` run in the editor's request (or an operator's command): they check, under a row
  lock, that the operation is allowed now, record the intent, and return. No network.
- `run_*` do the Mailchimp work (tasks, or the foreground command). Each claims a short lease on
  the campaign row first, so two workers never talk to Mailchimp about one campaign at once,
  calls Mailchimp outside any transaction, and records the outcome under the lock again.

Never twice: a send is claimed by moving to SENDING with a fresh send_key under the row lock; only
the holder of that key sends, and any attempt after the first asks Mailchimp for the campaign's
status before sending again (a timed-out send may have gone through).
"""

from __future__ import annotations

import logging
import math
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail.log_actions import log
from wagtail.models import Revision

from cms.models import SiteSettings
from newsletter.checklist import check_issue
from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import MailchimpError, MailchimpNotConfigured, retry_delay
from newsletter.models import (
    Campaign,
    CampaignOperation,
    CampaignStatus,
    NewsletterIssuePage,
    ScheduleDecision,
)
from newsletter.rendering import render_email
from newsletter.services import reports, send_gate
from newsletter.services.senders import (  # noqa: F401 (the rules, used here and re-exported)
    SEND_PERMISSION,
    go_live_decision,
    go_live_hold,
    may_send,
    notify_senders_of_hold,
    test_allowed_domains,
    test_needs_sender,
)

logger = logging.getLogger(__name__)

S = CampaignStatus
Op = CampaignOperation
Decision = ScheduleDecision

# The furthest ahead a campaign may be scheduled (a typo like year 9999 is refused, not sent).
SCHEDULE_MAX_AHEAD = timedelta(days=366)


class CampaignRefused(Exception):
    """An operation that is not allowed now; .message is shown to the editor (Swedish)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SenderRequired(CampaignRefused):
    """Only a holder of newsletter.send_newsletter may do this (views answer 403)."""

    def __init__(self):
        super().__init__(_("Only someone allowed to send the newsletter may do this."))


class _Delivered(Exception):
    """Mailchimp has already sent (or is sending) the campaign: nothing left to change."""


def require_sender(user) -> None:
    if not may_send(user):
        raise SenderRequired()


@dataclass
class Outcome:
    message: str
    ok: bool = True
    # Seconds after which the caller should run the same operation again (backoff or busy).
    retry_in: float | None = None
    # Another worker holds the campaign's lease: try again when it has expired.
    busy: bool = False


# ---------------------------------------------------------------------------------------------
# Helpers


def test_max_addresses() -> int:
    return settings.MAILCHIMP_TEST_MAX_ADDRESSES


def test_max_per_campaign() -> int:
    return settings.MAILCHIMP_TEST_MAX_PER_CAMPAIGN


def lease_length() -> timedelta:
    # Longer than any one operation's Mailchimp calls can take, so a live worker never loses it.
    return timedelta(seconds=settings.MAILCHIMP_TIMEOUT * 4 + 30)


def round_up_to_quarter(when: datetime) -> datetime:
    """The next quarter hour at or after `when` (Mailchimp schedules only on :00/:15/:30/:45)."""
    when = when.replace(second=0, microsecond=0) + (
        timedelta(minutes=1) if when.second or when.microsecond else timedelta()
    )
    minutes = math.ceil(when.minute / 15) * 15
    return when.replace(minute=0) + timedelta(minutes=minutes)


def campaign_for(page) -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(page_id=page.pk)
    return campaign


@contextmanager
def locked(campaign_id: int):
    with transaction.atomic():
        yield Campaign.objects.select_for_update().get(pk=campaign_id)


def content_revision(page):
    """The revision whose content belongs in Mailchimp, and its go-live time if scheduled."""
    page = NewsletterIssuePage.objects.get(pk=page.pk)  # the caller's copy may be stale
    scheduled = page.revisions.filter(approved_go_live_at__isnull=False).order_by("-pk").first()
    if scheduled is not None:
        return scheduled, scheduled.approved_go_live_at
    if page.live and page.live_revision_id:
        return page.live_revision, None
    return None, None


def site_settings_for(page) -> SiteSettings:
    site = page.get_site()
    if site is None:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site)


def _log(campaign: Campaign, action: str, user=None, **data) -> None:
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    # An issue that was deleted: the entry goes on the campaign record that outlives it.
    instance = page if page is not None else Campaign.objects.get(pk=campaign.pk)
    log(instance, action, user=user, data={"campaign": campaign.mailchimp_id, **data})


DECISION_FIELDS = ("decision", "decision_at", "decision_by", "updated_at")


def record_decision(campaign: Campaign, decision: str, user=None) -> None:
    """The latest schedule decision wins: stored with its time (the caller holds the lock)."""
    campaign.decision = decision
    campaign.decision_at = timezone.now()
    campaign.decision_by = user if getattr(user, "pk", None) else None


def _unschedule_remote(campaign_id: int, mailchimp_id: str) -> None:
    """Unschedule at Mailchimp, idempotently, and record it at once.

    Mailchimp answering "not scheduled" is a success (an earlier attempt, or Mailchimp's own
    state, got there first). The stored remote status says "save" as soon as Mailchimp
    confirms, so a failure later in the same operation cannot leave the CMS believing the
    campaign is still scheduled. A campaign Mailchimp already sent raises _Delivered.
    """
    try:
        api.unschedule(mailchimp_id)
    except MailchimpError as exc:
        if exc.status != 400:
            raise
        remote = api.get_campaign(mailchimp_id)
        if remote.get("status") in ("sending", "sent"):
            _record_delivered(campaign_id, remote)
            raise _Delivered() from None
        if remote.get("status") == "schedule":
            raise
    with locked(campaign_id) as campaign:
        campaign.remote_status = "save"
        campaign.save(update_fields=["remote_status", "updated_at"])


def _delivered_outcome() -> Outcome:
    return Outcome(_("Mailchimp has already sent this issue."), ok=False)


def _user(user_id):
    if not user_id:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


def _claim(campaign_id: int, operation: str) -> tuple[Campaign | None, float]:
    """Take the lease for `operation`; (None, seconds left) when another worker holds it."""
    with locked(campaign_id) as campaign:
        now = timezone.now()
        if campaign.lease_until and campaign.lease_until > now:
            return None, (campaign.lease_until - now).total_seconds() + 1
        campaign.lease_operation = operation
        campaign.lease_until = now + lease_length()
        campaign.attempts += 1
        campaign.save(update_fields=["lease_operation", "lease_until", "attempts", "updated_at"])
        return campaign, 0.0


def _busy(seconds: float) -> Outcome:
    return Outcome(_("Another update of this campaign is running."), retry_in=seconds, busy=True)


def _release_claim(campaign_id: int) -> None:
    """Give the lease back when a claimed operation turns out to have nothing to do."""
    with locked(campaign_id) as campaign:
        _release(campaign)
        if campaign.status == S.SENDING:
            # Only undo this claim's attempt: a send's count tells run_send whether an earlier
            # send may have reached Mailchimp (and so whether to ask before sending again).
            campaign.attempts = max(campaign.attempts - 1, 0)
        else:
            campaign.attempts = 0
        campaign.save()


def release_lease(campaign_id: int) -> None:
    """Give the lease back after an unexpected error, so the next attempt isn't kept waiting."""
    Campaign.objects.filter(pk=campaign_id).update(lease_operation="", lease_until=None)


def _release(campaign: Campaign) -> None:
    campaign.lease_operation = ""
    campaign.lease_until = None


def _succeeded(campaign: Campaign) -> None:
    _release(campaign)
    campaign.attempts = 0
    campaign.next_retry_at = None
    campaign.last_error = ""
    campaign.failed_operation = ""
    campaign.operation_args = {}


def _failure(
    campaign_id: int,
    operation: str,
    args: dict,
    exc: MailchimpError,
    user_id=None,
    min_delay: float = 0,
):
    """Record a failed Mailchimp call: back off and retry when it may pass, else FAILED."""
    with locked(campaign_id) as campaign:
        _release(campaign)
        campaign.last_error = exc.message_sv
        campaign.operation_args = args
        if exc.retryable and campaign.attempts < settings.MAILCHIMP_MAX_ATTEMPTS:
            delay = max(retry_delay(campaign.attempts), min_delay)
            campaign.next_retry_at = timezone.now() + timedelta(seconds=delay)
            campaign.save()
            logger.warning(
                "campaign %s: %s failed, retry in %.0fs: %s", campaign_id, operation, delay, exc
            )
            return Outcome(
                _("Mailchimp did not answer; trying again in %(seconds)d seconds. %(error)s")
                % {"seconds": math.ceil(delay), "error": exc.message_sv},
                ok=False,
                retry_in=delay,
            )
        campaign.move_to(S.FAILED)
        campaign.failed_operation = operation
        campaign.next_retry_at = None
        campaign.save()
    logger.error("campaign %s: %s failed: %s", campaign_id, operation, exc)
    _log(
        campaign,
        "newsletter.campaign.failed",
        user=_user(user_id),
        operation=operation,
        error=exc.message_sv,
    )
    return Outcome(exc.message_sv, ok=False)


def _require_current(campaign: Campaign, page) -> None:
    """Refuse to act on a campaign whose content is not the issue's published content."""
    revision, _go_live = content_revision(page)
    if revision is None:
        raise CampaignRefused(_("Publish the issue first."))
    if not campaign.mailchimp_id or campaign.synced_revision_id != revision.pk:
        raise CampaignRefused(
            _(
                "The published version is not in Mailchimp yet. Wait a moment and try again, "
                "or retry the sync."
            )
        )


def _require_checklist(page) -> None:
    revision, _go_live = content_revision(page)
    checklist = check_issue(revision.as_object() if revision else page)
    if checklist.has_errors:
        raise CampaignRefused(
            _("The issue cannot be sent yet: %(errors)s")
            % {"errors": " ".join(item.message for item in checklist.errors)}
        )


def _require_not_sent(campaign: Campaign) -> None:
    if campaign.status == S.SENT:
        raise CampaignRefused(
            _("This issue has already been sent. A sent campaign cannot be changed.")
        )
    if campaign.status == S.SENDING:
        raise CampaignRefused(_("This issue is being sent right now."))


# ---------------------------------------------------------------------------------------------
# Go-live: Wagtail's scheduled publishing schedules the campaign only on a sender's decision


def _unscheduled_since(campaign: Campaign, revision) -> bool:
    """The campaign was unscheduled after this revision's go-live was set: that decision wins."""
    if campaign.decision != Decision.UNSCHEDULE or campaign.decision_at is None:
        return False
    _user_, when = go_live_decision(revision)
    return campaign.decision_at >= when


# ---------------------------------------------------------------------------------------------
# Create once: a create whose answer was lost is found again by its key


def _store_create_key(campaign_id: int) -> str:
    """A fresh create key, stored before the create so a retry knows what to look for."""
    key = f"smakom-{uuid.uuid4().hex[:16]}"
    with locked(campaign_id) as campaign:
        campaign.create_key = key
        campaign.save(update_fields=["create_key", "updated_at"])
    return key


def _forget_create_key(campaign_id: int) -> None:
    Campaign.objects.filter(pk=campaign_id, mailchimp_id="").update(create_key="")


def _create_may_have_landed(exc: MailchimpError) -> bool:
    """No answer (timeout, dropped connection) or a gateway that gave up waiting: the campaign
    may exist. Any other answer is Mailchimp's own refusal, and nothing was made."""
    if isinstance(exc, MailchimpNotConfigured):
        return False
    return exc.status is None or exc.status in (502, 504)


def _adopt_lost_create(create_key: str) -> dict | None:
    """The campaign an earlier attempt with this key made, if it reached Mailchimp."""
    found = api.find_campaigns_by_key(create_key)
    if not found:
        return None
    keep, *extra = found
    for duplicate in extra:
        # Several attempts with one key all landed: drafts of ours nobody has seen, so remove them.
        api.delete_campaign(duplicate["id"])
    logger.warning("adopted campaign %s made by a create whose answer was lost", keep["id"])
    return keep


# ---------------------------------------------------------------------------------------------
# Sync: the issue's published content → its campaign


def run_sync(campaign_id: int, user_id=None) -> Outcome:
    campaign, busy = _claim(campaign_id, Op.SYNC)
    if campaign is None:
        return _busy(busy)
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    if page is None:
        _release_claim(campaign_id)
        return Outcome(_("The issue no longer exists."), ok=False)
    if campaign.status == S.SCHEDULED and campaign.scheduled_for <= timezone.now():
        # Its time has passed: Mailchimp has probably sent it. Record that, never edit it.
        try:
            remote = api.get_campaign(campaign.mailchimp_id)
        except MailchimpError as exc:
            return _failure(campaign_id, Op.SYNC, {}, exc, user_id)
        if remote.get("status") in ("sending", "sent"):
            release_lease(campaign_id)
            _record_delivered(campaign_id, remote)
            campaign.refresh_from_db()
    if campaign.status in (S.SENT, S.SENDING):
        _release_claim(campaign_id)
        return Outcome(
            _("The issue has already been sent: the web page is updated, the campaign is not."),
            ok=False,
        )
    revision, go_live_at = content_revision(page)
    # The go-live schedules the campaign only on a sender's decision and a clean checklist, and
    # never over a later unschedule.
    held, go_live_user = "", None
    wants_go_live = False
    if go_live_at is not None and not _unscheduled_since(campaign, revision):
        held, go_live_user = go_live_hold(revision)
        wants_go_live = not held
    up_to_date = (
        revision is not None
        and campaign.mailchimp_id
        and campaign.synced_revision_id == revision.pk
        and campaign.status != S.FAILED
        and (not wants_go_live or campaign.status == S.SCHEDULED)
        and (wants_go_live or campaign.remote_status != "schedule" or go_live_at is None)
        and (campaign.status != S.SCHEDULED or campaign.remote_status == "schedule")
    )
    if revision is None or up_to_date:
        _release_claim(campaign_id)
        return Outcome(_("Nothing to update."))

    issue = revision.as_object()
    rendered = render_email(issue)
    site_settings = site_settings_for(page)
    # A lost create answer leaves its key stored: this attempt looks for that campaign first.
    lookup_key = campaign.create_key if not campaign.mailchimp_id else ""
    if not campaign.mailchimp_id and not campaign.create_key:
        campaign.create_key = _store_create_key(campaign_id)
    body = api.campaign_body(
        subject=rendered.subject,
        preview_text=rendered.preheader,
        title=f"{issue.title} ({issue.issue_date:%Y-%m-%d})" if issue.issue_date else issue.title,
        from_name=site_settings.from_name,
        reply_to=site_settings.reply_to,
        segment_id=campaign.segment_id,
        create_key=campaign.create_key,
    )
    schedule_at = None
    by_go_live = False
    create_unanswered = False
    if wants_go_live:
        schedule_at = round_up_to_quarter(go_live_at)
        by_go_live = True
    elif (
        go_live_at is None
        and campaign.scheduled_for
        and not campaign.scheduled_by_go_live
        and campaign.decision != Decision.UNSCHEDULE
    ):
        # Keep the editor's schedule, even if an earlier attempt unscheduled and then failed
        # (but never one the editor has removed since).
        schedule_at = campaign.scheduled_for
    try:
        if not campaign.mailchimp_id:
            created = _adopt_lost_create(lookup_key) if lookup_key else None
            adopted = created is not None
            if created is None:
                try:
                    created = api.create_campaign(body)
                except MailchimpError as exc:
                    create_unanswered = _create_may_have_landed(exc)
                    if not create_unanswered:
                        _forget_create_key(campaign_id)
                    raise
            # Stored at once: a retry after a later failure updates this campaign, never makes another.
            with locked(campaign_id) as locked_campaign:
                locked_campaign.mailchimp_id = created["id"]
                locked_campaign.remote_status = created.get("status", "save")
                locked_campaign.save(update_fields=["mailchimp_id", "remote_status", "updated_at"])
            campaign.mailchimp_id = created["id"]
            campaign.remote_status = locked_campaign.remote_status
            if adopted:
                # Made from an earlier attempt's body: bring its settings up to this revision.
                api.update_campaign(campaign.mailchimp_id, body)
        else:
            if campaign.remote_status == "schedule":
                # Mailchimp doesn't edit a scheduled campaign: unschedule, edit, schedule again.
                _unschedule_remote(campaign_id, campaign.mailchimp_id)
                campaign.remote_status = "save"
            api.update_campaign(campaign.mailchimp_id, body)
        api.set_content(campaign.mailchimp_id, rendered.html, rendered.text)
        count = _fetch_recipient_count(campaign)
        if schedule_at is not None and schedule_at > timezone.now() and _still_wanted(campaign_id):
            api.schedule(campaign.mailchimp_id, schedule_at)
        else:
            schedule_at = None
    except _Delivered:
        release_lease(campaign_id)
        return _delivered_outcome()
    except MailchimpError as exc:
        # A create that got no answer may still land at Mailchimp: give it time to show up in
        # the list before the retry looks for it.
        wait = settings.MAILCHIMP_TIMEOUT if create_unanswered else 0
        return _failure(campaign_id, Op.SYNC, {}, exc, user_id, min_delay=wait)

    with locked(campaign_id) as campaign:
        _succeeded(campaign)
        campaign.synced_revision = revision
        campaign.synced_at = timezone.now()
        campaign.issue_title = page.title[:255]
        campaign.recipient_count = count
        campaign.recipient_count_at = timezone.now()
        notify_hold = bool(held) and campaign.schedule_held_revision_id != revision.pk
        campaign.schedule_held = held
        campaign.schedule_held_revision_id = revision.pk if held else None
        if schedule_at is not None:
            campaign.move_to(S.SCHEDULED)
            campaign.scheduled_for = schedule_at
            campaign.scheduled_by_go_live = by_go_live
            campaign.remote_status = "schedule"
        else:
            campaign.move_to(S.SYNCED)
            campaign.scheduled_for = None
            campaign.scheduled_by_go_live = False
            campaign.remote_status = "save"
        campaign.save()
    _log(campaign, "newsletter.campaign.synced", user=_user(user_id), revision=revision.pk)
    if schedule_at is not None and by_go_live:
        _log(
            campaign,
            "newsletter.campaign.scheduled",
            user=go_live_user,
            scheduled_for=schedule_at.isoformat(),
            by="go-live",
        )
    if notify_hold:
        _log(campaign, "newsletter.campaign.schedule_held", user=go_live_user, reason=held)
        notify_senders_of_hold(campaign_id, page, held)
    if held:
        return Outcome(held)
    if schedule_at is not None:
        return Outcome(
            _("The campaign is updated and scheduled for %(when)s.")
            % {"when": _format_time(schedule_at)}
        )
    return Outcome(_("The campaign is updated in Mailchimp."))


def _still_wanted(campaign_id: int) -> bool:
    """No unschedule was decided while this operation talked to Mailchimp."""
    return not Campaign.objects.filter(
        pk=campaign_id,
        decision=Decision.UNSCHEDULE,
        decision_at__gt=F("lease_until") - lease_length(),
    ).exists()


def _fetch_recipient_count(campaign: Campaign) -> int | None:
    """How many Mailchimp will send to: its own count for this campaign's recipients."""
    remote = api.get_campaign(campaign.mailchimp_id)
    count = (remote.get("recipients") or {}).get("recipient_count")
    if count is not None:
        return count
    audience = api.get_audience()
    return (audience.get("stats") or {}).get("member_count")


# Send times are Swedish wall-clock times, whatever the editor's Wagtail time zone preference.
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _format_time(when: datetime) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(when, STOCKHOLM), "j F Y H:i")


# ---------------------------------------------------------------------------------------------
# Test email


def clean_test_emails(emails) -> list[str]:
    cleaned = []
    for email in emails:
        email = email.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise CampaignRefused(
                _("“%(email)s” is not an email address.") % {"email": email}
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    if not cleaned:
        raise CampaignRefused(_("Give at least one address for the test."))
    if len(cleaned) > test_max_addresses():
        raise CampaignRefused(
            ngettext(
                "Mailchimp sends a test to at most %(max)d address at a time.",
                "Mailchimp sends a test to at most %(max)d addresses at a time.",
                test_max_addresses(),
            )
            % {"max": test_max_addresses()}
        )
    return cleaned


def request_test(page, emails, user=None) -> tuple[Campaign, list[str]]:
    emails = clean_test_emails(emails)
    if user is not None and test_needs_sender(user, emails):
        require_sender(user)
    with locked(campaign_for(page).pk) as campaign:
        _require_not_sent(campaign)
        _require_current(campaign, page)
        if campaign.tests_sent >= test_max_per_campaign():
            raise CampaignRefused(
                _(
                    "Mailchimp allows at most %(max)d test emails per campaign, and this "
                    "campaign has used them all."
                )
                % {"max": test_max_per_campaign()}
            )
    return campaign, emails


def run_test(campaign_id: int, emails: list[str], user_id=None, attempt: int = 1) -> Outcome:
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status in (S.SENT, S.SENDING) or not campaign.mailchimp_id:
        return Outcome(_("No test sent: the campaign is not ready or already sent."), ok=False)
    try:
        api.send_test(campaign.mailchimp_id, emails)
    except MailchimpError as exc:
        if exc.retryable and attempt < settings.MAILCHIMP_MAX_ATTEMPTS:
            delay = retry_delay(attempt)
            return Outcome(exc.message_sv, ok=False, retry_in=delay)
        Campaign.objects.filter(pk=campaign_id).update(
            last_error=_("The test email was not sent. %(error)s") % {"error": exc.message_sv}
        )
        _log(campaign, "newsletter.campaign.test_failed", user=_user(user_id), error=exc.message_sv)
        return Outcome(exc.message_sv, ok=False)
    with locked(campaign_id) as campaign:
        campaign.tests_sent += 1
        campaign.save(update_fields=["tests_sent", "updated_at"])
    _log(campaign, "newsletter.campaign.test_sent", user=_user(user_id), emails=emails)
    return Outcome(_("Test email sent to %(emails)s.") % {"emails": ", ".join(emails)})


# ---------------------------------------------------------------------------------------------
# Schedule and unschedule


def parse_schedule_time(value: str) -> datetime:
    """An ISO time from an operator, or a Swedish refusal."""
    try:
        when = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError, AttributeError):
        raise CampaignRefused(
            _("“%(value)s” is not a time. Write it like 2026-12-01T08:00+01:00.") % {"value": value}
        ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def check_schedule_time(when: datetime, now: datetime | None = None) -> datetime:
    """The quarter-hour time a campaign would be scheduled for, or a Swedish refusal."""
    now = now or timezone.now()
    try:
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        too_far = when - now > SCHEDULE_MAX_AHEAD
        rounded = None if too_far else round_up_to_quarter(when)
    except (OverflowError, ValueError):
        too_far, rounded = True, None
    if too_far:
        raise CampaignRefused(_("The time is too far ahead. Choose a time within a year."))
    if rounded <= now:
        raise CampaignRefused(_("The time has already passed. Choose a time in the future."))
    return rounded


def request_schedule(
    page, when: datetime, now: datetime | None = None, user=None
) -> tuple[Campaign, datetime]:
    """Check that the campaign may be scheduled at `when`; return it and the quarter-hour time.

    With `user` (every editor path passes it), only a sender may schedule, and the decision is
    recorded as the latest one."""
    if user is not None:
        require_sender(user)
    rounded = check_schedule_time(when, now)
    with locked(campaign_for(page).pk) as campaign:
        _require_not_sent(campaign)
        _require_current(campaign, page)
        _require_checklist(page)
        if user is not None:
            record_decision(campaign, Decision.SCHEDULE, user)
            campaign.publish_send_intent = {}  # claimed, or superseded by this decision
            campaign.save(update_fields=[*DECISION_FIELDS, "publish_send_intent"])
    return campaign, rounded


def run_schedule(campaign_id: int, when_iso: str, user_id=None, keep_origin=False) -> Outcome:
    """Schedule at Mailchimp. `keep_origin`: the reconciler restoring a schedule keeps whether it
    came from the go-live."""
    when = datetime.fromisoformat(when_iso)
    campaign, busy = _claim(campaign_id, Op.SCHEDULE)
    if campaign is None:
        return _busy(busy)
    if campaign.status in (S.SENT, S.SENDING):
        _release_claim(campaign_id)
        return Outcome(_("This issue has already been sent."), ok=False)
    try:
        send_gate.push_pending_unsubscribes()
        if campaign.remote_status == "schedule":
            _unschedule_remote(campaign_id, campaign.mailchimp_id)
        api.schedule(campaign.mailchimp_id, when)
    except _Delivered:
        release_lease(campaign_id)
        return _delivered_outcome()
    except (MailchimpError, send_gate.UnsubscribesPending) as exc:
        return _failure(campaign_id, Op.SCHEDULE, {"when": when_iso}, exc, user_id)
    with locked(campaign_id) as campaign:
        _succeeded(campaign)
        campaign.move_to(S.SCHEDULED)
        campaign.scheduled_for = when
        if not keep_origin:
            campaign.scheduled_by_go_live = False  # the editor's own time from now on
        campaign.remote_status = "schedule"
        campaign.save()
    _log(campaign, "newsletter.campaign.scheduled", user=_user(user_id), scheduled_for=when_iso)
    return Outcome(_("Scheduled for %(when)s.") % {"when": _format_time(when)})


def request_unschedule(page, user=None) -> Campaign:
    """Check that there is a schedule to remove; with `user`, only a sender may, and the
    decision is recorded at once (a sync waiting for its retry will not bring it back)."""
    if user is not None:
        require_sender(user)
    with locked(campaign_for(page).pk) as campaign:
        if campaign.status != S.SCHEDULED and campaign.remote_status != "schedule":
            raise CampaignRefused(_("The campaign is not scheduled."))
        if user is not None:
            record_decision(campaign, Decision.UNSCHEDULE, user)
            campaign.publish_send_intent = {}  # a later decision than "Publicera och skicka"
            campaign.save(update_fields=[*DECISION_FIELDS, "publish_send_intent"])
    return campaign


def run_unschedule(campaign_id: int, user_id=None) -> Outcome:
    """Make sure the campaign is not scheduled at Mailchimp (idempotent: also for a campaign
    the CMS thinks is scheduled while Mailchimp holds it as a draft, and for one whose issue was
    deleted)."""
    campaign, busy = _claim(campaign_id, Op.UNSCHEDULE)
    if campaign is None:
        return _busy(busy)
    if campaign.status in (S.SENT, S.SENDING) or not _is_scheduled(campaign):
        _release_claim(campaign_id)
        return Outcome(_("The campaign is not scheduled."), ok=False)
    try:
        if campaign.mailchimp_id:
            _unschedule_remote(campaign_id, campaign.mailchimp_id)
    except _Delivered:
        release_lease(campaign_id)
        return _delivered_outcome()
    except MailchimpError as exc:
        return _failure(campaign_id, Op.UNSCHEDULE, {}, exc, user_id)
    _record_unscheduled(campaign_id)
    _log(campaign, "newsletter.campaign.unscheduled", user=_user(user_id))
    return Outcome(_("The campaign is no longer scheduled."))


def record_scheduled(campaign_id: int, remote: dict) -> None:
    """A schedule that reached Mailchimp although its worker died before recording it."""
    send_time = remote.get("send_time")
    with locked(campaign_id) as campaign:
        _succeeded(campaign)
        campaign.move_to(S.SCHEDULED)
        if send_time:
            campaign.scheduled_for = datetime.fromisoformat(send_time.replace("Z", "+00:00"))
        campaign.scheduled_by_go_live = False
        campaign.remote_status = "schedule"
        campaign.save()
    _log(
        campaign,
        "newsletter.campaign.scheduled",
        user=campaign.decision_by,
        scheduled_for=_iso(campaign),
        by="reconciler",
    )


def record_missed_schedule(campaign_id: int) -> None:
    """Mailchimp held a draft past the campaign's send time (a schedule lost to a failure): the
    CMS says so instead of sending late on its own."""
    with locked(campaign_id) as campaign:
        _release(campaign)
        campaign.move_to(S.SYNCED)
        campaign.last_error = _(
            "The campaign was not sent at %(when)s: Mailchimp did not have it scheduled. "
            "Schedule it again or send it."
        ) % {"when": _format_time(campaign.scheduled_for)}
        campaign.scheduled_for = None
        campaign.scheduled_by_go_live = False
        campaign.remote_status = "save"
        campaign.save()


def _record_unscheduled(campaign_id: int) -> None:
    with locked(campaign_id) as campaign:
        _succeeded(campaign)
        campaign.move_to(S.SYNCED)
        campaign.scheduled_for = None
        campaign.scheduled_by_go_live = False
        campaign.remote_status = "save"
        campaign.save()


# ---------------------------------------------------------------------------------------------
# A go-live that no longer exists
#
# Wagtail's "cancel scheduled publish" only clears the revision's approved_go_live_at (and
# unpublishing clears it with a queryset update): no page signal. The receiver of the revision's
# save and the periodic safety net both end here.


def _is_scheduled(campaign: Campaign) -> bool:
    # remote_status too: a failed sync or schedule may have left it scheduled at Mailchimp.
    if campaign.status in (S.SENT, S.SENDING):
        return False
    return campaign.status == S.SCHEDULED or campaign.remote_status == "schedule"


def _schedule_outlived_go_live(campaign: Campaign, page, cancelled_revision_id=None) -> bool:
    """Whether this campaign is scheduled for a go-live that will not happen.

    An issue that is not live and has no go-live left must not be sent, whoever scheduled it.
    On a live issue only a schedule that came from the cancelled revision's go-live goes: the
    editor's own schedule of a live issue stays (the sync that follows brings back the live
    content).
    """
    if not _is_scheduled(campaign):
        return False
    if page.revisions.filter(approved_go_live_at__isnull=False).exists():
        return False  # a go-live is still pending (maybe a new one: its sync moves the schedule)
    if not page.live:
        return True
    return bool(
        cancelled_revision_id
        and campaign.scheduled_by_go_live
        and campaign.synced_revision_id == cancelled_revision_id
        and page.live_revision_id != cancelled_revision_id
    )


def run_go_live_cancelled(campaign_id: int, cancelled_revision_id=None) -> Outcome:
    """Unschedule a campaign whose go-live was cancelled (or is otherwise gone)."""
    current = Campaign.objects.get(pk=campaign_id)
    leased = current.lease_until is not None and current.lease_until > timezone.now()
    if not _is_scheduled(current) and not leased:
        # Nothing scheduled and no sync under way that could schedule it: leave the row alone.
        return Outcome(_("Nothing to update."))
    campaign, busy = _claim(campaign_id, Op.UNSCHEDULE)
    if campaign is None:
        return _busy(busy)
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    if page is not None and not _schedule_outlived_go_live(campaign, page, cancelled_revision_id):
        _release_claim(campaign_id)
        return Outcome(_("Nothing to update."))
    try:
        if campaign.scheduled_for and campaign.scheduled_for <= timezone.now():
            # Too late to stop: if Mailchimp has sent it, record that instead.
            remote = api.get_campaign(campaign.mailchimp_id)
            if remote.get("status") in ("sending", "sent"):
                release_lease(campaign_id)
                _record_delivered(campaign_id, remote)
                return Outcome(_("The issue had already been sent."), ok=False)
        if campaign.mailchimp_id:
            _unschedule_remote(campaign_id, campaign.mailchimp_id)
    except _Delivered:
        release_lease(campaign_id)
        return _delivered_outcome()
    except MailchimpError as exc:
        return _failure(campaign_id, Op.UNSCHEDULE, {}, exc)
    _record_unscheduled(campaign_id)
    _log(campaign, "newsletter.campaign.go_live_cancelled", scheduled_for=_iso(campaign))
    return Outcome(
        _("The scheduled publication was cancelled, so the campaign is no longer scheduled.")
    )


def has_failed(campaign_id: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, status=S.FAILED).exists()


def live_and_not_sent(campaign_id: int) -> bool:
    return (
        Campaign.objects.filter(pk=campaign_id, page__live=True)
        .exclude(status__in=(S.SENT, S.SENDING))
        .exists()
    )


def _iso(campaign: Campaign) -> str | None:
    return campaign.scheduled_for.isoformat() if campaign.scheduled_for else None


def schedules_outliving_go_live():
    """Safety net: scheduled campaigns of issues that are not live and have no go-live left."""
    now = timezone.now()
    candidates = (
        Campaign.objects.filter(Q(status=S.SCHEDULED) | Q(remote_status="schedule"))
        .filter(page__live=False)
        .exclude(status__in=(S.SENT, S.SENDING))
        .exclude(lease_until__gt=now)
        .exclude(next_retry_at__gt=now)
    )
    candidates = list(candidates.only("pk", "page_id"))
    # Only these issues' revisions: other pages' go-lives are none of ours.
    pending = {
        int(object_id)
        for object_id in Revision.objects.page_revisions()
        .filter(
            approved_go_live_at__isnull=False,
            object_id__in=[str(c.page_id) for c in candidates],
        )
        .values_list("object_id", flat=True)
    }
    return [c.pk for c in candidates if c.page_id not in pending]


# ---------------------------------------------------------------------------------------------
# Send


def request_send(page) -> tuple[Campaign, str]:
    """Claim the one send of this campaign: SENDING with a fresh key, or CampaignRefused."""
    with locked(campaign_for(page).pk) as campaign:
        _require_not_sent(campaign)
        _require_current(campaign, page)
        _require_checklist(page)
        campaign.move_to(S.SENDING)
        campaign.send_key = uuid.uuid4()
        campaign.publish_send_intent = {}
        campaign.attempts = 0
        campaign.last_error = ""
        campaign.failed_operation = ""
        campaign.next_retry_at = None
        campaign.save()
    return campaign, str(campaign.send_key)


def run_send(campaign_id: int, send_key: str, user_id=None) -> Outcome:
    with locked(campaign_id) as campaign:
        if campaign.status != S.SENDING or str(campaign.send_key) != send_key:
            return Outcome(_("Nothing to send: the campaign is not waiting to be sent."), ok=False)
        now = timezone.now()
        if campaign.lease_until and campaign.lease_until > now:
            # Another operation (a sync, an unschedule) holds the lease: wait for it.
            return _busy((campaign.lease_until - now).total_seconds() + 1)
        # Any earlier attempt may have reached Mailchimp (a timeout says nothing): ask first.
        ask_first = campaign.attempts > 0
        campaign.attempts += 1
        campaign.lease_operation = Op.SEND
        campaign.lease_until = now + lease_length()
        campaign.save()
    try:
        already = False
        if ask_first:
            remote = api.get_campaign(campaign.mailchimp_id)
            already = remote.get("status") in ("sending", "sent")
        if not already:
            send_gate.push_pending_unsubscribes()
            if campaign.remote_status == "schedule":
                _unschedule_remote(campaign_id, campaign.mailchimp_id)
            api.send(campaign.mailchimp_id)
    except _Delivered:
        # Mailchimp had sent it already (recorded by _unschedule_remote).
        release_lease(campaign_id)
        return Outcome(_("The newsletter has been sent."))
    except (MailchimpError, send_gate.UnsubscribesPending) as exc:
        return _failure(campaign_id, Op.SEND, {"send_key": send_key}, exc, user_id)
    with locked(campaign_id) as campaign:
        _succeeded(campaign)
        campaign.move_to(S.SENT)
        campaign.sent_at = timezone.now()
        campaign.scheduled_for = None
        campaign.remote_status = "sent"
        campaign.save()
    _log(
        campaign,
        "newsletter.campaign.sent",
        user=_user(user_id),
        recipients=campaign.recipient_count,
    )
    return Outcome(_("The newsletter has been sent."))


# ---------------------------------------------------------------------------------------------
# Retry after failure


def request_retry(page) -> tuple[str, dict]:
    """Turn a FAILED campaign back into its pending operation: (operation, task arguments)."""
    with locked(campaign_for(page).pk) as campaign:
        if campaign.status != S.FAILED:
            raise CampaignRefused(_("There is nothing to retry."))
        operation = campaign.failed_operation or Op.SYNC
        args = dict(campaign.operation_args or {})
        back_to = _status_from_remote(campaign)
        if operation == Op.SEND:
            _require_current(campaign, page)
            _require_checklist(page)
            campaign.move_to(S.SENDING)
            # The same key: the earlier attempt may have gone through, so run_send asks first.
            if not campaign.send_key:
                campaign.send_key = uuid.uuid4()
            args = {"send_key": str(campaign.send_key)}
            campaign.attempts = 1
        else:
            campaign.move_to(back_to)
            campaign.attempts = 0
        campaign.failed_operation = ""
        campaign.save()
    return operation, args


def _status_from_remote(campaign: Campaign) -> str:
    if campaign.remote_status == "schedule":
        return S.SCHEDULED
    if campaign.remote_status in ("sending", "sent"):
        return S.SENT
    if campaign.mailchimp_id and campaign.synced_revision_id:
        return S.SYNCED
    return S.DRAFT


# ---------------------------------------------------------------------------------------------
# Reports and recovery (periodic)


def report_snapshot(report: dict, clicks: dict) -> dict:
    return reports.snapshot(report, clicks)


def refresh_report(campaign_id: int) -> Outcome:
    campaign = Campaign.objects.get(pk=campaign_id)
    if not campaign.mailchimp_id:
        return Outcome(_("The issue has no campaign yet."), ok=False)
    try:
        if campaign.status == S.SCHEDULED:
            remote = api.get_campaign(campaign.mailchimp_id)
            if remote.get("status") in ("sending", "sent"):
                _record_delivered(campaign_id, remote)
                campaign.refresh_from_db()
        if campaign.status != S.SENT:
            return Outcome(_("The issue has not been sent yet."), ok=False)
        snapshot = report_snapshot(
            api.get_report(campaign.mailchimp_id), api.get_click_details(campaign.mailchimp_id)
        )
    except MailchimpError as exc:
        logger.warning("campaign %s: report refresh failed: %s", campaign_id, exc)
        return Outcome(exc.message_sv, ok=False)
    Campaign.objects.filter(pk=campaign_id).update(
        report=snapshot, report_refreshed_at=timezone.now()
    )
    return Outcome(_("The report is updated."))


def _record_delivered(campaign_id: int, remote: dict) -> None:
    """Mailchimp sent a scheduled campaign on its own: record it."""
    with locked(campaign_id) as campaign:
        if campaign.status == S.SENT:
            return
        campaign.move_to(S.SENT)
        send_time = remote.get("send_time")
        campaign.sent_at = (
            datetime.fromisoformat(send_time.replace("Z", "+00:00"))
            if send_time
            else timezone.now()
        )
        campaign.remote_status = remote.get("status", "sent")
        campaign.save()
    _log(campaign, "newsletter.campaign.sent", recipients=campaign.recipient_count)


def campaigns_to_refresh():
    since = timezone.now() - timedelta(days=settings.NEWSLETTER_REPORT_DAYS)
    due = timezone.now() + timedelta(minutes=1)
    return Campaign.objects.filter(status=S.SENT, sent_at__gte=since) | Campaign.objects.filter(
        status=S.SCHEDULED, scheduled_for__lte=due
    )


def stalled_sends():
    """SENDING campaigns whose worker is gone (lease expired or never taken): resume them."""
    now = timezone.now()
    return (
        Campaign.objects.filter(status=S.SENDING)
        .exclude(lease_until__gt=now)
        .exclude(next_retry_at__gt=now)
    )
