"""`manage.py sync_subscribers`: batch push, paged pull (full and incremental), conflict rules."""

from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from newsletter.mailchimp import audience
from newsletter.models import AudienceSyncState, Subscriber
from newsletter.services import sync

from .audience_support import (
    api_calls,
    hours_ago,
    make_subscriber,
    mc_member,
    mc_put,
    mc_unsubscribe,
)

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync_subscribers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def seed_mailchimp(count: int, status: str = "subscribed", prefix: str = "mc") -> None:
    """Members that exist only in Mailchimp, added with batch calls."""
    members = [
        {
            "email_address": f"{prefix}{n}@example.se",
            "status": status,
            "merge_fields": {"FNAME": f"Förnamn{n}", "LNAME": "Svensson", "ORG": "Ydre kommun"},
        }
        for n in range(count)
    ]
    for start in range(0, count, 500):
        audience.batch_upsert(members[start : start + 500])


def test_push_full_uses_batches_of_500(mailchimp_sandbox):
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"person{n}@example.se",
            first_name=f"Person{n}",
            status=Status.UNSUBSCRIBED if n % 10 == 0 else Status.SUBSCRIBED,
        )
        for n in range(1203)
    )
    out, err = run("--push", "--full")

    batches = api_calls(mailchimp_sandbox, "POST", "/lists/testaudience")
    assert [len(b["body"]["members"]) for b in batches] == [500, 500, 203]
    assert all(b["body"]["update_existing"] is True for b in batches)
    assert len(api_calls(mailchimp_sandbox)) == 4  # one incremental pull first, then 3 batches
    assert mc_member("person1@example.se")["status"] == "subscribed"
    assert mc_member("person10@example.se")["status"] == "unsubscribed"
    assert mc_member("person7@example.se")["merge_fields"]["FNAME"] == "Person7"
    assert not Subscriber.objects.filter(mailchimp_pushed_at__isnull=True).exists()
    assert "1,203 of 1,203" in out
    assert "pushed 1,203" in out
    assert "push [" in err  # the progress bar


def test_push_without_full_sends_only_what_changed(mailchimp_sandbox):
    done = make_subscriber("done@example.se", mailchimp_pushed_at=timezone.now())
    make_subscriber(
        "changed@example.se", mailchimp_pushed_at=timezone.now(), mailchimp_needs_push=True
    )
    make_subscriber("never@example.se")
    run("--push")
    batch = api_calls(mailchimp_sandbox, "POST", "/lists/testaudience")[0]
    assert {m["email_address"] for m in batch["body"]["members"]} == {
        "changed@example.se",
        "never@example.se",
    }
    assert mc_member(done.email) is None


def test_push_dry_run_changes_nothing(mailchimp_sandbox):
    make_subscriber("anna@example.se")
    out, _ = run("--push", "--full", "--dry-run", "--no-progress")
    assert api_calls(mailchimp_sandbox) == []
    assert Subscriber.objects.get().mailchimp_pushed_at is None
    assert "dry run" in out
    assert "would_push 1" in out


def test_batch_push_never_resubscribes_someone_who_left(mailchimp_sandbox):
    # Subscribed here long ago; unsubscribed in Mailchimp since. Make the incremental pull skip
    # it, so the batch itself meets Mailchimp's refusal.
    sub = make_subscriber("anna@example.se", status_changed_at=hours_ago(2))
    mc_put("anna@example.se", "subscribed")
    mc_unsubscribe("anna@example.se")
    AudienceSyncState.objects.create(
        audience_id="testaudience", pull_high_water=timezone.now() + timedelta(minutes=5)
    )
    make_subscriber("other@example.se")
    out, _ = run("--push", "--full", "--no-progress")
    assert mc_member("anna@example.se")["status"] == "unsubscribed"
    assert mc_member("other@example.se")["status"] == "subscribed"
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    assert "mailchimp_newer 1" in out


def test_pull_full_in_pages_of_1000(mailchimp_sandbox):
    seed_mailchimp(2345)
    mailchimp_sandbox.requests.clear()
    out, _ = run("--pull", "--full")
    pages = api_calls(mailchimp_sandbox, "GET", "/members")
    assert [p["query"]["count"] for p in pages] == [["1000"]] * 3
    # Keyset pages: after the first, each asks for what changed since the newest change read.
    assert pages[0]["query"]["offset"] == ["0"]
    assert "since_last_changed" not in pages[0]["query"]
    assert all("since_last_changed" in p["query"] for p in pages[1:])
    assert all(p["query"]["sort_field"] == ["last_changed"] for p in pages)
    assert Subscriber.objects.count() == 2345
    sub = Subscriber.objects.get(email="mc7@example.se")
    assert sub.status == Status.SUBSCRIBED
    assert sub.source == Subscriber.Source.MAILCHIMP
    assert (sub.first_name, sub.organisation) == ("Förnamn7", "Ydre kommun")
    assert sub.mailchimp_needs_push is False
    assert sub.events.get().source == "mailchimp_pull"
    assert "created 2,345" in out
    assert AudienceSyncState.objects.get().pull_high_water is not None


def test_pull_is_incremental_after_the_first(mailchimp_sandbox):
    seed_mailchimp(30)
    run("--pull", "--full")
    high_water = AudienceSyncState.objects.get().pull_high_water
    # Later changes in Mailchimp (a second on, so they are newer by Mailchimp's clock).
    import time

    time.sleep(1.1)
    mc_unsubscribe("mc3@example.se")
    mc_put("nykomling@example.se", "subscribed", FNAME="Ny")
    mailchimp_sandbox.requests.clear()

    out, _ = run("--pull", "--no-progress")

    page = api_calls(mailchimp_sandbox, "GET", "/members")[0]
    assert page["query"]["since_last_changed"] == [
        sync.mc_timestamp(high_water - sync.HIGH_WATER_OVERLAP)
    ]
    assert len(api_calls(mailchimp_sandbox)) == 1
    assert Subscriber.objects.get(email="mc3@example.se").status == Status.UNSUBSCRIBED
    assert Subscriber.objects.get(email="nykomling@example.se").status == Status.SUBSCRIBED
    assert "status_from_mailchimp 1" in out
    assert "created 1" in out
    assert AudienceSyncState.objects.get().pull_high_water > high_water


def test_pull_dry_run_changes_nothing(mailchimp_sandbox):
    seed_mailchimp(5)
    out, _ = run("--pull", "--full", "--dry-run", "--no-progress")
    assert not Subscriber.objects.exists()
    assert not AudienceSyncState.objects.filter(pull_high_water__isnull=False).exists()
    assert "would" in out or "created 5" in out


def test_pull_conflict_rules(mailchimp_sandbox):
    # 1. Subscribed here an hour ago, unsubscribed in Mailchimp since: Mailchimp wins.
    left_there = make_subscriber("left-there@example.se", status_changed_at=hours_ago(1))
    # 2. Unsubscribed here, not yet sent; subscribed in Mailchimp (newer): leaving wins.
    left_here = make_subscriber(
        "left-here@example.se",
        Status.UNSUBSCRIBED,
        status_changed_at=hours_ago(1),
        mailchimp_needs_push=True,
    )
    # 3. Signed up again here after leaving in Mailchimp: ours is newer, goes out via the outbox.
    back_here = make_subscriber("back-here@example.se", status_changed_at=hours_ago(1))
    # 4. Same status on both sides: untouched.
    same = make_subscriber("same@example.se", status_changed_at=hours_ago(1))
    for email in ["left-there@example.se", "left-here@example.se", "same@example.se"]:
        mc_put(email, "subscribed")
    mc_unsubscribe("left-there@example.se")
    mc_put("back-here@example.se", "unsubscribed")
    back_here.status_changed_at = timezone.now() + timedelta(seconds=1)
    back_here.save()

    out, _ = run("--pull", "--full", "--no-progress")

    for sub in (left_there, left_here, back_here, same):
        sub.refresh_from_db()
    assert left_there.status == Status.UNSUBSCRIBED
    assert left_there.mailchimp_needs_push is False
    assert left_here.status == Status.UNSUBSCRIBED
    assert left_here.mailchimp_needs_push is True
    assert back_here.status == Status.SUBSCRIBED
    assert back_here.mailchimp_needs_push is True
    assert same.status == Status.SUBSCRIBED
    assert "status_from_mailchimp 1" in out
    assert "local_newer 2" in out

    # The outbox then sends the unsubscribe and asks Mailchimp to confirm the returning one.
    from newsletter.tasks.audience import push_pending_subscribers

    push_pending_subscribers.enqueue()
    assert mc_member("left-here@example.se")["status"] == "unsubscribed"
    assert mc_member("back-here@example.se")["status"] == "pending"


def test_pull_updates_profiles_changed_in_mailchimp(mailchimp_sandbox):
    sub = make_subscriber("anna@example.se", mailchimp_last_changed=hours_ago(1))
    mc_put("anna@example.se", "subscribed", FNAME="Annika", ORG="Essunga kommun")
    run("--pull", "--full", "--no-progress")
    sub.refresh_from_db()
    assert (sub.first_name, sub.organisation) == ("Annika", "Essunga kommun")


def test_mailchimp_down_during_pull_keeps_the_mark(mailchimp_sandbox):
    seed_mailchimp(3)
    mailchimp_sandbox.inject(status=503)
    with pytest.raises(CommandError, match="nothing is lost"):
        run("--pull", "--full", "--no-progress")
    assert not AudienceSyncState.objects.filter(pull_high_water__isnull=False).exists()
    from newsletter.tasks.audience import pull_audience_changes

    assert pull_audience_changes.enqueue().return_value["created"] == 3


def test_direction_is_required():
    with pytest.raises(CommandError):
        run()
