"""Issue 11, tried the way an attacker or a data-protection officer would: an old one-click link
gets the Swedish page, input PostgreSQL cannot store is refused (never a 500 or an endless 503),
a tracking event cannot date a status into the future, a broken CSV import keeps what it did and
says why, and a form saved after a change made elsewhere does not revert that change."""

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine

from django.contrib.auth import get_user_model

from newsletter import tokens
from newsletter.mailchimp import audience
from newsletter.mailchimp.client import subscriber_hash
from newsletter.models import MailchimpErasure, MailchimpWebhookEvent, Subscriber, SubscriberEvent
from newsletter.services import audience_events, sync, tombstones, webhook_inbox
from newsletter.services import subscribers as service
from tests.newsletter.audience_support import (
    event,
    make_subscriber,
    mc_member,
    mc_put,
    post_event,
)
from tests.newsletter.mandrill_support import mandrill_event, signed_raw
from tests.newsletter.subscriber_support import CommittingClient

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
ANNA = "anna@example.se"
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- 11. an old one-click link -------------------------------------------------------------------


def test_one_click_post_with_a_link_for_the_old_address_answers_410_with_a_swedish_page(
    mailchimp_sandbox,
):
    sub = make_subscriber(ANNA)
    path = f"/nyhetsbrev/avsluta/{tokens.make_unsubscribe_token(sub)}/"
    service.save_profile(sub, {"email": "anna.ny@example.se"}, source="admin")

    bare = CommittingClient(enforce_csrf_checks=True)
    response = bare.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 410
    assert "Länken gjordes för en annan adress" in text_of(response)
    assert response["Cache-Control"] == "private, no-store"
    assert Subscriber.objects.get(pk=sub.pk).status == Status.SUBSCRIBED


def test_one_click_post_with_a_forged_link_answers_400_with_a_swedish_page(mailchimp_sandbox):
    sub = make_subscriber(ANNA)
    forged = tokens.make_unsubscribe_token(sub)[:-3] + "xyz"
    response = CommittingClient().post(
        f"/nyhetsbrev/avsluta/{forged}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Länken fungerar inte" in text_of(response)
    assert Subscriber.objects.get(pk=sub.pk).status == Status.SUBSCRIBED


# --- 10. input PostgreSQL cannot store ------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        event("profile", email=ANNA, merges_FNAME="An\x00na"),
        event("unsubscribe", email=ANNA, reason="x\x00"),
        {**event("unsubscribe", email=ANNA), "data[\x00]": "x"},
    ],
    ids=["merge-field", "reason", "key"],
)
def test_mailchimp_webhook_with_a_nul_character_is_400_and_stores_nothing(client, fields):
    # On PostgreSQL this was a 503 that Mailchimp retries for 75 minutes; on SQLite it was stored.
    make_subscriber(ANNA)
    response = post_event(client, fields)
    assert response.status_code == 400
    assert not MailchimpWebhookEvent.objects.exists()
    assert Subscriber.objects.get(email=ANNA).status == Status.SUBSCRIBED


def test_tracking_event_with_a_nul_character_in_its_id_is_applied_without_it(client):
    # On PostgreSQL the duplicate check (a JSON lookup with the id) answered 500.
    make_subscriber(ANNA)
    spam = mandrill_event("spam", ANNA, "ev\x00-1")
    response = signed_raw(client, {"mandrill_events": json.dumps([spam])})
    assert response.status_code == 200
    assert Subscriber.objects.get(email=ANNA).status == Status.CLEANED
    logged = SubscriberEvent.objects.get(source="anymail")
    assert logged.detail["event_id"].startswith("ev-1:spam:")
    # The same delivery again is recognised.
    assert signed_raw(client, {"mandrill_events": json.dumps([spam])}).status_code == 200
    assert SubscriberEvent.objects.filter(source="anymail").count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_tracking_event_dated_in_the_future_does_not_block_a_later_sign_up(client):
    make_subscriber(ANNA)
    year_2100 = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
    unsub = mandrill_event("unsub", ANNA, "ev-future", ts=year_2100)
    assert signed_raw(client, {"mandrill_events": json.dumps([unsub])}).status_code == 200
    sub = Subscriber.objects.get(email=ANNA)
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.status_changed_at == NOW

    with time_machine.travel(datetime(2026, 4, 1, tzinfo=UTC), tick=False):
        service.signup(email=ANNA, name="Anna A", consent_text="Ja")
    assert Subscriber.objects.get(email=ANNA).status == Status.PENDING


# --- 7. the CSV import with a file it cannot read -----------------------------------------------


def test_import_of_a_file_with_nul_characters_imports_nothing_and_says_why():
    # A spreadsheet or UTF-16 file: on PostgreSQL the first such row raised DataError (a 500 in
    # the admin after the rows before it were imported).
    data = b"email;namn\nbo@example.se;Bo\nanna@example.se;An\x00na\n"
    report = service.import_csv(data)
    assert (report.created, report.updated) == (0, 0)
    assert report.rejected == [
        (0, "", "Filen är inte en CSV-textfil. Spara den som CSV (UTF-8) och försök igen.")
    ]
    assert not Subscriber.objects.exists()


def test_import_that_cannot_read_a_row_keeps_the_rows_before_and_reports_the_rest(
    mailchimp_sandbox,
):
    data = (
        b"email;namn\nbo@example.se;Bo\nanna@example.se;" + b"A" * 200_000 + b"\nc@example.se;C\n"
    )
    report = service.import_csv(data)  # the csv module's field limit raised csv.Error: a 500
    assert report.created == 1
    assert report.rejected == [
        (3, "", "Filen kunde inte läsas från den här raden; resten lästes inte.")
    ]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["bo@example.se"]


def test_admin_import_of_an_unreadable_file_answers_with_the_report(home_page, mailchimp_sandbox):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(user)
    upload = SimpleUploadedFile("lista.csv", b"email;namn\nbo@example.se;B\x00o\n", "text/csv")
    response = client.post("/admin/newsletter/subscribers/import/", {"file": upload})
    assert response.status_code == 200
    assert "Filen är inte en CSV-textfil" in text_of(response)
    assert not Subscriber.objects.exists()


# --- 5. a form saved after a change made elsewhere -----------------------------------------------


def shown_form(client, url) -> dict:
    """The form's fields as the page showed them (what the browser posts back unchanged)."""
    html = client.get(url).content.decode()
    fields = dict(re.findall(r'<input[^>]*?name="([a-z_]+)"[^>]*?value="([^"]*)"', html))
    return {name: value for name, value in fields.items() if name != "csrfmiddlewaretoken"}


def test_admin_edit_saved_after_an_address_change_does_not_move_the_address_back(
    home_page, mailchimp_sandbox
):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    editor = CommittingClient()
    editor.force_login(user)
    sub = make_subscriber(ANNA, first_name="Anna", last_name="Ek", role="")
    url = f"/admin/newsletter/subscribers/edit/{sub.pk}/"
    form = shown_form(editor, url)
    assert form["email"] == ANNA and "shown" in form

    # Meanwhile the subscriber moves to a new address and corrects their name.
    service.save_profile(
        sub, {"email": "anna.ny@example.se", "last_name": "Ekström"}, source="preferences"
    )
    service.unsubscribe(sub, source="one_click")

    # The editor saves the form they loaded, having changed only the role.
    response = editor.post(url, {**form, "role": "Kommunikatör", "tags": ["Nyhetsbrev"]})
    assert response.status_code == 302, text_of(response)[:800]

    sub = Subscriber.objects.get(pk=sub.pk)
    assert (sub.email, sub.last_name, sub.role) == ("anna.ny@example.se", "Ekström", "Kommunikatör")
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.former_emails == [ANNA]


def test_preferences_saved_after_an_editors_change_keep_it(mailchimp_sandbox, home_page):
    sub = make_subscriber(ANNA, first_name="Anna", last_name="Ek", organisation="Tranemo kommun")
    path = f"/nyhetsbrev/installningar/{tokens.make_preferences_token(sub)}/"
    client = CommittingClient()
    form = shown_form(client, path)
    assert "shown" in form

    # Meanwhile an editor corrects the organisation.
    service.save_profile(sub, {"organisation": "Tranemo"}, source="admin")

    # The person changes their name only (the page still shows the old organisation).
    response = client.post(path, {**form, "action": "save", "name": "Anna Ekström"})
    assert response.status_code == 302

    sub = Subscriber.objects.get(pk=sub.pk)
    assert (sub.first_name, sub.last_name, sub.organisation) == ("Anna", "Ekström", "Tranemo")


# --- 7. an editor cannot bring an erased person back either --------------------------------------


@pytest.fixture
def editor(home_page):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(user)
    return client


def test_an_editor_cannot_add_an_erased_address(editor, mailchimp_sandbox):
    # Like the CSV import: consent "given elsewhere" does not outweigh an erasure request.
    service.erase(make_subscriber(ANNA))
    response = editor.post(
        "/admin/newsletter/subscribers/new/",
        {"email": " Anna@Example.SE ", "first_name": "Anna", "tags": ["Nyhetsbrev"]},
    )
    assert response.status_code == 200
    assert "Adressen har raderats på personens begäran" in text_of(response)
    assert not Subscriber.objects.exists()


def test_an_editor_cannot_move_a_subscriber_to_an_erased_address(editor, mailchimp_sandbox):
    service.erase(make_subscriber(ANNA))
    bo = make_subscriber("bo@example.se", first_name="Bo")
    url = f"/admin/newsletter/subscribers/edit/{bo.pk}/"
    response = editor.post(url, {**shown_form(editor, url), "email": ANNA, "tags": ["Nyhetsbrev"]})
    assert response.status_code == 200
    assert "Adressen har raderats på personens begäran" in text_of(response)
    assert Subscriber.objects.get(pk=bo.pk).email == "bo@example.se"

    # Other changes to someone whose address is not erased are saved as before.
    response = editor.post(url, {**shown_form(editor, url), "role": "Chef", "tags": ["Nyhetsbrev"]})
    assert response.status_code == 302
    assert Subscriber.objects.get(pk=bo.pk).role == "Chef"


# --- 4/7/9. erasure touches only what is still this person's -------------------------------------


def test_erasure_leaves_an_old_address_that_is_someone_elses_subscription_now(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    old, new = "delad@example.se", "ny@example.se"
    mc_put(new, "subscribed")  # the first person's member, renamed in Mailchimp already
    first = make_subscriber(new, former_emails=[old])
    # The old address is someone else's subscription now, with an unsubscribe waiting.
    mc_put(old, "subscribed", FNAME="Eva")
    other = make_subscriber(
        old, first_name="Eva", status_changed_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    unsubscribe = event("unsubscribe", fired_at="2026-01-10 10:00:00", email=old)
    webhook_inbox.store(b"type=unsubscribe&data[email]=delad", unsubscribe)

    with django_capture_on_commit_callbacks(execute=True):
        service.erase(first)

    assert mc_member(new) is None
    assert mc_member(old)["merge_fields"]["FNAME"] == "Eva"
    assert not tombstones.is_buried(old) and tombstones.is_buried(new)
    assert MailchimpWebhookEvent.objects.filter(processed_at__isnull=True).count() == 1
    assert MailchimpErasure.objects.count() == 0
    webhook_inbox.apply_waiting()
    assert Subscriber.objects.get(pk=other.pk).status == Status.UNSUBSCRIBED


def test_a_new_erasure_of_an_address_is_carried_out_after_an_earlier_one_was_resolved(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    # The first erasure was refused and an administrator marked it resolved.
    MailchimpErasure.objects.create(
        member_hash=subscriber_hash(ANNA), refused=True, attempts=3, resolved_at=NOW
    )
    # Anna signed up again, and asks again to be erased.
    mc_put(ANNA, "subscribed")
    with django_capture_on_commit_callbacks(execute=True):
        service.erase(make_subscriber(ANNA))
    assert mc_member(ANNA) is None
    assert not MailchimpErasure.objects.exists()


# --- 4. Mailchimp renames the member while our own address change is on its way -------------------


def test_upemail_of_a_member_whose_rename_is_pending_moves_that_member_not_a_new_one(
    mailchimp_sandbox, django_capture_on_commit_callbacks
):
    a, b, c = "a@example.se", "b@example.se", "c@example.se"
    sub = make_subscriber(a, mailchimp_needs_push=True)
    assert sync.push_subscriber(sub.pk).outcome == "pushed"
    # Our address change (its push has not gone out yet)…
    service.save_profile(sub, {"email": b}, source="admin")
    assert Subscriber.objects.get(pk=sub.pk).mailchimp_email == a
    # …while the person changes the address in Mailchimp's own profile form.
    audience.change_member_address(a, c)
    fields = event("upemail", fired_at="2026-11-30 10:00:00", old_email=a, new_email=c)
    with django_capture_on_commit_callbacks(execute=True):
        assert audience_events.apply_mailchimp_event(fields) == "applied"

    sub = Subscriber.objects.get(pk=sub.pk)
    assert (sub.email, sub.mailchimp_email, sub.mailchimp_needs_push) == (b, "", False)
    # One member, under our address; nothing left subscribed under the other two.
    assert mc_member(b)["status"] == "subscribed"
    assert mc_member(a) is None and mc_member(c) is None
    assert set(sub.former_emails) == {a, c}

    with django_capture_on_commit_callbacks(execute=True):
        service.erase(sub)
    assert mc_member(b) is None
    assert all(tombstones.is_buried(x) for x in (a, b, c))


# --- what we hold, in the access export ----------------------------------------------------------


def test_the_access_export_includes_a_requested_address_and_mailchimps_name(mailchimp_sandbox):
    from newsletter.services import address_change

    sub = make_subscriber(ANNA, mailchimp_pushed_at=NOW)
    assert address_change.request_address_change(sub, "anna.ny@example.se") == "sent"
    data = service.export_data(Subscriber.objects.get(pk=sub.pk))
    assert [c["new_email"] for c in data["requested_address_changes"]] == ["anna.ny@example.se"]
    assert data["mailchimp_email_address"] is None

    service.save_profile(sub, {"email": "anna.annan@example.se"}, source="admin")
    data = service.export_data(Subscriber.objects.get(pk=sub.pk))
    assert data["mailchimp_email_address"] == ANNA
