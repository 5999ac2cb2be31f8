"""Helpers shared by the subscriber tests (sign-up, unsubscribe, admin)."""

from __future__ import annotations

import re
import time

import pytest

from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Subscriber

SIGNUP_URL = "/nyhetsbrev/prenumerera/"


class CommittingClient(Client):
    """A test client that runs on_commit callbacks when a request's work would have committed:
    tests run inside one transaction, and mail and Mailchimp pushes are sent after commit."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()


def signup_data(email="anna.andersson@example.se", name="Anna Andersson", **extra) -> dict:
    """A sign-up form as a person sends it: a stamp from 10 seconds ago, honeypot empty."""
    data = {
        "email": email,
        "name": name,
        "municipality": "",
        "consent": "on",
        "website": "",
        "stamp": tokens.make_form_stamp(now=time.time() - 10),
    }
    data.update(extra)
    return data


def make_subscriber(email="bo.berg@example.se", status=Subscriber.Status.SUBSCRIBED, **fields):
    fields.setdefault("first_name", "Bo")
    fields.setdefault("last_name", "Berg")
    fields.setdefault("token_nonce", tokens.new_nonce())
    return Subscriber.objects.create(email=email, status=status, **fields)


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


def confirm_link(message) -> str:
    """The path of the confirmation link in a confirmation mail's text part."""
    for url in links_in(message):
        if "/nyhetsbrev/bekrafta/" in url:
            return url.removeprefix("http://testserver")
    raise AssertionError(f"no confirmation link in: {message.body}")


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def unsubscribe_path(sub) -> str:
    return reverse("newsletter:unsubscribe", args=[tokens.make_unsubscribe_token(sub)])


def preferences_path(sub) -> str:
    return reverse("newsletter:preferences", args=[tokens.make_preferences_token(sub)])


@pytest.fixture(autouse=True)
def subscriber_env(mailchimp_sandbox, settings):
    """Every subscriber test: pushes go over real HTTP to the Mailchimp sandbox; our own mail
    lands in Django's locmem outbox (tests of the Mandrill path use `sandbox_mail`); rate-limit
    counters (process-wide locmem cache) start at zero."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield mailchimp_sandbox
    cache.clear()
