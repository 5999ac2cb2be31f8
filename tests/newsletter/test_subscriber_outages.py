"""Mailchimp (or the mail provider) down during sign-up, confirmation and unsubscribe: every
change is committed locally first and reaches Mailchimp when it is back."""

import pytest

from django.core import mail

from newsletter.emails import send_subscriber_email
from newsletter.mailchimp import audience
from newsletter.models import Subscriber
from newsletter.tasks.audience import push_pending_subscribers
from tests.newsletter import subscriber_support
from tests.newsletter.subscriber_support import (
    SIGNUP_URL,
    CommittingClient,
    confirm_link,
    make_subscriber,
    signup_data,
    unsubscribe_path,
)

# Fixtures from the support module (pytest finds them as module attributes).
subscriber_env = subscriber_support.subscriber_env  # autouse
client = subscriber_support.client  # runs on_commit callbacks per request

pytestmark = pytest.mark.django_db


def test_mailchimp_down_during_confirm_and_unsubscribe_then_recovered(
    client, home_page, subscriber_env
):
    sandbox = subscriber_env
    leaving = make_subscriber("lena@example.se", mailchimp_pushed_at=None)
    sandbox.inject(status=503, count=1000)

    assert client.post(SIGNUP_URL, signup_data()).status_code == 302
    confirmed = client.post(confirm_link(mail.outbox[0]))
    assert confirmed.status_code == 200  # the person never sees Mailchimp's outage
    bare = CommittingClient(enforce_csrf_checks=True)
    one_click = bare.post(
        unsubscribe_path(leaving),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200

    anna = Subscriber.objects.get(email="anna.andersson@example.se")
    leaving.refresh_from_db()
    assert (anna.status, anna.mailchimp_needs_push) == ("subscribed", True)
    assert (leaving.status, leaving.mailchimp_needs_push) == ("unsubscribed", True)
    assert [m.subject for m in mail.outbox][-1].startswith("Välkommen")  # our mail still went

    sandbox.faults.clear()
    push_pending_subscribers.call()
    anna.refresh_from_db()
    leaving.refresh_from_db()
    assert not anna.mailchimp_needs_push and not leaving.mailchimp_needs_push
    assert audience.get_member(anna.email)["status"] == "subscribed"
    member = audience.get_member(leaving.email)
    assert member is None or member["status"] == "unsubscribed"


def test_mail_provider_down_is_retried_later(home_page, settings, subscriber_env):
    """With a backend that can defer (the database one in production), a failed send is
    enqueued again with backoff; here the DummyBackend records that re-enqueue."""
    settings.EMAIL_BACKEND = "anymail.backends.mandrill.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sub = make_subscriber("nils@example.se", status="pending")
    subscriber_env.inject(status=500, api="mandrill")
    assert send_subscriber_email.call(sub.pk, "confirm") == "retry"
    [retry] = [
        r
        for r in send_subscriber_email.get_backend().results
        if r.task.func is send_subscriber_email.func
    ]
    assert retry.args == [sub.pk, "confirm", 2]
    assert retry.task.run_after is not None
    assert not subscriber_env.messages(to="nils@example.se")
    # The retry, once the provider is back, delivers.
    assert send_subscriber_email.call(*retry.args) == "sent"
    assert len(subscriber_env.messages(to="nils@example.se")) == 1
    # Once confirmed (or gone) nothing more is sent.
    sub.change_status("subscribed", source="confirm")
    assert send_subscriber_email.call(sub.pk, "confirm") == "skipped"
