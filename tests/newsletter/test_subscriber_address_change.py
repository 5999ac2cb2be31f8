"""Issue 11, point 4 from the preferences page: asking for a new address mails a link to it and a
notice to the old one; following the link moves the same Mailchimp member (through the admin
edit's path), old links stop working, and nothing here ever subscribes someone who left."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cms.settings.base import TASKS as DB_TASKS
from newsletter import tokens
from newsletter.emails import send_subscriber_email
from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import PendingAddressChange, Subscriber
from newsletter.services import address_change, sync, tombstones
from newsletter.services import subscribers as service
from newsletter.tasks.audience import apply_webhook_events
from tests.newsletter.audience_support import api_calls, mc_member, mc_put
from tests.newsletter.subscriber_support import (
    CommittingClient,
    links_in,
    mails_to,
    make_subscriber,
    preferences_path,
    signup_data,
    subscriber_env,  # noqa: F401 (autouse: mail in the locmem outbox, fresh rate limits)
    unsubscribe_path,
)

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
OLD, NEW = "gammal@example.se", "ny.adress@example.se"
SENT = "Vi har skickat ett mejl till"


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def known(mailchimp_sandbox, home_page):
    """A confirmed subscriber that Mailchimp has."""
    sub = make_subscriber(OLD, first_name="Gun", mailchimp_needs_push=True)
    assert sync.push_subscriber(sub.pk).outcome == "pushed"
    sub.refresh_from_db()
    return sub


def ask(client, sub, new_email, path=None):
    return client.post(
        path or preferences_path(sub), {"action": "change_email", "address-new_email": new_email}
    )


def change_link(address: str = NEW) -> str:
    [message] = mails_to(address)
    for url in links_in(message):
        if "/nyhetsbrev/byt-adress/" in url:
            return url.removeprefix("http://testserver")
    raise AssertionError(f"no address-change link in: {message.body}")


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- asking ------------------------------------------------------------------------------------


def test_the_preferences_page_offers_the_change_only_to_a_confirmed_subscriber(client, home_page):
    subscribed = make_subscriber(OLD)
    assert "Byt e-postadress" in page_text(client.get(preferences_path(subscribed)))
    pending = make_subscriber("vantar@example.se", status=Status.PENDING)
    assert "Byt e-postadress" not in page_text(client.get(preferences_path(pending)))
    response = ask(client, pending, NEW)
    assert response.status_code == 400
    assert "Bara en bekräftad prenumeration" in page_text(response)
    assert mail.outbox == []


def test_asking_changes_nothing_yet_and_mails_both_addresses(client, known, mailchimp_sandbox):
    mailchimp_sandbox.requests.clear()
    response = ask(client, known, "  Ny.Adress@Example.SE ")
    assert response.status_code == 302
    followed = page_text(client.get(response["Location"]))
    assert f"{SENT} {NEW}" in followed and "kommer nyhetsbrevet till gammal@example.se" in followed

    sub = Subscriber.objects.get(pk=known.pk)
    assert (sub.email, sub.link_nonce, sub.former_emails) == (OLD, known.link_nonce, [])
    assert api_calls(mailchimp_sandbox) == []  # Mailchimp hears of nothing before the link
    assert mc_member(OLD)["status"] == "subscribed"

    [confirm] = mails_to(NEW)
    assert confirm.subject == "Bekräfta din nya e-postadress för SmåKoms nyhetsbrev"
    # Its reader is not proven to be the subscriber: no name, no way to unsubscribe them.
    assert "List-Unsubscribe" not in confirm.extra_headers
    assert "Gun" not in confirm.body and "/nyhetsbrev/avsluta/" not in confirm.body
    assert "/nyhetsbrev/installningar/" not in confirm.body
    [notice] = mails_to(OLD)
    assert notice.subject == "Din e-postadress för SmåKoms nyhetsbrev håller på att ändras"
    assert "n…@example.se" in notice.body and NEW not in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Skriv din nya e-postadress."),
        ("inte-en-adress", "Fyll i en giltig e-postadress"),
        ("x@[127.0.0.1]", "inte en IP-adress"),
        ("x@localhost", "inte en IP-adress"),
        ('"bomb"@example.se', "utan citattecken"),
        ("ny\u202eadress@example.se", "osynliga styrtecken"),
        ("åsa@example.se", "å, ä eller ö före @"),
        ("a" * 250 + "@example.se", "för lång"),
        ("<script>@example.se", "Fyll i en giltig e-postadress"),
    ],
)
def test_hostile_or_invalid_addresses_are_refused_in_swedish(client, known, raw, message):
    response = ask(client, known, raw)
    assert response.status_code == 400
    assert message in page_text(response)
    assert mail.outbox == []
    assert Subscriber.objects.get(pk=known.pk).email == OLD


def test_the_current_address_is_not_a_change(client, known):
    response = ask(client, known, OLD.upper())
    assert response.status_code == 400
    assert "Det är redan adressen för din prenumeration." in page_text(response)
    assert mail.outbox == []


def test_an_address_another_subscriber_has_is_not_revealed(client, known):
    make_subscriber(NEW, status=Status.UNSUBSCRIBED)
    messages = []
    for address in ("ledig@example.se", NEW):
        response = ask(client, known, address)
        assert response.status_code == 302
        shown = page_text(client.get(response["Location"]))
        messages.append(re.search(r'<div class="notice" role="status">.*?</div>', shown).group(0))
    assert SENT in messages[1]
    assert messages[0].replace("ledig@example.se", NEW) == messages[1]
    # The notice goes to the old address either way; the other subscriber gets nothing.
    assert len(mails_to(OLD)) == 2
    assert mails_to(NEW) == [] and len(mails_to("ledig@example.se")) == 1


def test_a_subscription_can_ask_three_times_a_day(client, known):
    for n in range(3):
        assert ask(client, known, f"ny{n}@example.se").status_code == 302
    response = ask(client, known, "ny3@example.se")
    assert response.status_code == 429
    assert "flera gånger i dag" in page_text(response)
    assert mails_to("ny3@example.se") == []
    assert len(mails_to(OLD)) == 3


def test_the_new_mailbox_shares_its_allowance_with_sign_ups(client, known):
    for _n in range(3):  # three sign-ups already sent confirmation mail to that mailbox
        client.post("/nyhetsbrev/prenumerera/", signup_data(email=f"x{_n}@example.se"))
    for n in range(3):
        client.post("/nyhetsbrev/prenumerera/", signup_data(email=f"ny.adress+{n}@example.se"))
    response = ask(client, known, NEW)
    assert response.status_code == 429
    assert "flera bekräftelsemejl till den här adressen" in page_text(response)
    assert mails_to(NEW) == []


# --- following the link ------------------------------------------------------------------------


def test_the_link_moves_the_same_mailchimp_member_and_old_links_answer_410(
    client, known, mailchimp_sandbox
):
    contact = mc_member(OLD)["contact_id"]
    old_links = [preferences_path(known), unsubscribe_path(known)]
    ask(client, known, NEW)
    link = change_link()

    # A mail scanner's GET changes nothing.
    shown = client.get(link)
    assert shown.status_code == 200
    assert "data-auto-submit" in page_text(shown) and "Bekräfta min nya adress" in page_text(shown)
    assert Subscriber.objects.get(pk=known.pk).email == OLD

    done = client.post(link)
    assert done.status_code == 200
    assert "Din e-postadress är bytt" in page_text(done)
    sub = Subscriber.objects.get(pk=known.pk)
    assert (sub.email, sub.status, sub.former_emails) == (NEW, Status.SUBSCRIBED, [OLD])
    assert (sub.mailchimp_email, sub.mailchimp_needs_push) == ("", False)
    assert sub.events.filter(source="address_change", detail__address_changed=True).exists()

    assert mc_member(OLD) is None
    member = mc_member(NEW)
    assert (member["contact_id"], member["status"]) == (contact, "subscribed")
    patch = api_calls(mailchimp_sandbox, "PATCH", subscriber_hash(OLD))
    assert patch[0]["body"] == {"email_address": NEW}

    for path in old_links:
        response = client.get(path)
        assert response.status_code == 410
        assert "Länken gjordes för en annan adress" in page_text(response)
    assert client.post(old_links[1], {"List-Unsubscribe": "One-Click"}).status_code == 410
    # The link again: it has done its work (no second change, no error for the person).
    again = client.post(link)
    assert again.status_code == 200 and "Din e-postadress är bytt" in page_text(again)
    assert Subscriber.objects.get(pk=known.pk).events.filter(source="address_change").count() == 1


def test_erasure_after_the_change_removes_both_addresses(
    client, known, django_capture_on_commit_callbacks
):
    ask(client, known, NEW)
    client.post(change_link())
    mc_put(OLD, "unsubscribed")  # Mailchimp got the old one back some other way
    sub = Subscriber.objects.get(pk=known.pk)
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    assert mc_member(OLD) is None and mc_member(NEW) is None
    assert tombstones.is_buried(OLD) and tombstones.is_buried(NEW)


def test_an_erased_address_may_be_taken_by_its_owner_and_the_tombstone_is_lifted(
    client, known, django_capture_on_commit_callbacks
):
    erased = make_subscriber(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(erased)
    assert tombstones.is_buried(NEW)
    ask(client, known, NEW)
    assert client.post(change_link()).status_code == 200  # a mail went out: not "taken"
    assert Subscriber.objects.get(pk=known.pk).email == NEW
    assert not tombstones.is_buried(NEW)
    assert mc_member(NEW)["status"] == "subscribed"


def test_an_address_taken_before_the_link_is_followed_is_refused(client, known):
    ask(client, known, NEW)
    link = change_link()
    client.post("/nyhetsbrev/prenumerera/", signup_data(email=NEW))  # someone signs up with it
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 409
        assert "Adressen används redan" in page_text(response)
    assert Subscriber.objects.get(pk=known.pk).email == OLD
    assert Subscriber.objects.get(email=NEW).status == Status.PENDING


def test_an_unsubscribe_between_asking_and_the_link_survives(client, known, mailchimp_sandbox):
    ask(client, known, NEW)
    link = change_link()
    assert client.post(unsubscribe_path(known), {"List-Unsubscribe": "One-Click"}).content == b"OK"
    assert mc_member(OLD)["status"] == "unsubscribed"

    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert "Din prenumeration har avslutats" in page_text(response)
    sub = Subscriber.objects.get(pk=known.pk)
    assert (sub.email, sub.status, sub.mailchimp_needs_push) == (OLD, Status.UNSUBSCRIBED, False)
    assert mc_member(OLD)["status"] == "unsubscribed"
    assert mc_member(NEW) is None  # nobody subscribed under the new address either


def pending(sub, new_email=NEW, **fields) -> PendingAddressChange:
    """A request as asking stores it, before its mail is sent."""
    return PendingAddressChange.objects.create(
        subscriber=sub,
        new_email=new_email,
        link_nonce=sub.link_nonce,
        expires_at=timezone.now() + timedelta(days=3),
        **fields,
    )


KINDS = ("address_change_confirm", "address_change_notice")


def test_mail_still_waiting_is_not_sent_after_an_unsubscribe(known):
    change = pending(known)
    Subscriber.objects.filter(pk=known.pk).update(status=Status.UNSUBSCRIBED)
    assert [
        send_subscriber_email.call(known.pk, k, pending_change_id=change.pk) for k in KINDS
    ] == [
        "skipped",
        "skipped",
    ]
    assert mail.outbox == []


def test_mail_for_a_superseded_or_someone_elses_request_is_not_sent(known):
    superseded = pending(known, superseded_at=timezone.now())
    other = pending(make_subscriber("annan@example.se"), new_email="tredje@example.se")
    for kind in KINDS:
        assert send_subscriber_email.call(known.pk, kind, pending_change_id=superseded.pk) == (
            "skipped"
        )
        assert send_subscriber_email.call(known.pk, kind, pending_change_id=other.pk) == "gone"
    assert mail.outbox == []
    # Without its request there is no address to write to.
    assert send_subscriber_email.call(known.pk, "address_change_confirm") == "gone"


def test_asking_again_supersedes_the_first_link_at_once(client, known):
    ask(client, known, NEW)
    first = change_link()
    ask(client, known, "annan@example.se")
    # The older request keeps no address; the old link answers 410 before the new one is used.
    [old, new] = PendingAddressChange.objects.filter(subscriber=known).order_by("pk")
    assert (old.new_email, old.superseded_at is not None) == ("", True)
    assert (new.new_email, new.superseded_at) == ("annan@example.se", None)
    for response in (client.get(first), client.post(first)):
        assert response.status_code == 410
        assert "Vi har skickat en nyare länk" in page_text(response)
    assert Subscriber.objects.get(pk=known.pk).email == OLD

    second = change_link("annan@example.se")
    assert client.post(second).status_code == 200
    assert client.post(first).status_code == 410
    assert Subscriber.objects.get(pk=known.pk).email == "annan@example.se"


# The worker closes its database connection when it stops, as it would in production.
@pytest.mark.django_db(transaction=True)
def test_neither_the_link_nor_the_stored_tasks_carry_the_new_address(
    client, known, settings, mailchimp_sandbox
):
    """Tasks are stored (django-tasks-db rows) and links land in logs: the new address is in
    neither, only in the request row that erasure and the purge delete."""
    settings.TASKS = DB_TASKS
    new = "hemlig.mottagare@annan-doman.se"
    parts = ("hemlig", "mottagare", "annan-doman", "annan_doman")
    assert ask(client, known, new).status_code == 302
    stored = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert len(stored) == 2  # the link to the new address, the notice to the old
    for args_kwargs in stored:
        text = json.dumps(args_kwargs).lower()
        assert not any(part in text for part in parts), text
    change = PendingAddressChange.objects.get(subscriber=known)
    assert sorted(a["kwargs"]["pending_change_id"] for a in stored) == [change.pk, change.pk]

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    link = change_link(new)
    token = link.removeprefix("/nyhetsbrev/byt-adress/").removesuffix("/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert not any(part in link.lower() for part in parts)
    # Only the token's hash is stored.
    change.refresh_from_db()
    assert change.token_hash == tokens.address_change_token_hash(token) != token
    assert not PendingAddressChange.objects.filter(token_hash=token).exists()

    # Following it: the Mailchimp push is queued by id too.
    assert client.post(link).status_code == 200
    for args_kwargs in DBTaskResult.objects.values_list("args_kwargs", flat=True):
        text = json.dumps(args_kwargs).lower()
        assert not any(part in text for part in parts), text


def test_the_link_expires(client, known):
    ask(client, known, NEW)
    link = change_link()
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        for response in (client.get(link), client.post(link)):
            assert response.status_code == 410
            assert "Länken har gått ut" in page_text(response)
    assert Subscriber.objects.get(pk=known.pk).email == OLD


@pytest.mark.parametrize(
    "token",
    ["x", "a" * 900, "a" * 42, "a" * 44, "eyJzIjoxfQ:forged:sig", "%00", "../../etc/passwd"],
)
def test_forged_or_broken_links_change_nothing(client, known, token):
    response = client.post(f"/nyhetsbrev/byt-adress/{token}/")
    assert response.status_code in (400, 404)
    assert Subscriber.objects.get(pk=known.pk).email == OLD


def test_a_well_formed_token_of_nobodys_changes_nothing(client, known):
    ask(client, known, NEW)
    change_link()
    guess, _hash = tokens.new_address_change_token()
    response = client.post(f"/nyhetsbrev/byt-adress/{guess}/")
    assert response.status_code == 410 and "Länken fungerar inte längre" in page_text(response)
    assert Subscriber.objects.get(pk=known.pk).email == OLD


def test_other_signed_links_are_not_address_change_links(client, known):
    for token in (tokens.make_confirm_token(known), tokens.make_preferences_token(known)):
        assert client.post(f"/nyhetsbrev/byt-adress/{token}/").status_code == 400
    assert Subscriber.objects.get(pk=known.pk).email == OLD


def test_erasure_deletes_the_requests_and_their_links_stop(client, known):
    ask(client, known, "forsta@example.se")
    ask(client, known, NEW)
    link = change_link()
    other = make_subscriber("annan@example.se")
    kept = pending(other, new_email="tredje@example.se")
    assert PendingAddressChange.objects.filter(subscriber=known).count() == 2
    service.erase(Subscriber.objects.get(pk=known.pk))
    assert list(PendingAddressChange.objects.all()) == [kept]  # only the other person's
    assert not PendingAddressChange.objects.filter(new_email__in=[NEW, "forsta@example.se"])
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert "Länken fungerar inte längre" in page_text(response)
    assert list(Subscriber.objects.all()) == [other]


def test_the_periodic_drain_purges_expired_requests(client, known):
    ask(client, known, NEW)
    link = change_link()
    fresh = pending(make_subscriber("annan@example.se"), new_email="tredje@example.se")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        fresh_later = pending(Subscriber.objects.get(email="annan@example.se"), new_email="x@ex.se")
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert apply_webhook_events.call() == {"address_changes_purged": 2}
        assert list(PendingAddressChange.objects.all()) == [fresh_later]
        response = client.post(link)
        assert response.status_code == 410 and "Länken fungerar inte längre" in page_text(response)
    assert not PendingAddressChange.objects.filter(pk=fresh.pk).exists()
    assert Subscriber.objects.get(pk=known.pk).email == OLD
    assert apply_webhook_events.call() == {}  # nothing left to purge


def test_a_used_link_can_be_purged_once_expired_and_holds_only_the_current_address(client, known):
    ask(client, known, NEW)
    client.post(change_link())
    [used] = PendingAddressChange.objects.filter(subscriber=known)
    assert used.used_at is not None and used.new_email == Subscriber.objects.get(pk=known.pk).email
    assert address_change.purge_expired(used.expires_at) == 1


def test_the_longest_address_fits_in_a_link(client, known):
    longest = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".se"
    assert len(longest) <= 254
    ask(client, known, longest)
    assert client.post(change_link(longest)).status_code == 200
    assert Subscriber.objects.get(pk=known.pk).email == longest
