"""The reconciler: the CMS and Mailchimp always converge, whatever failed in between.

django-tasks-db does not run again a task left RUNNING by a worker that died (SIGKILL, OOM, a
machine gone), and a Mailchimp call may have landed or not when its worker vanished. So every few
minutes (PERIODIC_TASKS) and on demand (`manage.py newsletter_campaign reconcile [--dry-run]`),
each campaign that is not final is compared with Mailchimp's own status and the drift repaired:

- an expired lease (its worker is gone) is resumed: a sync runs again, a send goes on (run_send
  asks Mailchimp first, so never twice), an unschedule is finished;
- a campaign the CMS holds as scheduled that Mailchimp holds as a draft is scheduled again for
  its time, or reported when that time has passed (never sent late on our own);
- a Mailchimp schedule the CMS does not want (the issue was deleted, unpublished, its go-live
  cancelled, or a sender unscheduled it) is unscheduled;
- Mailchimp campaigns scheduled for issues that no longer exist (ours by their create key) are
  unscheduled.

Every repair goes through the state machine's own run_* functions (newsletter.services.campaigns),
which take the campaign's lease, so the reconciler never races a live worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import MailchimpError
from newsletter.models import Campaign, CampaignOperation, CampaignStatus, NewsletterIssuePage
from newsletter.services import campaigns as service
from newsletter.services import publish_gate, send_gate

logger = logging.getLogger(__name__)

S = CampaignStatus
Op = CampaignOperation

# Scheduled campaigns whose send time is this close get the last checks before they go out.
SEND_WINDOW = timedelta(minutes=30)
# Our campaigns carry their create key in the title: "… [smakom-0123456789abcdef]".
KEY_MARK = "[smakom-"


@dataclass
class Finding:
    campaign: str  # issue title or Mailchimp id
    problem: str
    action: str  # what was done (or, in a dry run, would be done)
    done: bool = False

    def __str__(self) -> str:
        state = "done" if self.done else "to do"
        return f"{self.campaign}: {self.problem} -> {self.action} ({state})"


def _name(campaign: Campaign) -> str:
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).only("title").first()
    title = page.title if page else (campaign.issue_title or "(deleted issue)")
    return f"{title} [{campaign.mailchimp_id or 'no Mailchimp campaign'}]"


def _before_send_window(campaign: Campaign, name: str, dry_run: bool) -> Finding | None:
    """Last checks for a campaign Mailchimp sends within SEND_WINDOW: the issue it carries still
    passes its checklist, and every unsubscribe still in the outbox reaches Mailchimp first. When
    either fails the send is refused: the campaign is unscheduled and the editor sees why (a
    sender schedules it again once it is fixed)."""
    refused = _checklist_refusal(campaign, name, dry_run)
    if refused is not None:
        return refused
    if dry_run:
        pending = send_gate.waiting_unsubscribes().count() + send_gate.waiting_erasures().count()
        if pending:
            return Finding(name, f"{pending} unsubscribes waiting before the send", "push them")
        return None
    try:
        send_gate.push_pending_unsubscribes()
    except send_gate.UnsubscribesPending as refused:
        outcome = service.run_unschedule(campaign.pk)
        Campaign.objects.filter(pk=campaign.pk).update(last_error=refused.message_sv)
        logger.error("campaign %s: unscheduled before its send: %s", campaign.pk, refused)
        return Finding(
            name,
            f"{refused.count} unsubscribes could not reach Mailchimp before the send",
            f"unschedule: {outcome.message}",
            done=outcome.ok,
        )
    return None


def _checklist_refusal(campaign: Campaign, name: str, dry_run: bool) -> Finding | None:
    """Mailchimp sends at the go-live time, before `publish_scheduled` gets to hold the page, so
    errors that appeared since the schedule (content changed under it, an event that has taken
    place, a page it links to unpublished) are caught here, while the send can still be stopped:
    the go-live is held as publish_scheduled would hold it, and the campaign unscheduled."""
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    if page is None:
        return None
    revision, go_live_at = service.content_revision(page)
    if revision is None:
        return None
    checklist = publish_gate.publish_refusal(revision.as_object())
    if checklist is None:
        return None
    problem = "checklist errors before the send: " + ", ".join(i.code for i in checklist.errors)
    if dry_run:
        return Finding(name, problem, "hold the go-live and unschedule")
    if go_live_at is not None:
        publish_gate.hold_scheduled_go_live(revision, checklist)
        outcome = service.run_go_live_cancelled(campaign.pk, revision.pk)
    else:
        outcome = service.run_unschedule(campaign.pk)
    if outcome.ok:
        Campaign.objects.filter(pk=campaign.pk).update(
            last_error=_("Not sent: the issue no longer passes its checklist. %(errors)s")
            % {"errors": " ".join(item.message for item in checklist.errors)}
        )
    logger.error("campaign %s: unscheduled before its send: %s", campaign.pk, problem)
    return Finding(name, problem, f"unschedule: {outcome.message}", done=outcome.ok)


def schedule_wanted(campaign: Campaign) -> bool:
    """Whether the CMS wants this campaign scheduled at Mailchimp now (its latest decision)."""
    if campaign.status in (S.SENT, S.SENDING, S.FAILED):
        return False
    page = NewsletterIssuePage.objects.filter(pk=campaign.page_id).first()
    if page is None:
        return False  # the issue was deleted
    if service._schedule_outlived_go_live(_as_scheduled(campaign), page):
        return False  # not live and no go-live left
    if campaign.lease_operation == Op.UNSCHEDULE:
        return False  # a worker died unscheduling it
    if campaign.decision == service.Decision.UNSCHEDULE:
        # A sender unscheduled it; only a go-live set after that decision schedules it again.
        revision, go_live_at = service.content_revision(page)
        if go_live_at is None or service._unscheduled_since(campaign, revision):
            return False
    return campaign.status == S.SCHEDULED and campaign.scheduled_for is not None


def _as_scheduled(campaign: Campaign) -> Campaign:
    probe = Campaign(**{f.attname: getattr(campaign, f.attname) for f in Campaign._meta.fields})
    probe.remote_status = "schedule"
    return probe


def _record_remote(campaign_id: int, status: str) -> None:
    Campaign.objects.filter(pk=campaign_id).update(remote_status=status)


def _expire_lease(campaign_id: int) -> None:
    service.release_lease(campaign_id)


def reconcile(dry_run: bool = False) -> list[Finding]:
    """Compare every unfinished campaign with Mailchimp and repair the drift; what was found."""
    findings: list[Finding] = []
    now = timezone.now()
    known_remote: set[str] = set()
    campaigns = Campaign.objects.exclude(status=S.SENT).order_by("pk")
    for campaign in campaigns:
        known_remote.add(campaign.mailchimp_id)
        if campaign.lease_until and campaign.lease_until > now:
            continue  # a live worker is on it
        if campaign.next_retry_at and campaign.next_retry_at > now:
            continue  # its retry is queued
        try:
            finding = _reconcile_one(campaign, now, dry_run)
        except MailchimpError as exc:
            finding = Finding(_name(campaign), f"Mailchimp did not answer: {exc}", "try later")
        if finding is not None:
            findings.append(finding)
    try:
        findings += _orphans_at_mailchimp(known_remote, dry_run)
    except MailchimpError as exc:
        findings.append(Finding("Mailchimp", f"could not list scheduled campaigns: {exc}", "retry"))
    for finding in findings:
        logger.warning("reconciler: %s", finding)
    return findings


def _reconcile_one(campaign: Campaign, now, dry_run: bool) -> Finding | None:
    name = _name(campaign)
    stalled = campaign.lease_operation or ""
    stalled_note = f"worker gone during {stalled}" if stalled else ""
    if not campaign.mailchimp_id:
        if stalled == Op.SYNC or (campaign.status == S.DRAFT and campaign.page_id and stalled):
            return _act(
                name,
                "worker gone before the campaign was made",
                "sync again",
                dry_run,
                lambda: service.run_sync(campaign.pk),
            )
        return None
    try:
        remote = api.get_campaign(campaign.mailchimp_id)
    except MailchimpError as exc:
        if exc.status == 404:
            return Finding(name, "the campaign is missing at Mailchimp", "report (sync makes it)")
        raise
    remote_status = remote.get("status") or ""

    if remote_status in ("sending", "sent"):
        if dry_run:
            return Finding(name, f"Mailchimp has {remote_status} it", "record as sent")
        if stalled:
            _expire_lease(campaign.pk)
        service._record_delivered(campaign.pk, remote)
        return Finding(name, f"Mailchimp has {remote_status} it", "recorded as sent", done=True)

    if campaign.status == S.SENDING:
        # run_send asks Mailchimp before sending again: never twice.
        return _act(
            name,
            stalled_note or "send not finished",
            "resume the send",
            dry_run,
            lambda: service.run_send(campaign.pk, str(campaign.send_key)),
        )

    if stalled == Op.SYNC:
        if not dry_run:
            _expire_lease(campaign.pk)
            _record_remote(campaign.pk, remote_status)
        return _act(
            name,
            "worker gone during a sync",
            "sync again",
            dry_run,
            lambda: service.run_sync(campaign.pk),
        )

    if stalled == Op.SCHEDULE and campaign.decision == service.Decision.SCHEDULE:
        # A sender's schedule whose worker died: keep what reached Mailchimp, report the rest.
        if remote_status == "schedule" and campaign.status != S.SCHEDULED:
            if dry_run:
                return Finding(name, "worker gone during a schedule that landed", "record it")
            _expire_lease(campaign.pk)
            service.record_scheduled(campaign.pk, remote)
            return Finding(
                name, "worker gone during a schedule that landed", "recorded as scheduled", True
            )
        if remote_status == "save" and campaign.status != S.SCHEDULED:
            if not dry_run:
                _expire_lease(campaign.pk)
            return Finding(
                name,
                "worker gone during a schedule that did not reach Mailchimp",
                "report: a sender must schedule it again",
                done=not dry_run,
            )

    wanted = schedule_wanted(campaign)
    if not dry_run:
        if stalled:
            _expire_lease(campaign.pk)
        if campaign.remote_status != remote_status:
            _record_remote(campaign.pk, remote_status)
        campaign.refresh_from_db()

    if remote_status == "schedule" and not wanted:
        return _act(
            name,
            stalled_note or "scheduled at Mailchimp, not wanted by the CMS",
            "unschedule",
            dry_run,
            lambda: service.run_unschedule(campaign.pk),
        )
    if wanted and remote_status != "schedule":
        if campaign.scheduled_for > now + timedelta(minutes=1):
            return _act(
                name,
                "scheduled in the CMS, a draft at Mailchimp",
                "schedule again",
                dry_run,
                lambda: service.run_schedule(
                    campaign.pk,
                    campaign.scheduled_for.isoformat(),
                    campaign.decision_by_id,
                    keep_origin=True,
                ),
            )
        if dry_run:
            return Finding(name, "its send time passed while Mailchimp held a draft", "report")
        service.record_missed_schedule(campaign.pk)
        return Finding(
            name,
            "its send time passed while Mailchimp held a draft",
            "recorded as not scheduled; a sender must schedule or send it",
            done=True,
        )
    if not wanted and campaign.status == S.SCHEDULED and remote_status == "save":
        return _act(
            name,
            "the CMS still shows a schedule Mailchimp no longer has",
            "record as unscheduled",
            dry_run,
            lambda: service.run_unschedule(campaign.pk),
        )
    if stalled:
        return Finding(name, f"worker gone during {stalled}", "lease released", done=not dry_run)
    if wanted and campaign.scheduled_for and campaign.scheduled_for - now <= SEND_WINDOW:
        return _before_send_window(campaign, name, dry_run)
    return None


def _act(name: str, problem: str, action: str, dry_run: bool, run) -> Finding:
    if dry_run:
        return Finding(name, problem, action)
    outcome = run()
    return Finding(name, problem, f"{action}: {outcome.message}", done=outcome.ok)


def _orphans_at_mailchimp(known: set[str], dry_run: bool) -> list[Finding]:
    """Our Mailchimp campaigns scheduled for issues that no longer exist (no Campaign row)."""
    known |= set(Campaign.objects.values_list("mailchimp_id", flat=True))
    findings = []
    for remote in api.list_scheduled_campaigns():
        title = (remote.get("settings") or {}).get("title") or ""
        if remote["id"] in known or KEY_MARK not in title:
            continue  # ours and handled above, or not made by the CMS
        name = f"{title} [{remote['id']}]"
        problem = "scheduled at Mailchimp for an issue that no longer exists"
        if dry_run:
            findings.append(Finding(name, problem, "unschedule"))
            continue
        try:
            api.unschedule(remote["id"])
        except MailchimpError as exc:
            if exc.status != 400:
                raise
        findings.append(Finding(name, problem, "unscheduled", done=True))
    return findings
