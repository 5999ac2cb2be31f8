"""The Subscriber model, its event log, names and the signed tokens."""

from datetime import timedelta

import pytest
import time_machine

from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter import tokens
from newsletter.models import Subscriber, SubscriberEvent, normalise_email
from newsletter.models.subscribers import split_name
from newsletter.services import subscribers as service

pytestmark = pytest.mark.django_db


def test_email_is_unique_regardless_of_case():
    Subscriber.objects.create(email="Anna.Andersson@Example.se")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="anna.andersson@EXAMPLE.SE")
    assert Subscriber.objects.get().email == "anna.andersson@example.se"


def test_lookups_by_address_go_through_the_case_insensitive_index():
    sub = Subscriber.objects.create(email="anna.andersson@example.se")
    with CaptureQueriesContext(connection) as queries:
        assert Subscriber.objects.by_email("anna.andersson@example.se") == sub
        assert Subscriber.objects.by_email("nobody@example.se") is None
        service.signup(email="Anna.Andersson@Example.se")  # finds the row, creates none
    assert Subscriber.objects.count() == 1
    lookups = [
        q["sql"].upper().split(" WHERE ", 1)[1]
        for q in queries.captured_queries
        if q["sql"].upper().startswith("SELECT")
        and 'FROM "NEWSLETTER_SUBSCRIBER" ' in q["sql"].upper()
    ]
    # LOWER(email) is what the unique index holds; a plain `email = …` would scan the table.
    assert len(lookups) == 3
    assert all('LOWER("NEWSLETTER_SUBSCRIBER"."EMAIL")' in where for where in lookups), lookups


def test_normalise_email_encodes_idn_domains():
    assert normalise_email("  Åsa@Kommun.ÅRE.se ") == "åsa@kommun.xn--re-xia.se"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Anna Andersson", ("Anna", "Andersson")),
        ("  Anna   Maria  Andersson ", ("Anna Maria", "Andersson")),
        ("Cher", ("Cher", "")),
        ("", ("", "")),
    ],
)
def test_split_name(name, parts):
    assert split_name(name) == parts


def test_change_status_logs_every_change_and_ignores_stale_ones():
    sub = Subscriber.objects.create(email="bo@example.se", status="subscribed")
    now = timezone.now()
    assert sub.change_status("unsubscribed", source="mailchimp_webhook", at=now)
    # An older subscribe delivered late does not undo the unsubscribe.
    assert not sub.change_status(
        "subscribed", source="mailchimp_webhook", at=now - timedelta(minutes=5)
    )
    # A duplicate changes nothing either.
    assert not sub.change_status("unsubscribed", source="mailchimp_webhook", at=now)
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    events = list(sub.events.order_by("id").values_list("from_status", "to_status", "applied"))
    assert events == [
        ("subscribed", "unsubscribed", True),
        ("unsubscribed", "subscribed", False),
        ("unsubscribed", "unsubscribed", False),
    ]


def test_confirm_token_expires_and_is_bound_to_the_nonce():
    sub = Subscriber.objects.create(email="c@example.se", token_nonce=tokens.new_nonce())
    token = tokens.make_confirm_token(sub)
    data = tokens.read_confirm_token(token)
    assert (data.subscriber_id, data.nonce) == (sub.pk, sub.token_nonce)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        with pytest.raises(tokens.TokenError) as exc:
            tokens.read_confirm_token(token)
        assert exc.value.reason == "expired"
    # Each purpose has its own salt.
    with pytest.raises(tokens.TokenError):
        tokens.read_preferences_token(token)
    with pytest.raises(tokens.TokenError):
        tokens.read_unsubscribe_token(token)


def test_form_stamp():
    stamp = tokens.make_form_stamp(now=1_000_000)
    assert tokens.form_stamp_age(stamp, now=1_000_030) == 30
    with pytest.raises(tokens.TokenError):
        tokens.form_stamp_age(stamp + "x")


def test_erase_keeps_a_log_entry_without_personal_data(subscriber_env):
    sub = Subscriber.objects.create(
        email="dora@example.se", status="subscribed", first_name="Dora", signup_ip="192.0.2.1"
    )
    sub.change_status("unsubscribed", source="admin", detail={"note": "dora@example.se asked"})
    service.erase(sub)
    assert not Subscriber.objects.exists()
    erasure = SubscriberEvent.objects.get(source="erasure")
    assert erasure.subscriber is None
    text = str(
        list(SubscriberEvent.objects.values_list("from_status", "to_status", "source", "detail"))
    )
    assert "dora" not in text.lower() and "192.0.2.1" not in text


def test_export_data_holds_everything():
    sub = Subscriber.objects.create(
        email="eva@example.se",
        first_name="Eva",
        status="subscribed",
        tags=["Evenemang"],
        consent_text="Jag vill få nyhetsbrevet",
        signup_ip="192.0.2.7",
        signup_at=timezone.now(),
    )
    sub.change_status("unsubscribed", source="one_click")
    data = service.export_data(sub)
    assert data["email"] == "eva@example.se"
    assert data["interests"] == ["Evenemang"]
    assert data["consent"]["sign_up_ip"] == "192.0.2.7"
    assert data["consent"]["text_shown"] == "Jag vill få nyhetsbrevet"
    assert [e["source"] for e in data["events"]] == ["one_click"]


@pytest.fixture
def subscriber_env(mailchimp_sandbox):
    return mailchimp_sandbox


def test_demo_subscribers_are_idempotent_and_reach_the_sandbox(subscriber_env):
    from django.test import TestCase

    from newsletter.demo.subscribers import PEOPLE, load_subscribers
    from newsletter.mailchimp import audience

    with TestCase.captureOnCommitCallbacks(execute=True):
        load_subscribers()
    with TestCase.captureOnCommitCallbacks(execute=True):
        load_subscribers()
    assert Subscriber.objects.filter(status="subscribed").count() == len(PEOPLE)
    assert SubscriberEvent.objects.filter(source="demo").count() == len(PEOPLE)
    member = audience.get_member("anna.andersson@example.se")
    assert member["status"] == "subscribed"
    assert member["merge_fields"]["FNAME"] == "Anna"
