"""Issue 11, points 1–3: an unsubscribe or cleaning is never given up, goes first, and is in
Mailchimp before any campaign goes out. Real HTTP against the sandbox with targeted faults."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

from datetime import timedelta

import pytest
import time_machine

from django.contrib.auth import get_user_model
from django.utils import timezone

from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import CampaignStatus, Subscriber
from newsletter.services import campaigns as campaign_service
from newsletter.services import send_gate, sync
from newsletter.tasks import audience as tasks
from tests.newsletter.audience_support import api_calls, make_subscriber, mc_member, mc_put
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    campaign_of,
    issue,
    publish,
    sandbox,
    sender,
    site_settings,
)
from tests.newsletter.subscriber_support import CommittingClient

pytestmark = pytest.mark.django_db

Status = Subscriber.Status

MERGE_FIELDS_REFUSED = {
    "title": "Invalid Resource",
    "detail": "Your merge fields were invalid. Please enter a value for ORG.",
}


def leaver(email, **fields):
    """Someone whose unsubscribe is waiting in the outbox; Mailchimp still has them subscribed."""
    mc_put(email, "subscribed")
    fields.setdefault("mailchimp_pushed_at", timezone.now() - timedelta(days=3))
    return make_subscriber(email, status=Status.UNSUBSCRIBED, mailchimp_needs_push=True, **fields)


def puts_for(server, email):
    return api_calls(server, "PUT", subscriber_hash(email))


# --- 1. never given up ---------------------------------------------------------------------------


def test_a_leave_refused_for_its_merge_fields_is_sent_as_status_alone(mailchimp_sandbox):
    sub = leaver("anna@example.se")
    mailchimp_sandbox.requests.clear()
    mailchimp_sandbox.inject(
        status=400, method="PUT", body_has="merge_fields", **MERGE_FIELDS_REFUSED
    )

    assert tasks.push_subscriber.call(sub.pk) == "pushed"

    assert mc_member("anna@example.se")["status"] == "unsubscribed"
    first, second = puts_for(mailchimp_sandbox, "anna@example.se")
    assert first["status"] == 400 and "merge_fields" in first["body"]
    assert second["body"] == {
        "email_address": "anna@example.se",
        "status_if_new": "unsubscribed",
        "status": "unsubscribed",
    }
    sub.refresh_from_db()
    assert sub.mailchimp_needs_push is False  # cleared only now that Mailchimp has it


def test_a_cleaning_refused_twice_stays_in_the_outbox_with_its_own_backoff(mailchimp_sandbox):
    sub = leaver("bo@example.se", cleaned_reason="hard_bounce")
    Subscriber.objects.filter(pk=sub.pk).update(status=Status.CLEANED)
    mailchimp_sandbox.inject(status=400, count=2, method="PUT", title="Invalid Resource")

    assert sync.push_subscriber(sub.pk).outcome == "waiting"

    sub.refresh_from_db()
    assert sub.mailchimp_needs_push is True  # never given up
    assert sub.mailchimp_retry_at > timezone.now()
    assert mc_member("bo@example.se")["status"] == "subscribed"
    with time_machine.travel(sub.mailchimp_retry_at + timedelta(seconds=1)):
        assert tasks.push_pending_subscribers.enqueue().return_value == {"pushed": 1}
    assert mc_member("bo@example.se")["status"] == "unsubscribed"


def test_a_rotated_key_keeps_the_unsubscribe_waiting_and_on_the_dashboard(
    mailchimp_sandbox, home_page
):
    sub = leaver("cia@example.se")
    mailchimp_sandbox.inject(status=401, count=10, title="API Key Invalid")

    assert tasks.push_subscriber.call(sub.pk) == "auth"
    swept = tasks.push_pending_subscribers.enqueue().return_value
    assert swept["auth"] == 1 and "backoff_seconds" in swept

    sub.refresh_from_db()
    assert sub.mailchimp_needs_push is True
    admin = get_user_model().objects.create_superuser("admin", "admin@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert 'data-figure="unsubscribes_waiting"' in html
    assert "1 avregistrering har ännu inte nått Mailchimp" in html

    # The key is fixed: the next sweep after the backoff sends it and the alert goes away.
    mailchimp_sandbox.faults.clear()
    state_retry = timezone.now() + timedelta(hours=2)
    with time_machine.travel(state_retry):
        assert tasks.push_pending_subscribers.enqueue().return_value["pushed"] == 1
    assert mc_member("cia@example.se")["status"] == "unsubscribed"
    assert 'data-figure="unsubscribes_waiting"' not in client.get("/admin/").content.decode()


# --- 2. first, and one bad member holds up nobody ------------------------------------------------


def test_sweeper_pushes_leaves_first_and_skips_a_member_that_keeps_failing(mailchimp_sandbox):
    # Created first (lowest pk): a plain profile change, then a leave Mailchimp keeps refusing.
    profile = make_subscriber("profil@example.se", mailchimp_needs_push=True)
    stuck = leaver("fast@example.se")
    gone = leaver("borta@example.se")
    mailchimp_sandbox.requests.clear()
    mailchimp_sandbox.inject(status=400, count=100, path=subscriber_hash("fast@example.se"))

    counts = tasks.push_pending_subscribers.enqueue().return_value
    assert counts == {"waiting": 1, "pushed": 2}

    order = [r["path"] for r in api_calls(mailchimp_sandbox, "PUT")]
    hashes = [subscriber_hash(e) for e in ("fast@example.se", "borta@example.se")]
    # Both leaves (the stuck one twice: full body, then status alone) before the profile.
    assert [h for h in hashes if any(h in p for p in order[:3])] == hashes
    assert subscriber_hash("profil@example.se") in order[-1]
    assert mc_member("borta@example.se")["status"] == "unsubscribed"
    profile.refresh_from_db()
    stuck.refresh_from_db()
    assert profile.mailchimp_needs_push is False
    assert stuck.mailchimp_needs_push is True and stuck.mailchimp_retry_at > timezone.now()

    # The next sweep leaves it alone until its own backoff has passed.
    mailchimp_sandbox.requests.clear()
    assert tasks.push_pending_subscribers.enqueue().return_value == {}
    assert api_calls(mailchimp_sandbox) == []
    gone.refresh_from_db()
    assert gone.mailchimp_needs_push is False


def test_one_member_failing_temporarily_does_not_stop_the_sweep(mailchimp_sandbox):
    first = leaver("forst@example.se")
    leaver("andra@example.se")
    make_subscriber("tredje@example.se", mailchimp_needs_push=True)
    mailchimp_sandbox.inject(status=503, count=1, path=subscriber_hash("forst@example.se"))

    counts = tasks.push_pending_subscribers.enqueue().return_value
    assert counts["retry"] == 1 and counts["pushed"] == 2
    assert mc_member("andra@example.se")["status"] == "unsubscribed"
    assert mc_member("tredje@example.se")["status"] == "subscribed"
    first.refresh_from_db()
    assert first.mailchimp_needs_push is True
    assert tasks.push_pending_subscribers.enqueue().return_value == {"pushed": 1}
    assert mc_member("forst@example.se")["status"] == "unsubscribed"


# --- 3. before a send or a schedule --------------------------------------------------------------


@pytest.fixture
def synced(issue, sandbox, sender, django_capture_on_commit_callbacks):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    return issue


def test_waiting_unsubscribes_are_pushed_before_the_send(synced, sandbox):
    # anna@kommun.se is in the audience (the fixture); she left here, Mailchimp has not heard.
    leaver("anna@kommun.se")
    sandbox.requests.clear()
    campaign, key = campaign_service.request_send(synced)
    assert campaign_service.run_send(campaign.pk, key).ok

    calls = [(r["method"], r["api_path"]) for r in api_calls(sandbox)]
    member_put = calls.index(
        ("PUT", f"/lists/testaudience/members/{subscriber_hash('anna@kommun.se')}")
    )
    send = [n for n, c in enumerate(calls) if c[1].endswith("/actions/send")]
    assert send and member_put < send[0]
    assert mc_member("anna@kommun.se")["status"] == "unsubscribed"


def test_send_refused_while_an_unsubscribe_cannot_be_pushed(synced, sandbox):
    leaver("anna@kommun.se")
    leaver("bertil@kommun.se")
    sandbox.inject(status=503, count=50, path="/members/")

    with pytest.raises(send_gate.UnsubscribesPending) as refused:
        send_gate.push_pending_unsubscribes()
    assert refused.value.count == 2

    campaign, key = campaign_service.request_send(synced)
    outcome = campaign_service.run_send(campaign.pk, key)
    assert not outcome.ok
    assert "2 avregistreringar eller raderingar har ännu inte nått Mailchimp" in outcome.message
    assert "tekniska problem" in outcome.message  # why: Mailchimp's own answer, in Swedish
    assert api_calls(sandbox, "POST", "/actions/send") == []
    assert campaign_of(synced).status == CampaignStatus.FAILED


def test_schedule_refused_while_an_unsubscribe_cannot_be_pushed(synced, sandbox):
    leaver("cecilia@kommun.se")
    sandbox.inject(status=401, count=50, path="/members/", title="API Key Invalid")
    when = timezone.now() + timedelta(days=1)
    campaign, rounded = campaign_service.request_schedule(synced, when)
    outcome = campaign_service.run_schedule(campaign.pk, rounded.isoformat())
    assert not outcome.ok
    assert "1 avregistrering eller radering har ännu inte nått Mailchimp" in outcome.message
    assert api_calls(sandbox, "POST", "/actions/schedule") == []

    sandbox.faults.clear()
    assert send_gate.push_pending_unsubscribes() == 1
    assert mc_member("cecilia@kommun.se")["status"] == "unsubscribed"
