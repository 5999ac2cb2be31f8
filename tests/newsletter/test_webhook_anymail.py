"""anymail's Mandrill tracking webhook: real Mandrill-format, correctly signed posts."""

import base64
import json
import time

import pytest

from newsletter.models import Subscriber

from .audience_support import make_subscriber, mc_member
from .mandrill_support import BASIC_AUTH, PATH, mandrill_event, signed_post

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("hard_bounce", Status.CLEANED, "hard_bounce"),
        ("spam", Status.CLEANED, "complaint"),
        ("unsub", Status.UNSUBSCRIBED, ""),
    ],
)
def test_tracking_event_updates_status_and_reaches_mailchimp(
    client, mailchimp_sandbox, django_capture_on_commit_callbacks, kind, status, reason
):
    sub = make_subscriber("anna@example.se", mailchimp_pushed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, [mandrill_event(kind, "anna@example.se", "ev1")])
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == status
    assert sub.cleaned_reason == reason
    logged = sub.events.get(applied=True)
    assert logged.source == "anymail"
    assert logged.detail["event_id"].startswith(f"ev1:{kind}:")
    # The outbox sent it on: Mailchimp will not mail them either.
    assert mc_member("anna@example.se")["status"] == "unsubscribed"
    assert sub.mailchimp_needs_push is False


def test_duplicate_delivery_is_applied_once(
    client, mailchimp_sandbox, django_capture_on_commit_callbacks
):
    sub = make_subscriber("anna@example.se")
    events = [mandrill_event("unsub", "anna@example.se", "ev-dup")]
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, events).status_code == 200
        assert signed_post(client, events).status_code == 200
    assert sub.events.count() == 1


def test_event_older_than_the_current_status_is_ignored(client):
    sub = make_subscriber("anna@example.se")
    old = int(time.time()) - 3600  # bounced before they (re)confirmed
    assert (
        signed_post(client, [mandrill_event("hard_bounce", sub.email, "old", old)]).status_code
        == 200
    )
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED
    assert sub.events.get().applied is False


def test_soft_bounce_changes_nothing(client):
    sub = make_subscriber("anna@example.se")
    assert (
        signed_post(client, [mandrill_event("soft_bounce", "anna@example.se", "e2")]).status_code
        == 200
    )
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED
    assert not sub.events.exists()


def test_complaint_from_unknown_address_is_remembered(
    client, mailchimp_sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            signed_post(client, [mandrill_event("spam", "okand@example.se", "e3")]).status_code
            == 200
        )
    sub = Subscriber.objects.get(email="okand@example.se")
    assert sub.status == Status.CLEANED
    assert sub.cleaned_reason == "complaint"


def test_several_events_in_one_post(client, mailchimp_sandbox, django_capture_on_commit_callbacks):
    a = make_subscriber("a@example.se")
    b = make_subscriber("b@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(
            client,
            [
                mandrill_event("send", "a@example.se", "s1"),
                mandrill_event("hard_bounce", "a@example.se", "s2"),
                mandrill_event("unsub", "b@example.se", "s3"),
            ],
        )
    assert response.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (Status.CLEANED, Status.UNSUBSCRIBED)


def test_wrong_signature_is_rejected(client):
    sub = make_subscriber("anna@example.se")
    response = signed_post(client, [mandrill_event("unsub", "anna@example.se", "x")], key="wrong")
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED


def test_missing_basic_auth_is_rejected(client):
    sub = make_subscriber("anna@example.se")
    params = {"mandrill_events": json.dumps([mandrill_event("unsub", "anna@example.se", "x")])}
    response = client.post(PATH, params)
    assert response.status_code in (400, 401, 403)
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED


def test_the_documented_tracking_path_works_too(client):
    sub = make_subscriber("anna@example.se")
    response = signed_post(
        client,
        [mandrill_event("hard_bounce", sub.email, "t1")],
        path="/newsletter/webhooks/anymail/mandrill/tracking/",
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.CLEANED


def test_mandrill_url_check_head_answers(client):
    credentials = base64.b64encode(BASIC_AUTH.encode()).decode()
    assert client.head(PATH, HTTP_AUTHORIZATION=f"Basic {credentials}").status_code == 200
