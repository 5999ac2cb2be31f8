"""Issue 11, points 7–9: an erasure leaves a tombstone that every path respects, clears the
webhook inbox, and is retried in Mailchimp until it goes through or an administrator resolves it."""

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import (
    ErasureTombstone,
    MailchimpErasure,
    MailchimpWebhookEvent,
    Subscriber,
)
from newsletter.services import subscribers as service
from newsletter.services import sync, tombstones, webhook_inbox
from newsletter.tasks import audience as tasks
from tests.newsletter.audience_support import (
    api_calls,
    event,
    make_subscriber,
    mc_member,
    mc_put,
    post_event,
)
from tests.newsletter.mandrill_support import mandrill_event, signed_post
from tests.newsletter.subscriber_support import CommittingClient

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
ANNA = "anna@example.se"


@pytest.fixture
def erased(mailchimp_sandbox, django_capture_on_commit_callbacks):
    """Anna, erased here; Mailchimp's delete-permanent has not gone through yet (it is down)."""
    mc_put(ANNA, "subscribed", FNAME="Anna")
    sub = make_subscriber(ANNA, mailchimp_pushed_at=timezone.now())
    mailchimp_sandbox.inject(status=503, count=5, path="/actions/delete-permanent")
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    assert mc_member(ANNA) is not None  # still there
    mailchimp_sandbox.faults.clear()
    return sub


def store(fields, **extra):
    body = "&".join(f"{k}={v}" for k, v in sorted(fields.items())).encode()
    webhook_inbox.store(body, fields)
    event_row = MailchimpWebhookEvent.objects.latest("id")
    if extra:
        MailchimpWebhookEvent.objects.filter(pk=event_row.pk).update(**extra)
    return event_row


# --- 7. tombstones -------------------------------------------------------------------------------


def test_tombstone_is_a_keyed_hash_without_the_address(erased, settings):
    stone = ErasureTombstone.objects.get()
    assert ANNA not in stone.address_hash
    assert stone.address_hash != hashlib.sha256(ANNA.encode()).hexdigest()
    assert tombstones.is_buried("Anna@Example.SE")  # the normalised address
    settings.NEWSLETTER_TOMBSTONE_KEY = "another-key"
    assert not tombstones.is_buried(ANNA)  # useless without the key


def test_the_pull_does_not_recreate_an_erased_person(erased):
    summary = sync.pull_changes(full=True)
    assert summary.counts["erased_not_recreated"] == 1
    assert not Subscriber.objects.filter(email=ANNA).exists()


def test_a_webhook_event_after_the_erasure_does_not_recreate_them(erased, client):
    response = post_event(client, event("unsubscribe", email=ANNA, merges_FNAME="Anna"))
    assert response.status_code == 200
    assert MailchimpWebhookEvent.objects.get().outcome == "erased"
    assert not Subscriber.objects.filter(email=ANNA).exists()


def test_the_csv_import_does_not_recreate_them(erased):
    report = service.import_csv(f"email;namn\n{ANNA};Anna A\nny@example.se;Ny\n".encode())
    assert report.created == 1
    assert report.rejected == [
        (2, ANNA, "Har raderats på personens begäran; importeras inte igen.")
    ]
    assert not Subscriber.objects.filter(email=ANNA).exists()


def test_the_tracking_webhook_does_not_recreate_them(erased, client):
    response = signed_post(client, [mandrill_event("spam", ANNA, "ev-erased")])
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email=ANNA).exists()


def test_a_fresh_sign_up_is_new_consent_and_lifts_the_tombstone(erased):
    result = service.signup(email=ANNA, name="Anna Andersson", consent_text="Ja")
    assert result.outcome == "confirmation_sent"
    assert Subscriber.objects.get(email=ANNA).status == Status.PENDING
    assert not ErasureTombstone.objects.exists()


# --- 8. the webhook inbox ------------------------------------------------------------------------


def test_erase_removes_their_waiting_and_failed_webhook_events(mailchimp_sandbox):
    sub = make_subscriber(ANNA)
    store(event("profile", email="Anna@Example.se", merges_FNAME="Anna"))
    store(
        event("unsubscribe", fired_at="2026-01-10 11:00:00", email=ANNA),
        attempts=webhook_inbox.MAX_ATTEMPTS,
        last_error="OperationalError: anna@example.se",
    )
    store(event("upemail", old_email=ANNA, new_email="anna.ny@example.se"))
    other = store(event("unsubscribe", email="bo@example.se"))

    service.erase(sub)

    assert list(MailchimpWebhookEvent.objects.values_list("pk", flat=True)) == [other.pk]


def test_failed_events_are_purged_after_the_retention(settings):
    settings.NEWSLETTER_WEBHOOK_RETENTION_DAYS = 2
    old = timezone.now() - timedelta(days=3)
    failed_old = store(
        event("unsubscribe", email="a@example.se"),
        attempts=webhook_inbox.MAX_ATTEMPTS,
        received_at=old,
    )
    failed_new = store(
        event("unsubscribe", email="b@example.se"), attempts=webhook_inbox.MAX_ATTEMPTS
    )
    assert webhook_inbox.purge_old() == 1
    remaining = set(MailchimpWebhookEvent.objects.values_list("pk", flat=True))
    assert failed_old.pk not in remaining and failed_new.pk in remaining


# --- 9. refused delete-permanent -----------------------------------------------------------------


def test_a_refused_erasure_is_retried_shown_and_listed(
    mailchimp_sandbox, django_capture_on_commit_callbacks, home_page
):
    mc_put(ANNA, "subscribed")
    sub = make_subscriber(ANNA, mailchimp_pushed_at=timezone.now())
    mailchimp_sandbox.inject(
        status=400, count=2, path="/actions/delete-permanent", title="Invalid Resource"
    )
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    erasure = MailchimpErasure.objects.get()
    assert erasure.refused and erasure.retry_at > timezone.now()

    # Listed by the command (hash only) and on the dashboard.
    out = io.StringIO()
    call_command("sync_subscribers", "--erasures", stdout=out)
    assert subscriber_hash(ANNA) in out.getvalue() and "refused" in out.getvalue()
    assert ANNA not in out.getvalue()
    admin = get_user_model().objects.create_superuser("admin", "admin@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(admin)
    assert "1 radering har inte genomförts i Mailchimp" in client.get("/admin/").content.decode()

    # Not retried before its backoff; retried after it, and refused once more.
    mailchimp_sandbox.requests.clear()
    tasks.push_pending_subscribers.enqueue()
    assert api_calls(mailchimp_sandbox, "POST", "delete-permanent") == []
    with time_machine.travel(erasure.retry_at + timedelta(seconds=1)):
        assert tasks.push_pending_subscribers.enqueue().return_value == {"erasure_refused": 1}
    erasure.refresh_from_db()
    with time_machine.travel(erasure.retry_at + timedelta(seconds=1)):
        assert tasks.push_pending_subscribers.enqueue().return_value == {"erasure_deleted": 1}
    assert mc_member(ANNA) is None
    assert "radering har inte" not in client.get("/admin/").content.decode()


def test_an_administrator_can_mark_a_refused_erasure_resolved(mailchimp_sandbox, home_page):
    MailchimpErasure.objects.create(
        member_hash=subscriber_hash(ANNA),
        refused=True,
        attempts=3,
        last_error="Mailchimp 400",
        retry_at=timezone.now() - timedelta(minutes=1),
    )
    admin = get_user_model().objects.create_superuser("admin", "admin@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(admin)
    page = client.get("/admin/newsletter/subscribers/erasures/").content.decode()
    assert subscriber_hash(ANNA) in page
    erasure = MailchimpErasure.objects.get()
    client.post("/admin/newsletter/subscribers/erasures/", {"resolve": erasure.pk})
    erasure.refresh_from_db()
    assert erasure.resolved_at is not None and erasure.resolved_by == "admin"
    assert "radering har inte" not in client.get("/admin/").content.decode()
    mailchimp_sandbox.requests.clear()
    tasks.push_pending_subscribers.enqueue()
    assert api_calls(mailchimp_sandbox, "POST", "delete-permanent") == []
