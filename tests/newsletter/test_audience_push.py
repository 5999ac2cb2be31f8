"""Pushing subscribers to the Mailchimp audience (real HTTP to the sandbox): the outbox, retries,
conflict rules, erasure."""

import time
from datetime import UTC, timedelta

import pytest
import time_machine

from django.utils import timezone

from newsletter import audience_sync
from newsletter.mailchimp import audience
from newsletter.models import AudienceSyncState, MailchimpErasure, Subscriber
from newsletter.tasks import audience as tasks

from .audience_support import api_calls, hours_ago, make_subscriber, mc_member, mc_put

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def push(sub, capture):
    """schedule_push as views do: inside a transaction, sent after commit."""
    with capture(execute=True):
        audience_sync.schedule_push(sub)
    sub.refresh_from_db()
    return sub


def test_push_creates_member_with_merge_fields_consent_and_tags(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    signed_up = timezone.now() - timedelta(days=1)
    sub = make_subscriber(
        "Anna.Andersson@Example.se",
        signup_ip="198.51.100.1",
        signup_at=signed_up,
        confirm_ip="198.51.100.2",
        confirmed_at=signed_up + timedelta(minutes=5),
        tags=["Nyhetsbrev", "Evenemang"],
    )
    sub = push(sub, django_capture_on_commit_callbacks)

    member = mc_member("anna.andersson@example.se")
    assert member["status"] == "subscribed"
    assert member["merge_fields"]["FNAME"] == "Anna"
    assert member["merge_fields"]["LNAME"] == "Andersson"
    assert member["merge_fields"]["ORG"] == "Grästorps kommun"
    assert member["ip_signup"] == "198.51.100.1"
    assert member["ip_opt"] == "198.51.100.2"
    assert member["timestamp_opt"].startswith(
        (signed_up + timedelta(minutes=5)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert {t["name"] for t in member["tags"]} == {"Nyhetsbrev", "Evenemang"}
    puts = api_calls(mailchimp_sandbox, "PUT", "/members/")
    assert len(puts) == 1
    assert puts[0]["body"]["status_if_new"] == "subscribed"
    assert sub.mailchimp_needs_push is False
    assert sub.mailchimp_pushed_at is not None
    assert sub.mailchimp_last_changed is not None


def test_unsubscribe_reaches_mailchimp(mailchimp_sandbox, django_capture_on_commit_callbacks):
    sub = push(make_subscriber("anna@example.se"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sub.change_status(Status.UNSUBSCRIBED, source="one_click")
        audience_sync.schedule_push(sub)
    assert mc_member("anna@example.se")["status"] == "unsubscribed"
    sub.refresh_from_db()
    assert sub.mailchimp_needs_push is False


def test_cleaned_is_never_pushed_as_subscribed(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    sub = make_subscriber("studs@example.se", Status.CLEANED, cleaned_reason="hard_bounce")
    push(sub, django_capture_on_commit_callbacks)
    assert mc_member("studs@example.se")["status"] == "unsubscribed"


def test_tags_removed_here_are_removed_there(mailchimp_sandbox, django_capture_on_commit_callbacks):
    sub = push(
        make_subscriber("anna@example.se", tags=["Nyhetsbrev", "Evenemang"]),
        django_capture_on_commit_callbacks,
    )
    audience.set_member_tags("anna@example.se", {"Redaktörens egen": True})
    sub.tags = ["Nyhetsbrev"]
    sub.save()
    push(sub, django_capture_on_commit_callbacks)
    tags = {t["name"] for t in mc_member("anna@example.se")["tags"]}
    # Our interest removed; the tag an editor set in Mailchimp stays.
    assert tags == {"Nyhetsbrev", "Redaktörens egen"}


def test_new_signup_waiting_for_our_confirmation_is_not_sent(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    sub = push(make_subscriber("ny@example.se", Status.PENDING), django_capture_on_commit_callbacks)
    assert api_calls(mailchimp_sandbox) == []  # Mailchimp would mail its own confirmation too
    assert mc_member("ny@example.se") is None
    assert sub.mailchimp_needs_push is False


def test_push_never_resubscribes_someone_who_left_later_in_mailchimp(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    # Subscribed here an hour ago; unsubscribed in Mailchimp since.
    sub = make_subscriber("anna@example.se", status_changed_at=hours_ago(1))
    mc_put("anna@example.se", "subscribed")
    mc_put("anna@example.se", "unsubscribed")
    mailchimp_sandbox.requests.clear()

    sub = push(sub, django_capture_on_commit_callbacks)

    assert mc_member("anna@example.se")["status"] == "unsubscribed"
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.mailchimp_needs_push is False
    logged = sub.events.get(applied=True)
    assert logged.detail["rule"] == "mailchimp_newer"
    # One refused PUT, one GET to compare times; no loop.
    assert [r["method"] for r in api_calls(mailchimp_sandbox)] == ["PUT", "GET", "GET"]


def test_signing_up_again_after_leaving_is_pushed_as_pending(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    mc_put("anna@example.se", "subscribed")
    mc_put("anna@example.se", "unsubscribed")
    mailchimp_sandbox.requests.clear()
    # Confirmed again here, after leaving (our change is newer; Mailchimp's clock has whole
    # seconds and leaving wins a tie, so a second later).
    time.sleep(1.1)
    sub = make_subscriber("anna@example.se")

    sub = push(sub, django_capture_on_commit_callbacks)

    assert mc_member("anna@example.se")["status"] == "pending"
    assert sub.status == Status.PENDING  # until Mailchimp's own confirmation comes back
    assert sub.mailchimp_needs_push is False
    assert mailchimp_sandbox.messages(to="anna@example.se")  # Mailchimp's confirmation mail
    puts = api_calls(mailchimp_sandbox, "PUT", "/members/")
    assert [p["body"]["status"] for p in puts] == ["subscribed", "pending"]


def test_permanently_deleted_member_is_recorded_not_looped(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    mc_put("borta@example.se", "subscribed")
    audience.delete_member_permanent(audience.subscriber_hash("borta@example.se"))
    mailchimp_sandbox.requests.clear()
    sub = push(make_subscriber("borta@example.se"), django_capture_on_commit_callbacks)
    assert len(api_calls(mailchimp_sandbox)) == 1
    assert sub.mailchimp_needs_push is False  # not retried forever
    assert "Forgotten" in sub.mailchimp_last_error
    assert sub.mailchimp_push_attempts == 1


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"delay": 2.5}])
def test_mailchimp_down_during_push_then_recovered(
    mailchimp_sandbox, django_capture_on_commit_callbacks, settings, fault
):
    settings.MAILCHIMP_TIMEOUT = 1
    mailchimp_sandbox.inject(count=1, **fault)
    sub = push(make_subscriber("anna@example.se"), django_capture_on_commit_callbacks)

    assert sub.mailchimp_needs_push is True  # still in the outbox
    assert sub.mailchimp_push_attempts == 1
    assert sub.mailchimp_last_error
    assert mc_member("anna@example.se") is None

    # The sweeper sends it once Mailchimp answers.
    result = tasks.push_pending_subscribers.enqueue()
    assert result.return_value == {"pushed": 1}
    sub.refresh_from_db()
    assert sub.mailchimp_needs_push is False
    assert sub.mailchimp_push_attempts == 0
    assert mc_member("anna@example.se")["status"] == "subscribed"


def test_sweeper_backs_off_while_mailchimp_is_down(mailchimp_sandbox):
    for n in range(3):
        make_subscriber(f"person{n}@example.se", mailchimp_needs_push=True)
    mailchimp_sandbox.inject(status=503, count=100)

    first = tasks.push_pending_subscribers.enqueue().return_value
    # Two failures in a row are an outage: stopped there, not one call per subscriber.
    assert first["retry"] == 2
    assert len(api_calls(mailchimp_sandbox)) == 2
    state = AudienceSyncState.objects.get(audience_id="testaudience")
    assert state.push_failures == 1
    assert state.push_retry_at > timezone.now()

    # The next periodic run comes before the backoff has passed: no call at all.
    assert "waiting_until" in tasks.push_pending_subscribers.enqueue().return_value
    assert len(api_calls(mailchimp_sandbox)) == 2

    mailchimp_sandbox.faults.clear()
    with time_machine.travel(state.push_retry_at + timedelta(seconds=1)):
        done = tasks.push_pending_subscribers.enqueue().return_value
    assert done == {"pushed": 3}
    assert not Subscriber.objects.filter(mailchimp_needs_push=True).exists()
    state.refresh_from_db()
    assert state.push_failures == 0


def test_failed_push_retries_itself_with_backoff(mailchimp_sandbox, settings):
    """With a backend that can defer (the database one in production), a failed push re-enqueues
    itself with run_after; DummyBackend records what was enqueued."""
    from django_tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}
    }
    sub = make_subscriber("anna@example.se", mailchimp_needs_push=True)
    mailchimp_sandbox.inject(status=500)
    before = timezone.now()
    assert tasks.push_subscriber.call(sub.pk) == "retry"
    queued = task_backends["default"].results
    assert len(queued) == 1
    assert queued[0].task.name == "push_subscriber"
    assert queued[0].args == [sub.pk]
    assert queued[0].task.run_after > before
    # The retry itself succeeds.
    assert tasks.push_subscriber.call(sub.pk) == "pushed"


def test_push_of_an_unchanged_subscriber_is_a_no_op(mailchimp_sandbox):
    sub = make_subscriber("anna@example.se", mailchimp_needs_push=False)
    assert tasks.push_subscriber.call(sub.pk) == "not_needed"
    assert api_calls(mailchimp_sandbox) == []


# --- erasure ------------------------------------------------------------------------------------


def test_erasure_deletes_the_member_permanently(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    mc_put("anna@example.se", "subscribed")
    with django_capture_on_commit_callbacks(execute=True):
        audience_sync.schedule_erasure("Anna@Example.se")
    posts = api_calls(mailchimp_sandbox, "POST", "/actions/delete-permanent")
    assert len(posts) == 1
    assert mc_member("anna@example.se") is None
    assert not MailchimpErasure.objects.exists()


def test_erasure_of_an_address_mailchimp_never_had_succeeds(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audience_sync.schedule_erasure("okand@example.se")
    assert api_calls(mailchimp_sandbox)[0]["status"] == 404
    assert not MailchimpErasure.objects.exists()


def test_erasure_during_an_outage_is_kept_and_retried(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    mc_put("anna@example.se", "subscribed")
    mailchimp_sandbox.inject(status=503)
    with django_capture_on_commit_callbacks(execute=True):
        audience_sync.schedule_erasure("anna@example.se")
    erasure = MailchimpErasure.objects.get()
    assert erasure.attempts == 1
    assert "@" not in erasure.member_hash + erasure.last_error  # no personal data kept
    assert tasks.push_pending_subscribers.enqueue().return_value == {"erasure_deleted": 1}
    assert mc_member("anna@example.se") is None
    assert not MailchimpErasure.objects.exists()
