"""Issue 11, point 6: the pull pages by keyset, so members changing during a pull are never
skipped. The sandbox changes members between page requests (a hook on its member listing)."""

from datetime import timedelta

import pytest

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import Subscriber
from newsletter.services import sync
from tests.newsletter.audience_support import api_calls, mc_put

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
EMAILS = [f"m{n:02d}@example.se" for n in range(25)]


@pytest.fixture
def audience_of_25(mailchimp_sandbox, monkeypatch):
    from mailchimp_sandbox.state import iso, now

    monkeypatch.setattr(audience, "PAGE_SIZE", 10)
    for email in EMAILS:
        mc_put(email, "subscribed")
    base = now() - timedelta(hours=1)

    def set_times(seconds_of):
        with mailchimp_sandbox.state.lock:
            members = mailchimp_sandbox.state.members["testaudience"]
            for n, email in enumerate(EMAILS):
                members[subscriber_hash(email)]["last_changed"] = iso(
                    base + timedelta(seconds=seconds_of(n))
                )

    return set_times


def change_between_pages(sandbox, changes: dict[int, dict[str, str]]):
    """Before the n-th member listing request (1-based), change members as Mailchimp would:
    {n: {email: new status}}; each change gets a new last_changed (now)."""
    from mailchimp_sandbox.state import iso

    seen = {"listings": 0}

    def hook(req):
        if req.path.rstrip("/") != "/lists/testaudience/members":
            return
        seen["listings"] += 1
        with sandbox.state.lock:
            members = sandbox.state.members["testaudience"]
            for email, status in changes.get(seen["listings"], {}).items():
                member = members[subscriber_hash(email)]
                member["status"] = status
                member["last_changed"] = iso()

    sandbox.inject(hook=hook, method="GET", path="/members", count=1000)
    return seen


def local_statuses():
    return dict(Subscriber.objects.values_list("email", "status"))


def test_members_changing_mid_pull_across_page_boundaries_are_not_skipped(
    mailchimp_sandbox, audience_of_25
):
    audience_of_25(lambda n: n // 3)  # three members a second: ties cross page boundaries
    change_between_pages(
        mailchimp_sandbox,
        {
            2: {"m01@example.se": "unsubscribed", "m10@example.se": "unsubscribed"},
            3: {"m05@example.se": "cleaned", "m19@example.se": "unsubscribed"},
        },
    )
    mailchimp_sandbox.requests.clear()

    summary = sync.pull_changes(full=True)

    statuses = local_statuses()
    assert sorted(statuses) == EMAILS  # nobody skipped
    assert statuses["m01@example.se"] == Status.UNSUBSCRIBED
    assert statuses["m10@example.se"] == Status.UNSUBSCRIBED
    assert statuses["m19@example.se"] == Status.UNSUBSCRIBED
    assert statuses["m05@example.se"] == Status.CLEANED
    assert sum(s == Status.SUBSCRIBED for s in statuses.values()) == 21
    pages = api_calls(mailchimp_sandbox, "GET", "/members")
    assert summary.calls == len(pages)
    # After the first page, each asks for what changed since the newest change read, in order.
    assert all(p["query"]["sort_field"] == ["last_changed"] for p in pages)
    assert all(p["query"]["sort_dir"] == ["ASC"] for p in pages)
    assert "since_last_changed" not in pages[0]["query"]
    assert all("since_last_changed" in p["query"] for p in pages[1:])


def test_a_change_inside_a_second_bigger_than_a_page_is_not_skipped(
    mailchimp_sandbox, audience_of_25
):
    audience_of_25(lambda n: 0)  # all 25 in the same second (a bulk import)
    # After page 1 (m00–m09), a member of it changes: the rest of that second shifts down by one.
    change_between_pages(mailchimp_sandbox, {2: {"m03@example.se": "unsubscribed"}})

    sync.pull_changes(full=True)

    statuses = local_statuses()
    assert sorted(statuses) == EMAILS
    assert statuses["m03@example.se"] == Status.UNSUBSCRIBED
    assert sum(s == Status.SUBSCRIBED for s in statuses.values()) == 24


def test_an_unchanged_audience_costs_one_call_per_page(mailchimp_sandbox, audience_of_25):
    audience_of_25(lambda n: n)
    mailchimp_sandbox.requests.clear()
    summary = sync.pull_changes(full=True)
    assert len(local_statuses()) == 25
    # 25 members, pages of 10 overlapping by one member: 10 + 9 + 6.
    assert summary.calls == len(api_calls(mailchimp_sandbox, "GET", "/members")) == 3


def test_an_incremental_pull_gets_changes_made_in_the_second_of_its_high_water_mark(
    mailchimp_sandbox, audience_of_25
):
    # bench_sync's incremental step: every change made in Mailchimp must arrive, including those
    # stamped with the same whole second as the newest member the last pull read.
    from mailchimp_sandbox.state import iso

    audience_of_25(lambda n: n)
    sync.pull_changes(full=True)
    with mailchimp_sandbox.state.lock:
        members = mailchimp_sandbox.state.members["testaudience"]
        newest = members[subscriber_hash(EMAILS[-1])]["last_changed"]
        for email in EMAILS[:12]:  # more than a page, all in the high-water second
            members[subscriber_hash(email)].update(status="unsubscribed", last_changed=newest)
        members[subscriber_hash(EMAILS[12])].update(status="cleaned", last_changed=iso())

    summary = sync.pull_changes()

    statuses = local_statuses()
    assert summary.counts["status_from_mailchimp"] == 13
    assert [statuses[e] for e in EMAILS[:12]] == [Status.UNSUBSCRIBED] * 12
    assert statuses[EMAILS[12]] == Status.CLEANED
    assert sum(s == Status.SUBSCRIBED for s in statuses.values()) == 12
