"""Issue 11, points 4 and 11: a changed address moves the same Mailchimp member, never leaves the
old address subscribed, is erased everywhere later, and links made for the old address stop."""

import pytest

from django.contrib.auth import get_user_model

from newsletter import tokens
from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import MailchimpErasure, Subscriber
from newsletter.services import subscribers as service
from newsletter.services import sync
from tests.newsletter.audience_support import (
    api_calls,
    event,
    make_subscriber,
    mc_member,
    mc_put,
    post_event,
)
from tests.newsletter.subscriber_support import CommittingClient

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
OLD, NEW = "gammal@example.se", "ny@example.se"
INDEX = "/admin/newsletter/subscribers/"


@pytest.fixture
def editor(home_page):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def known(mailchimp_sandbox):
    """A subscriber Mailchimp has (pushed before)."""
    sub = make_subscriber(OLD, first_name="Gun", mailchimp_needs_push=True)
    assert sync.push_subscriber(sub.pk).outcome == "pushed"
    sub.refresh_from_db()
    return sub


def edit_address(editor, sub, email):
    response = editor.post(
        f"{INDEX}edit/{sub.pk}/",
        {
            "email": email,
            "first_name": sub.first_name,
            "last_name": sub.last_name,
            "organisation": sub.organisation,
            "municipality": "",
            "role": sub.role,
            "tags": sub.tags or [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]


# --- 4. the same member, the old address never left subscribed -----------------------------------


def test_admin_address_change_moves_the_same_mailchimp_member(editor, known, mailchimp_sandbox):
    contact = mc_member(OLD)["contact_id"]
    edit_address(editor, known, NEW)

    assert mc_member(OLD) is None  # no member left under the old address
    member = mc_member(NEW)
    assert member["status"] == "subscribed"
    assert member["contact_id"] == contact  # the same member, history and consent kept
    patch = api_calls(mailchimp_sandbox, "PATCH", subscriber_hash(OLD))
    assert patch and patch[0]["body"] == {"email_address": NEW}
    sub = Subscriber.objects.get(pk=known.pk)
    assert (sub.email, sub.mailchimp_email, sub.mailchimp_needs_push) == (NEW, "", False)
    assert sub.former_emails == [OLD]


def test_when_mailchimp_has_both_addresses_the_old_one_is_unsubscribed(editor, known):
    mc_put(NEW, "subscribed")
    edit_address(editor, known, NEW)
    assert mc_member(OLD)["status"] == "unsubscribed"
    assert mc_member(NEW)["status"] == "subscribed"


def test_erasure_after_an_address_change_removes_both_from_mailchimp(
    editor, known, mailchimp_sandbox, django_capture_on_commit_callbacks
):
    mailchimp_sandbox.inject(status=503, count=20)  # the address change does not get through
    edit_address(editor, known, NEW)
    sub = Subscriber.objects.get(pk=known.pk)
    assert sub.mailchimp_email == OLD
    mailchimp_sandbox.faults.clear()
    mc_put(NEW, "subscribed")  # Mailchimp got the new one some other way too
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    assert mc_member(OLD) is None and mc_member(NEW) is None
    assert not MailchimpErasure.objects.exists()


def test_the_batch_sync_renames_the_member_too_and_the_pull_keeps_one_person(
    editor, known, mailchimp_sandbox
):
    mailchimp_sandbox.inject(status=503, count=20)  # the push after the edit does not get through
    edit_address(editor, known, NEW)
    mailchimp_sandbox.faults.clear()
    summary = sync.push_all()
    assert summary.counts["pull_address_change_pending"] == 1  # the old address is not a new person
    assert mc_member(OLD) is None and mc_member(NEW)["status"] == "subscribed"
    assert list(Subscriber.objects.values_list("email", flat=True)) == [NEW]


def test_mailchimp_upemail_is_remembered_for_erasure(
    client, mailchimp_sandbox, django_capture_on_commit_callbacks
):
    sub = make_subscriber(OLD)
    old_nonce = sub.link_nonce
    post_event(client, event("upemail", old_email=OLD, new_email=NEW))
    sub.refresh_from_db()
    assert (sub.email, sub.former_emails) == (NEW, [OLD])
    assert sub.link_nonce != old_nonce
    mc_put(OLD, "unsubscribed")
    mc_put(NEW, "subscribed")
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    assert mc_member(OLD) is None and mc_member(NEW) is None


# --- 11. links bound to the address they were made for -------------------------------------------


def test_old_links_answer_410_after_an_address_change(editor, known):
    unsubscribe = f"/nyhetsbrev/avsluta/{tokens.make_unsubscribe_token(known)}/"
    preferences = f"/nyhetsbrev/installningar/{tokens.make_preferences_token(known)}/"
    client = CommittingClient()
    assert client.get(unsubscribe).status_code == 200
    assert client.get(preferences).status_code == 200

    edit_address(editor, known, NEW)

    for url in (unsubscribe, preferences):
        response = client.get(url)
        assert response.status_code == 410
        assert "Länken gjordes för en annan adress" in response.content.decode()
    one_click = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 410
    assert client.post(preferences, {"action": "unsubscribe"}).status_code == 410
    assert Subscriber.objects.get(pk=known.pk).status == Status.SUBSCRIBED

    # Links made now work.
    sub = Subscriber.objects.get(pk=known.pk)
    assert (
        client.get(f"/nyhetsbrev/avsluta/{tokens.make_unsubscribe_token(sub)}/").status_code == 200
    )


def test_old_confirmation_link_answers_410_after_an_address_change(editor, mailchimp_sandbox):
    sub = make_subscriber(OLD, status=Status.PENDING, token_nonce=tokens.new_nonce())
    link = f"/nyhetsbrev/bekrafta/{tokens.make_confirm_token(sub)}/"
    client = CommittingClient()
    assert client.get(link).status_code == 200
    edit_address(editor, sub, NEW)
    assert client.get(link).status_code == 410
    assert client.post(link).status_code == 410
    assert Subscriber.objects.get(pk=sub.pk).status == Status.PENDING


def test_links_from_before_links_carried_the_address_work_until_it_changes(editor, known):
    # A subscriber from before this change: no link nonce, links without one.
    Subscriber.objects.filter(pk=known.pk).update(link_nonce="")
    known.refresh_from_db()
    legacy = f"/nyhetsbrev/avsluta/{tokens.make_unsubscribe_token(known)}/"
    client = CommittingClient()
    assert client.get(legacy).status_code == 200
    edit_address(editor, known, NEW)
    assert client.get(legacy).status_code == 410
