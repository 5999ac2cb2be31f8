"""Issue 11, point 10: the Mandrill tracking webhook is not mounted without both of its keys,
`check --deploy` says so, and no body makes it answer 500 (a 200-case fuzz included)."""

import importlib
import json
import random

import pytest

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import resolve

from newsletter import urls_webhooks
from newsletter.models import Subscriber
from tests.newsletter.mandrill_support import PATH, mandrill_event, signed_post, signed_raw

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("missing", ["MANDRILL_WEBHOOK_KEY", "WEBHOOK_SECRET"])
def test_not_mounted_without_both_keys(client, settings, missing):
    settings.ANYMAIL = {**settings.ANYMAIL, missing: ""}
    # At request time (a setting that goes away)…
    response = signed_post(client, [mandrill_event("spam", "anna@example.se", "ev1")])
    assert response.status_code == 404
    assert not Subscriber.objects.exists()
    # …and in the URLconf itself, as it is built at start-up.
    reloaded = importlib.reload(urls_webhooks)
    try:
        names = {p.name for p in reloaded.urlpatterns}
        assert "anymail_mandrill_webhook" not in names
        assert "mailchimp_webhook" in names
    finally:
        settings.ANYMAIL = {**settings.ANYMAIL, missing: "restored"}
        importlib.reload(urls_webhooks)
    assert resolve(PATH).url_name == "anymail_mandrill_webhook"


def test_deploy_check_errors_when_mail_goes_through_mandrill_without_the_keys(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mandrill.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "MANDRILL_WEBHOOK_KEY": ""}
    with pytest.raises(SystemCheckError, match="newsletter.E001"):
        call_command("check", "--deploy", "--tag", "newsletter")
    settings.ANYMAIL = {**settings.ANYMAIL, "MANDRILL_WEBHOOK_KEY": "k"}
    call_command("check", "--deploy", "--tag", "newsletter")
    # Mail through SMTP: no Mandrill tracking to protect.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "MANDRILL_WEBHOOK_KEY": ""}
    call_command("check", "--deploy", "--tag", "newsletter")


@pytest.mark.parametrize(
    "params",
    [
        {"mandrill_events": "x"},
        {"mandrill_events": "null"},
        {"mandrill_events": "[1]"},
        {"mandrill_events": '{"event": "spam"}'},
        {"mandrill_events": '[{"event": "spam", "msg": "x"}]'},
        {"mandrill_events": '[{"event": "spam", "ts": "soon"}]'},
        {"mandrill_events": '[{"event": "inbound"}, {"event": "spam"}]'},
        {"something_else": "[]"},
        {},
    ],
)
def test_malformed_bodies_answer_400(client, params):
    response = signed_raw(client, params)
    assert response.status_code == 400, response.content[:300]
    assert not Subscriber.objects.exists()


def fuzz_value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "none", "bool", "big", "email"]
    if depth < 3:
        kinds += ["list", "dict", "dict"]
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(
            rng.choice("aé<>\"'\\{}[]@.:0 \x00\u2028ö") for _ in range(rng.randint(0, 12))
        )
    if kind == "int":
        return rng.randint(-(2**63), 2**63)
    if kind == "float":
        return rng.choice([rng.uniform(-1e20, 1e20), 1e308, -0.0])
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "big":
        return 10 ** rng.randint(10, 400)
    if kind == "email":
        return rng.choice(["anna@example.se", "ANNA@EXAMPLE.SE", "@", "a@b", "x" * 300 + "@e.se"])
    if kind == "list":
        return [fuzz_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["event", "type", "_id", "ts", "msg", "email", "state", "tags", "metadata", "sender"]
    return {rng.choice(keys): fuzz_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def fuzz_event(rng: random.Random):
    """Mostly event-shaped: a real kind with fields of the wrong type, sizes or values."""
    if rng.random() < 0.2:
        return fuzz_value(rng)
    event = mandrill_event(
        rng.choice(["spam", "hard_bounce", "soft_bounce", "unsub", "send", "open", "reject"]),
        rng.choice(["anna@example.se", "bo@example.se"]),
        f"ev{rng.randint(0, 9)}",
        ts=rng.choice([1700000000, 0, -1]),
    )
    for _ in range(rng.randint(1, 3)):
        target = event if rng.random() < 0.5 or not isinstance(event["msg"], dict) else event["msg"]
        target[rng.choice(list(target))] = fuzz_value(rng)
    return event


def test_fuzzed_tracking_posts_never_answer_5xx(client):
    rng = random.Random(11)  # seeded: the same 200 cases every run
    statuses = {}
    for case in range(200):
        if rng.random() < 0.15:
            body = "".join(rng.choice('[]{}",:01nultrxe ') for _ in range(rng.randint(0, 40)))
        else:
            events = [fuzz_event(rng) for _ in range(rng.randint(0, 3))]
            body = json.dumps(events if rng.random() < 0.9 else events[:1] and events[0])
        response = signed_raw(client, {"mandrill_events": body})
        assert response.status_code < 500, (case, body[:500], response.content[:300])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert statuses.get(200) and statuses.get(400)  # both well- and ill-formed cases were tried
