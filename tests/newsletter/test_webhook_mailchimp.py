"""The Mailchimp audience webhook: every event type, duplicates, reordering, hostile input."""

import random
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from newsletter.models import MailchimpWebhookEvent, Subscriber, SubscriberEvent
from newsletter.services.audience_events import mailchimp_campaign_event

from .audience_support import FORM, WEBHOOK_PATH, event, make_subscriber, post_event

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def snapshot():
    """Everything a rejected request must leave untouched."""
    return (
        list(Subscriber.objects.order_by("pk").values()),
        SubscriberEvent.objects.count(),
        MailchimpWebhookEvent.objects.count(),
    )


# --- validation GET and the key -----------------------------------------------------------------


def test_validation_get_answers_200_with_the_right_key(client):
    response = client.get(
        f"{WEBHOOK_PATH}?key=test-webhook-secret", HTTP_USER_AGENT="MailChimp.com WebHook Validator"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["", "?key=", "?key=wrong", "?key=test-webhook-secreT"])
def test_wrong_or_missing_key_is_403(client, query):
    assert client.get(f"{WEBHOOK_PATH}{query}").status_code == 403
    make_subscriber("anna@example.se")
    before = snapshot()
    body = urlencode(event("unsubscribe", email="anna@example.se"))
    response = client.post(f"{WEBHOOK_PATH}{query}", data=body, content_type=FORM)
    assert response.status_code == 403
    assert snapshot() == before


def test_no_secret_configured_accepts_nothing(client, settings):
    settings.MAILCHIMP_WEBHOOK_SECRET = ""
    assert client.get(f"{WEBHOOK_PATH}?key=").status_code == 403


def test_csrf_is_not_required(client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = post_event(csrf_client, event("subscribe", email="ny@example.se"))
    assert response.status_code == 200


def test_other_methods_are_405(client):
    response = client.put(f"{WEBHOOK_PATH}?key=test-webhook-secret", data="x", content_type=FORM)
    assert response.status_code == 405


# --- each event type ------------------------------------------------------------------------------


def test_subscribe_creates_an_unknown_member(client):
    response = post_event(
        client,
        event(
            "subscribe",
            email="Ny.Person@Example.se",
            merges_FNAME="Ny",
            merges_LNAME="Person",
            merges_ORG="Ydre kommun",
            ip_opt="198.51.100.7",
        ),
    )
    assert response.status_code == 200
    sub = Subscriber.objects.get(email="ny.person@example.se")
    assert sub.status == Status.SUBSCRIBED
    assert sub.source == Subscriber.Source.MAILCHIMP
    assert (sub.first_name, sub.last_name, sub.organisation) == ("Ny", "Person", "Ydre kommun")
    assert sub.confirm_ip == "198.51.100.7"
    assert sub.status_changed_at == at("2026-01-10 10:00:00")
    assert sub.mailchimp_needs_push is False  # it came from Mailchimp: nothing to send back
    assert sub.events.get().source == "mailchimp_webhook"


def test_subscribe_confirms_a_pending_member(client):
    sub = make_subscriber(
        "anna@example.se", Status.PENDING, status_changed_at=at("2026-01-01 00:00:00")
    )
    assert post_event(client, event("subscribe", email="anna@example.se")).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED


def test_unsubscribe_known_member(client):
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    response = post_event(
        client,
        event(
            "unsubscribe",
            email="anna@example.se",
            action="unsub",
            reason="manual",
            campaign_id="c1",
        ),
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.status_changed_at == at("2026-01-10 10:00:00")
    assert sub.mailchimp_needs_push is False
    logged = sub.events.get(applied=True)
    assert logged.source == "mailchimp_webhook"
    assert logged.from_status == Status.SUBSCRIBED
    assert logged.detail["campaign_id"] == "c1"


def test_unsubscribe_of_unknown_address_is_recorded(client):
    assert post_event(client, event("unsubscribe", email="okand@example.se")).status_code == 200
    sub = Subscriber.objects.get(email="okand@example.se")
    assert sub.status == Status.UNSUBSCRIBED  # a later import cannot sign them up again


def test_unsubscribe_with_delete_action(client):
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    post_event(
        client, event("unsubscribe", email="anna@example.se", action="delete", reason="manual")
    )
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("hard", "hard_bounce"), ("abuse", "complaint"), ("other", "other")],
)
def test_cleaned(client, reason, expected):
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    post_event(client, event("cleaned", email="anna@example.se", reason=reason))
    sub.refresh_from_db()
    assert sub.status == Status.CLEANED
    assert sub.cleaned_reason == expected


def test_profile_updates_names(client):
    sub = make_subscriber("anna@example.se")
    response = post_event(
        client,
        event("profile", email="anna@example.se", merges_FNAME="Annika", merges_LNAME="Berg"),
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert (sub.first_name, sub.last_name) == ("Annika", "Berg")
    assert sub.organisation == "Grästorps kommun"  # not in the event: kept


def test_profile_of_unknown_member_is_accepted_and_ignored(client):
    assert post_event(client, event("profile", email="okand@example.se")).status_code == 200
    assert not Subscriber.objects.exists()


def test_upemail_changes_the_address_once(client):
    sub = make_subscriber("gammal@example.se", token_nonce="abc")
    fields = event("upemail", old_email="gammal@example.se", new_email="ny@example.se", new_id="x")
    assert post_event(client, fields).status_code == 200
    sub.refresh_from_db()
    assert sub.email == "ny@example.se"
    assert sub.token_nonce == ""  # links signed for the old address stop working
    # A duplicate delivery changes nothing more.
    assert post_event(client, fields).status_code == 200
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().email == "ny@example.se"


def test_upemail_to_an_existing_address_keeps_both(client):
    make_subscriber("gammal@example.se")
    make_subscriber("ny@example.se")
    fields = event("upemail", old_email="gammal@example.se", new_email="ny@example.se")
    assert post_event(client, fields).status_code == 200
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "gammal@example.se",
        "ny@example.se",
    }


def test_campaign_event_is_passed_on(client):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    mailchimp_campaign_event.connect(receiver)
    try:
        fields = event("campaign", id="camp1", subject="Nyhetsbrev april", status="sent")
        assert post_event(client, fields).status_code == 200
    finally:
        mailchimp_campaign_event.disconnect(receiver)
    assert seen[0]["campaign_id"] == "camp1"
    assert seen[0]["status"] == "sent"


# --- duplicates and order -----------------------------------------------------------------------


def test_duplicate_unsubscribe_is_idempotent(client):
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    fields = event("unsubscribe", email="anna@example.se")
    for _ in range(3):
        assert post_event(client, fields).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.events.filter(applied=True).count() == 1


def test_late_subscribe_does_not_undo_a_newer_unsubscribe(client):
    sub = make_subscriber(
        "anna@example.se", Status.PENDING, status_changed_at=at("2026-01-01 00:00:00")
    )
    post_event(
        client, event("unsubscribe", fired_at="2026-01-10 10:05:00", email="anna@example.se")
    )
    # The subscribe happened first but arrives second.
    response = post_event(
        client, event("subscribe", fired_at="2026-01-10 10:00:00", email="anna@example.se")
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
    assert sub.status_changed_at == at("2026-01-10 10:05:00")
    assert sub.events.filter(applied=False, to_status=Status.SUBSCRIBED).exists()


def test_older_unsubscribe_arriving_late_does_not_undo_a_resubscribe(client):
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    post_event(client, event("subscribe", fired_at="2026-01-12 09:00:00", email="anna@example.se"))
    post_event(
        client, event("unsubscribe", fired_at="2026-01-11 09:00:00", email="anna@example.se")
    )
    sub.refresh_from_db()
    assert sub.status == Status.SUBSCRIBED


def test_older_profile_arriving_late_is_ignored(client):
    sub = make_subscriber("anna@example.se")
    post_event(
        client,
        event(
            "profile", fired_at="2026-01-10 10:05:00", email="anna@example.se", merges_FNAME="Ny"
        ),
    )
    post_event(
        client,
        event(
            "profile",
            fired_at="2026-01-10 10:00:00",
            email="anna@example.se",
            merges_FNAME="Gammal",
        ),
    )
    sub.refresh_from_db()
    assert sub.first_name == "Ny"


def test_shuffled_stream_ends_in_the_newest_state(client):
    """Ten alternating events for one address, delivered in random order, twice each."""
    sub = make_subscriber("anna@example.se", status_changed_at=at("2026-01-01 00:00:00"))
    kinds = ["subscribe", "unsubscribe"] * 5
    events = [
        event(kind, fired_at=f"2026-01-10 10:{minute:02d}:00", email="anna@example.se")
        for minute, kind in enumerate(kinds)
    ]
    deliveries = events * 2
    random.Random(5).shuffle(deliveries)
    for fields in deliveries:
        assert post_event(client, fields).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED  # the last one (10:09) was an unsubscribe
    assert sub.status_changed_at == at("2026-01-10 10:09:00")


# --- hostile input: 400, nothing changed, never a 500 -------------------------------------------

GOOD = event("unsubscribe", email="anna@example.se")


def without(key):
    return {k: v for k, v in GOOD.items() if k != key}


BAD_FORMS = {
    "missing type": without("type"),
    "unknown type": {**GOOD, "type": "explode"},
    "missing fired_at": without("fired_at"),
    "bad fired_at": {**GOOD, "fired_at": "yesterday"},
    "iso fired_at": {**GOOD, "fired_at": "2026-01-10T10:00:00Z"},
    "future fired_at": {**GOOD, "fired_at": "2999-01-01 00:00:00"},
    "missing email": without("data[email]"),
    "empty email": {**GOOD, "data[email]": ""},
    "invalid email": {**GOOD, "data[email]": "not-an-address"},
    "two at signs": {**GOOD, "data[email]": "a@b@example.se"},
    "overlong email": {**GOOD, "data[email]": "a" * 250 + "@example.se"},
    "other audience": {**GOOD, "data[list_id]": "someoneelse"},
    "upemail without new": event("upemail", old_email="anna@example.se"),
    "campaign without id": event("campaign", subject="x"),
}


@pytest.mark.parametrize("name", list(BAD_FORMS))
def test_malformed_events_are_400_and_change_nothing(client, name):
    make_subscriber("anna@example.se")
    before = snapshot()
    response = post_event(client, BAD_FORMS[name])
    assert response.status_code == 400, name
    assert snapshot() == before


RAW_BODIES = {
    "empty": (b"", FORM),
    "json": (b'{"type": "unsubscribe", "data": {"email": "anna@example.se"}}', "application/json"),
    "no content type": (urlencode(GOOD).encode(), ""),
    "multipart": (urlencode(GOOD).encode(), "multipart/form-data; boundary=xyz"),
    "latin-1 charset": (urlencode(GOOD).encode(), FORM + "; charset=latin-1"),
    "non-utf8 bytes": (
        b"type=unsubscribe&fired_at=2026-01-10+10:00:00&data[email]=\xff\xfe@x.se",
        FORM,
    ),
    "non-utf8 escapes": (
        b"type=unsubscribe&fired_at=2026-01-10+10:00:00&data[email]=%ff%fe@x.se",
        FORM,
    ),
    "huge body": (urlencode({**GOOD, "data[merges][FNAME]": "x" * 2_000_000}).encode(), FORM),
    "many fields": ("&".join(f"f{i}=1" for i in range(5000)).encode(), FORM),
    "binary junk": (bytes(range(256)) * 10, FORM),
    "only ampersands": (b"&&&&===&&", FORM),
}


@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_hostile_bodies_are_400_and_change_nothing(client, name):
    make_subscriber("anna@example.se")
    before = snapshot()
    body, content_type = RAW_BODIES[name]
    response = client.generic(
        "POST", f"{WEBHOOK_PATH}?key=test-webhook-secret", data=body, content_type=content_type
    )
    assert response.status_code == 400, name
    assert snapshot() == before


def test_fuzzed_bodies_never_cause_a_500(client):
    """Random mutations of a real event: every answer is 200 or 400, never a server error."""
    make_subscriber("anna@example.se")
    rng = random.Random(20260110)
    base = urlencode(GOOD).encode()
    statuses = set()
    for _ in range(300):
        body = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            choice = rng.random()
            pos = rng.randrange(len(body) + 1)
            if choice < 0.4 and body:
                body[min(pos, len(body) - 1)] = rng.randrange(256)
            elif choice < 0.7:
                body[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
            else:
                del body[pos : pos + rng.randint(1, 10)]
        response = client.generic(
            "POST", f"{WEBHOOK_PATH}?key=test-webhook-secret", data=bytes(body), content_type=FORM
        )
        statuses.add(response.status_code)
    assert statuses <= {200, 400}
    assert 400 in statuses


def test_unsubscribe_in_the_same_second_as_our_change_wins_the_tie(client):
    """Mailchimp's fired_at has whole seconds; ours has microseconds. Leaving wins a tie."""
    from django.utils import timezone

    sub = make_subscriber("anna@example.se")  # status_changed_at: now, with microseconds
    same_second = timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    post_event(client, event("unsubscribe", fired_at=same_second, email="anna@example.se"))
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED


def test_subscribe_in_the_same_second_as_our_unsubscribe_loses_the_tie(client):
    from django.utils import timezone

    sub = make_subscriber("anna@example.se", Status.UNSUBSCRIBED)
    same_second = timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    post_event(client, event("subscribe", fired_at=same_second, email="anna@example.se"))
    sub.refresh_from_db()
    assert sub.status == Status.UNSUBSCRIBED
