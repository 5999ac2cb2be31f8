"""Reconciling local subscribers with the Mailchimp audience: push, pull and the conflict rules.

Conflict rules (both directions):
- The newer status wins, judged by our `status_changed_at` against Mailchimp's `last_changed`.
- Leaving wins: a local unsubscribe (or clean) not yet sent to Mailchimp is never overridden by a
  pull, and a push never re-subscribes someone Mailchimp reports as gone with a newer change.
- Someone who left and signed up again here (local change newer) is pushed as `pending`, so
  Mailchimp sends its own confirmation ("Member In Compliance State" is answered, not looped on).
- A local sign-up still waiting for our own double opt-in is not sent: Mailchimp would mail its
  own confirmation too. It is sent once confirmed.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import MailchimpError, get_client, retry_delay
from newsletter.models import AudienceSyncState, Subscriber, SubscriberEvent, normalise_email
from newsletter.services import tombstones

logger = logging.getLogger(__name__)

Status = Subscriber.Status

# Local status → the status we ask Mailchimp for. Cleaned is never sent as subscribed: Mailchimp
# only cleans addresses itself, so we tell it the person is gone (unsubscribed).
PUSH_STATUS = {
    Status.PENDING: "pending",
    Status.SUBSCRIBED: "subscribed",
    Status.UNSUBSCRIBED: "unsubscribed",
    Status.CLEANED: "unsubscribed",
}
# Mailchimp status → local status (archived and transactional members are not on the list).
PULL_STATUS = {
    "subscribed": Status.SUBSCRIBED,
    "pending": Status.PENDING,
    "unsubscribed": Status.UNSUBSCRIBED,
    "cleaned": Status.CLEANED,
}
GONE = {Status.UNSUBSCRIBED, Status.CLEANED}

# Pages overlap by a second: Mailchimp's timestamps have whole seconds and applying twice is harmless.
HIGH_WATER_OVERLAP = timedelta(seconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAILCHIMP_RESOLUTION = timedelta(seconds=1)


# --- Mailchimp's time formats -------------------------------------------------------------------


def mailchimp_is_newer(mc_time: datetime, local_time: datetime, mc_status: str) -> bool:
    """Is Mailchimp's change newer than ours? Its clock has whole seconds, so within the same
    second it is a tie, and leaving wins the tie."""
    if mc_status in GONE:
        return mc_time + MAILCHIMP_RESOLUTION > local_time
    return mc_time > local_time


def parse_mc_time(value) -> datetime | None:
    """Mailchimp's ISO 8601 ("2022-03-09T10:00:00+00:00") or webhook UTC ("2022-03-09 10:00:00")."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def mc_timestamp(moment: datetime) -> str:
    """An aware datetime in the ISO 8601 form Mailchimp answers with: 2022-03-09T10:00:00+00:00."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


# --- what we send -------------------------------------------------------------------------------


def known_to_mailchimp(subscriber: Subscriber) -> bool:
    return bool(subscriber.mailchimp_pushed_at or subscriber.mailchimp_last_changed)


def should_send(subscriber: Subscriber) -> bool:
    """False for a new sign-up still in our own double opt-in (see the module docstring)."""
    return not (subscriber.status == Status.PENDING and not known_to_mailchimp(subscriber))


def merge_fields(subscriber: Subscriber) -> dict:
    org = subscriber.organisation
    if not org and subscriber.municipality_id:
        org = str(subscriber.municipality)
    return {"FNAME": subscriber.first_name, "LNAME": subscriber.last_name, "ORG": org}


def consent_fields(subscriber: Subscriber) -> dict:
    fields = {}
    if subscriber.signup_ip:
        fields["ip_signup"] = subscriber.signup_ip
    if subscriber.signup_at:
        fields["timestamp_signup"] = mc_timestamp(subscriber.signup_at)
    if subscriber.confirm_ip:
        fields["ip_opt"] = subscriber.confirm_ip
    if subscriber.confirmed_at:
        fields["timestamp_opt"] = mc_timestamp(subscriber.confirmed_at)
    return fields


def member_body(subscriber: Subscriber, status: str | None = None) -> dict:
    """The PUT body (AddListMembers2): status_if_new makes it a create-or-update."""
    status = status or PUSH_STATUS[subscriber.status]
    return {
        "email_address": subscriber.email,
        "status_if_new": status,
        "status": status,
        "merge_fields": merge_fields(subscriber),
        **consent_fields(subscriber),
    }


def batch_member(subscriber: Subscriber) -> dict:
    """One member of a batch subscribe call (AddListMembers)."""
    return {
        "email_address": subscriber.email,
        "status": PUSH_STATUS[subscriber.status],
        "merge_fields": merge_fields(subscriber),
        **consent_fields(subscriber),
    }


def is_compliance_error(text: str) -> bool:
    return "compliance" in (text or "").lower()


# --- bookkeeping --------------------------------------------------------------------------------


def mark_pushed(pks: Iterable[int], read_at: datetime, mc_last_changed: datetime | None = None):
    """Clear the outbox flag, unless the row changed after we read it (that change goes next)."""
    now = timezone.now()
    pks = list(pks)
    fields = {
        "mailchimp_pushed_at": now,
        "mailchimp_push_attempts": 0,
        "mailchimp_last_error": "",
        "mailchimp_retry_at": None,
    }
    if mc_last_changed:
        fields["mailchimp_last_changed"] = mc_last_changed
    Subscriber.objects.filter(pk__in=pks, updated_at__lte=read_at).update(
        mailchimp_needs_push=False, **fields
    )
    Subscriber.objects.filter(pk__in=pks, updated_at__gt=read_at).update(**fields)


# A member whose push keeps failing waits on its own (the outbox sweeper skips it until then).
MEMBER_BACKOFF_BASE = 60.0
MEMBER_BACKOFF_CAP = 3600.0
AUTH_STATUSES = {401, 403}


def mark_failed(pk: int, error: str, *, give_up: bool) -> int:
    """Record a failed push; returns the attempt count. give_up clears the flag (don't loop),
    except for an unsubscribe or cleaning: those are never given up but wait with their own
    backoff (mailchimp_retry_at), so the sweeper goes on with the others meanwhile."""
    with transaction.atomic():
        sub = (
            Subscriber.objects.select_for_update()
            .only("pk", "status", "mailchimp_push_attempts")
            .get(pk=pk)
        )
        attempts = sub.mailchimp_push_attempts + 1
        delay = retry_delay(attempts, base=MEMBER_BACKOFF_BASE, cap=MEMBER_BACKOFF_CAP)
        fields = {"mailchimp_push_attempts": attempts, "mailchimp_last_error": error[:2000]}
        if give_up and sub.status not in GONE:
            fields["mailchimp_needs_push"] = False
        elif give_up:
            fields["mailchimp_retry_at"] = timezone.now() + timedelta(seconds=delay)
        Subscriber.objects.filter(pk=pk).update(**fields)
    return attempts


# --- push: one subscriber (the outbox task) -----------------------------------------------------


@dataclass
class PushResult:
    # pushed, skipped, not_needed, mailchimp_newer, resubscribe_pending, retry, failed, waiting
    # (a leave Mailchimp refused for now: kept, retried with its own backoff), auth (key refused)
    outcome: str
    error: MailchimpError | None = None
    attempts: int = 0


def failed(sub: Subscriber, exc: MailchimpError) -> PushResult:
    """Record a failed push of `sub` and say what happens next."""
    leaving = sub.status in GONE
    if exc.status in AUTH_STATUSES:
        # The key was rotated or revoked: nothing passes until an operator fixes it. Kept.
        attempts = mark_failed(sub.pk, str(exc), give_up=False)
        return PushResult("auth", exc, attempts)
    attempts = mark_failed(sub.pk, str(exc), give_up=not exc.retryable)
    if exc.retryable:
        return PushResult("retry", exc, attempts)
    return PushResult("waiting" if leaving else "failed", exc, attempts)


def push_subscriber(pk: int, client=None) -> PushResult:
    """Send one subscriber's state to Mailchimp (PUT), handling the conflict rules."""
    read_at = timezone.now()
    sub = Subscriber.objects.select_related("municipality").filter(pk=pk).first()
    if sub is None or not sub.mailchimp_needs_push:
        return PushResult("not_needed")
    if not should_send(sub):
        mark_pushed_skip(sub, read_at)
        return PushResult("skipped")
    client = client or get_client()
    try:
        move_address(sub, client)
        member = audience.upsert_member(sub.email, member_body(sub), client=client)
    except MailchimpError as exc:
        if exc.status == 400 and is_compliance_error(f"{exc.title} {exc.detail}"):
            return resolve_compliance(sub, read_at, client)
        if sub.status in GONE and refused_for_other_data(exc):
            return push_status_only(sub, read_at, client, exc)
        return failed(sub, exc)
    try:
        sync_tags(sub, member or {}, client)
    except MailchimpError as exc:
        if sub.status not in GONE:
            # The member itself is in Mailchimp; tags are retried with the next push.
            return failed(sub, exc)
        # Mailchimp has the leave, which is what matters; the tags of someone gone can wait.
        logger.warning("tags of subscriber %s not updated: %s", sub.pk, exc)
    mark_pushed([sub.pk], read_at, parse_mc_time((member or {}).get("last_changed")))
    return PushResult("pushed")


def refused_for_other_data(exc: MailchimpError) -> bool:
    """A 4xx that is about the data sent with the status, not the key (401/403) or the member
    being gone for good (404 cannot happen on a PUT)."""
    return exc.status is not None and 400 <= exc.status < 500 and exc.status not in AUTH_STATUSES


def status_only_body(sub: Subscriber) -> dict:
    """Only what a leave needs: no merge fields or consent data Mailchimp could refuse."""
    status = PUSH_STATUS[sub.status]
    return {"email_address": sub.email, "status_if_new": status, "status": status}


def push_status_only(
    sub: Subscriber, read_at: datetime, client, first: MailchimpError
) -> PushResult:
    """Mailchimp refused a leave because of other data (a required merge field, a refused
    profile update…): send the status alone. Whatever happens, the leave stays in the outbox
    until Mailchimp has it."""
    logger.warning("push of subscriber %s refused (%s): sending the status alone", sub.pk, first)
    try:
        member = audience.upsert_member(sub.email, status_only_body(sub), client=client)
    except MailchimpError as exc:
        return failed(sub, exc)
    mark_pushed([sub.pk], read_at, parse_mc_time((member or {}).get("last_changed")))
    return PushResult("pushed")


def move_address(sub: Subscriber, client) -> None:
    """Our address changed since Mailchimp last heard: change it on the member Mailchimp has
    (`email_address` on the old member), so no second member appears and the old address is
    not left subscribed. Raises MailchimpError (the push is retried)."""
    old = sub.mailchimp_email
    if not old or old == sub.email:
        return
    try:
        audience.change_member_address(old, sub.email, client=client)
    except MailchimpError as exc:
        if exc.status == 404:
            pass  # Mailchimp never had the old address: the PUT creates the member
        elif exc.status == 400 and "exists" in f"{exc.title} {exc.detail}".lower():
            # Mailchimp has both addresses: the old one must stop receiving mail.
            audience.patch_member(old, {"status": "unsubscribed"}, client=client)
        else:
            raise
    Subscriber.objects.filter(pk=sub.pk, mailchimp_email=old).update(mailchimp_email="")
    sub.mailchimp_email = ""


def mark_pushed_skip(sub: Subscriber, read_at: datetime) -> None:
    Subscriber.objects.filter(pk=sub.pk, updated_at__lte=read_at).update(mailchimp_needs_push=False)


def known_interests() -> set[str]:
    from newsletter.models import subscribers

    return {value for value, _label in getattr(subscribers, "INTERESTS", [])}


def sync_tags(sub: Subscriber, member: dict, client) -> None:
    """Add our tags; remove only the interests we manage (editors' own Mailchimp tags stay)."""
    local = {str(t) for t in (sub.tags or []) if t}
    remote = {t.get("name") for t in member.get("tags") or [] if isinstance(t, dict)}
    changes = {name: True for name in local - remote}
    changes.update({name: False for name in (remote - local) & known_interests()})
    if changes:
        audience.set_member_tags(sub.email, changes, client=client)


def resolve_compliance(sub: Subscriber, read_at: datetime, client) -> PushResult:
    """Mailchimp refused to subscribe someone it has as unsubscribed/cleaned: who is newer?"""
    try:
        member = audience.get_member(sub.email, client=client)
    except MailchimpError as exc:
        return failed(sub, exc)
    mc_status = PULL_STATUS.get((member or {}).get("status", ""))
    mc_time = parse_mc_time((member or {}).get("last_changed")) or EPOCH
    if mc_status in GONE and mailchimp_is_newer(mc_time, sub.status_changed_at, mc_status):
        # They left in Mailchimp after our change: leaving wins.
        sub.change_status(
            mc_status,
            source="mailchimp_sync",
            at=max(mc_time, sub.status_changed_at),
            reason=Subscriber.CleanedReason.OTHER if mc_status == Status.CLEANED else "",
            detail={"rule": "mailchimp_newer", "mailchimp_status": member.get("status")},
            push=False,
        )
        mark_pushed([sub.pk], timezone.now(), mc_time)
        return PushResult("mailchimp_newer")
    # They signed up again here after leaving: Mailchimp must confirm them itself.
    try:
        member = audience.upsert_member(sub.email, member_body(sub, "pending"), client=client)
    except MailchimpError as exc:
        return failed(sub, exc)
    sub.change_status(
        Status.PENDING,
        source="mailchimp_sync",
        at=max(timezone.now(), sub.status_changed_at),
        detail={"rule": "resubscribe_needs_mailchimp_confirmation"},
        push=False,
    )
    mark_pushed([sub.pk], timezone.now(), parse_mc_time((member or {}).get("last_changed")))
    return PushResult("resubscribe_pending")


# --- push: in batches (sync_subscribers --push, bulk reconcile) ---------------------------------


@dataclass
class SyncSummary:
    direction: str
    dry_run: bool = False
    total: int = 0
    processed: int = 0
    calls: int = 0
    counts: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "direction": self.direction,
            "dry_run": self.dry_run,
            "total": self.total,
            "processed": self.processed,
            "calls": self.calls,
            **dict(self.counts),
            "errors": len(self.errors),
        }


Progress = Callable[[int, int], None]


def push_queryset(full: bool):
    qs = Subscriber.objects.all()
    if not full:
        qs = qs.filter(mailchimp_needs_push=True) | qs.filter(mailchimp_pushed_at__isnull=True)
    return qs


def push_all(
    *, full: bool = False, dry_run: bool = False, progress: Progress | None = None
) -> SyncSummary:
    """Push in batch subscribe calls of up to 500 members.

    Only a chunk (500 rows) is in memory at a time. Keyset pagination on pk rather than one open
    cursor: the loop writes to the rows it reads, which SQLite's cursors do not isolate.
    """
    summary = SyncSummary("push", dry_run=dry_run)
    state = AudienceSyncState.for_audience(audience.audience_id())
    client = None if dry_run else get_client()
    if not dry_run:
        # Newer unsubscribes in Mailchimp first, so the push cannot undo them.
        pulled = pull_changes(full=False, client=client)
        summary.calls += pulled.calls
        summary.counts.update({f"pull_{k}": v for k, v in pulled.counts.items()})
    qs = push_queryset(full).select_related("municipality").order_by("pk")
    summary.total = qs.count()
    last_pk = 0
    while True:
        read_at = timezone.now()
        chunk = list(qs.filter(pk__gt=last_pk)[: audience.BATCH_SIZE])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        push_chunk(chunk, read_at, summary, client)
        summary.processed += len(chunk)
        if progress:
            progress(summary.processed, summary.total)
    if not dry_run:
        state.last_push_at = timezone.now()
        state.save(update_fields=["last_push_at"])
    return summary


def push_chunk(chunk: list[Subscriber], read_at: datetime, summary: SyncSummary, client) -> None:
    send = [s for s in chunk if should_send(s)]
    skipped = [s for s in chunk if not should_send(s)]
    summary.counts["skipped"] += len(skipped)
    if summary.dry_run:
        summary.counts["would_push"] += len(send)
        return
    for sub in skipped:
        mark_pushed_skip(sub, read_at)
    # An address change not yet in Mailchimp renames the old member first (one by one): a batch
    # subscribe under the new address would make a second member and leave the old one.
    moving = [s for s in send if s.mailchimp_email and s.mailchimp_email != s.email]
    for sub in moving:
        result = push_subscriber(sub.pk, client=client)
        summary.calls += 1
        summary.counts[result.outcome] += 1
    send = [s for s in send if s not in moving]
    if not send:
        return
    result = audience.batch_upsert([batch_member(s) for s in send], client=client)
    summary.calls += 1
    by_email = {s.email: s for s in send}
    failed: set[str] = set()
    for error in result.get("errors") or []:
        email = normalise_email(str(error.get("email_address", "")))
        sub = by_email.get(email)
        if sub is None:
            continue
        failed.add(email)
        message = str(error.get("error", ""))
        if is_compliance_error(message):
            outcome = resolve_compliance(sub, read_at, client)
            summary.calls += 2 if outcome.outcome == "resubscribe_pending" else 1
            summary.counts[outcome.outcome] += 1
        else:
            # A leave is never given up: it waits for the outbox (status alone if need be).
            mark_failed(sub.pk, message or "batch error", give_up=True)
            summary.counts["waiting" if sub.status in GONE else "failed"] += 1
            summary.errors.append(f"{email}: {message}")
    ok = [s.pk for s in send if s.email not in failed]
    mark_pushed(ok, read_at)
    summary.counts["pushed"] += len(ok)


# --- pull ---------------------------------------------------------------------------------------


def pull_changes(
    *, full: bool = False, dry_run: bool = False, progress: Progress | None = None, client=None
) -> SyncSummary:
    """Apply Mailchimp's member changes, one page of 1,000 at a time.

    Incremental by default (since the stored high-water mark); `full` reads the whole audience.
    The mark moves only after a complete pass, so an interrupted pull is simply repeated.
    """
    summary = SyncSummary("pull", dry_run=dry_run)
    state = AudienceSyncState.for_audience(audience.audience_id())
    since = None
    if not full and state.pull_high_water:
        since = mc_timestamp(state.pull_high_water - HIGH_WATER_OVERLAP)
    started = timezone.now()
    high_water = state.pull_high_water
    client = client or get_client()
    for members, total in audience.iter_member_pages(since_last_changed=since, client=client):
        summary.calls += 1
        summary.total = total
        newest = apply_page(members, summary)
        if newest and (high_water is None or newest > high_water):
            high_water = newest
        summary.processed += len(members)
        if progress:
            progress(summary.processed, summary.total)
    if not dry_run:
        state.pull_high_water = high_water
        state.last_pull_at = started
        state.save(update_fields=["pull_high_water", "last_pull_at"])
    return summary


PROFILE_FIELDS = ["first_name", "last_name", "organisation"]


def names_from(merges: dict) -> dict:
    merges = merges if isinstance(merges, dict) else {}
    return {
        "first_name": str(merges.get("FNAME") or "")[:100],
        "last_name": str(merges.get("LNAME") or "")[:100],
        "organisation": str(merges.get("ORG") or "")[:160],
    }


def apply_page(members: list[dict], summary: SyncSummary) -> datetime | None:
    """Reconcile one page; returns the newest last_changed on it."""
    rows = []
    newest = None
    for member in members:
        email = normalise_email(str(member.get("email_address") or ""))
        status = PULL_STATUS.get(member.get("status", ""))
        changed = parse_mc_time(member.get("last_changed")) or parse_mc_time(
            member.get("timestamp_opt")
        )
        if changed and (newest is None or changed > newest):
            newest = changed
        if not email or "@" not in email or status is None:
            summary.counts["ignored"] += 1
            continue
        rows.append((email, status, changed or EPOCH, member))
    local = {
        s.email: s
        for s in Subscriber.objects.with_emails(r[0] for r in rows).only(
            "pk",
            "email",
            "status",
            "status_changed_at",
            "mailchimp_needs_push",
            "mailchimp_last_changed",
            "first_name",
            "last_name",
            "organisation",
        )
    }
    new_rows = [r for r in rows if r[0] not in local]
    if new_rows:
        # Erased here: Mailchimp may still hold them until its delete-permanent goes through.
        erased = tombstones.buried(r[0] for r in new_rows)
        if erased:
            summary.counts["erased_not_recreated"] += len(erased)
            new_rows = [r for r in new_rows if r[0] not in erased]
        # A subscriber's old address, renamed here but not yet in Mailchimp: the same person.
        renaming = set(
            Subscriber.objects.exclude(mailchimp_email="")
            .filter(mailchimp_email__in=[r[0] for r in new_rows])
            .values_list("mailchimp_email", flat=True)
        )
        if renaming:
            summary.counts["address_change_pending"] += len(renaming)
            new_rows = [r for r in new_rows if r[0] not in renaming]
    updates = PageUpdates()
    # One transaction per page: one commit instead of one per member.
    with transaction.atomic():
        create_from_mailchimp(new_rows, summary)
        for email, status, changed, member in rows:
            if email in local:
                reconcile(local[email], status, changed, member, summary, updates)
        if not summary.dry_run:
            updates.save()
    return newest


@dataclass
class PageUpdates:
    """Field updates collected over a page and written in two statements, not one per member."""

    seen: list[Subscriber] = field(default_factory=list)  # mailchimp_last_changed only
    profiles: list[Subscriber] = field(default_factory=list)  # + names from Mailchimp

    def save(self) -> None:
        # Grouped by value: Mailchimp's whole-second timestamps repeat a lot within a page.
        by_time: dict[datetime, list[int]] = {}
        for sub in self.seen:
            by_time.setdefault(sub.mailchimp_last_changed, []).append(sub.pk)
        for moment, pks in by_time.items():
            Subscriber.objects.filter(pk__in=pks).update(mailchimp_last_changed=moment)
        Subscriber.objects.bulk_update(
            self.profiles, ["mailchimp_last_changed", *PROFILE_FIELDS], batch_size=500
        )


def create_from_mailchimp(rows: list[tuple], summary: SyncSummary) -> None:
    """Members we do not have yet: new local records (source Mailchimp), in bulk."""
    summary.counts["created"] += len(rows)
    if summary.dry_run or not rows:
        return
    objs = [
        Subscriber(
            email=email,
            status=status,
            status_changed_at=changed,
            source=Subscriber.Source.MAILCHIMP,
            mailchimp_last_changed=changed,
            mailchimp_pushed_at=None,
            tags=[t.get("name") for t in member.get("tags") or [] if isinstance(t, dict)],
            **names_from(member.get("merge_fields")),
        )
        for email, status, changed, member in rows
    ]
    try:
        with transaction.atomic():
            created = Subscriber.objects.bulk_create(objs)
    except IntegrityError:
        # Someone (a webhook) created one of them meanwhile: fall back to one by one.
        created = []
        for obj in objs:
            try:
                with transaction.atomic():
                    obj.save()
                created.append(obj)
            except IntegrityError:
                summary.counts["created"] -= 1
    SubscriberEvent.objects.bulk_create(
        SubscriberEvent(
            subscriber_id=obj.pk,
            from_status="",
            to_status=obj.status,
            source="mailchimp_pull",
            occurred_at=obj.status_changed_at,
            detail={"created": True},
        )
        for obj in created
        if obj.pk
    )


def reconcile(
    sub: Subscriber,
    status: str,
    changed: datetime,
    member: dict,
    summary: SyncSummary,
    updates: PageUpdates,
) -> None:
    """One member known on both sides."""
    if sub.status == status:
        # Same status: keep Mailchimp's profile if it is newer than what we last saw from it.
        names = {k: v for k, v in names_from(member.get("merge_fields")).items() if v}
        newer = changed > (sub.mailchimp_last_changed or EPOCH)
        differs = any(getattr(sub, k) != v for k, v in names.items())
        if newer:
            sub.mailchimp_last_changed = changed
        if newer and differs and not sub.mailchimp_needs_push:
            summary.counts["profile_updated"] += 1
            for key, value in names.items():
                setattr(sub, key, value)
            updates.profiles.append(sub)
        else:
            summary.counts["unchanged"] += 1
            if newer:
                updates.seen.append(sub)
        return
    unsent_leave = sub.mailchimp_needs_push and sub.status in GONE and status not in GONE
    if not unsent_leave and mailchimp_is_newer(changed, sub.status_changed_at, status):
        summary.counts["status_from_mailchimp"] += 1
        if not summary.dry_run:
            sub.change_status(
                status,
                source="mailchimp_pull",
                at=max(changed, sub.status_changed_at),
                reason=Subscriber.CleanedReason.OTHER if status == Status.CLEANED else "",
                detail={"mailchimp_status": member.get("status")},
                push=False,
            )
            Subscriber.objects.filter(pk=sub.pk).update(mailchimp_last_changed=changed)
        return
    # Ours is newer (or an unsent unsubscribe): it goes to Mailchimp through the outbox.
    summary.counts["local_newer"] += 1
    if not summary.dry_run and not sub.mailchimp_needs_push:
        Subscriber.objects.filter(pk=sub.pk).update(
            mailchimp_needs_push=True, updated_at=timezone.now()
        )


def configured() -> bool:
    return bool(settings.MAILCHIMP_API_KEY and settings.MAILCHIMP_AUDIENCE_ID)
