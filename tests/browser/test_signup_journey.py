"""The subscriber's journey in a real browser: sign up → confirmation mail in the sandbox inbox
→ open the link → confirm → member in the Mailchimp sandbox → welcome mail → our unsubscribe
link → unsubscribed here and in the sandbox."""

import re
from urllib.parse import urlsplit

import pytest

from django.test import Client

from newsletter.mailchimp import audience
from newsletter.models import Subscriber

pytestmark = [pytest.mark.browser]


EMAIL = "maja.malm@example.se"


def link(text: str, path: str) -> str:
    return re.search(rf"https?://[^\s]+{path}[^\s]+", text).group(0)


def test_sign_up_confirm_and_unsubscribe(
    page, live_server, home_page, mailchimp_sandbox_live, settings
):
    settings.NEWSLETTER_FORM_MIN_SECONDS = 1
    sandbox = mailchimp_sandbox_live

    page.goto(f"{live_server.url}/nyhetsbrev/prenumerera/")
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Namn").fill("Maja Malm")
    page.get_by_label("Jag vill få SmåKoms nyhetsbrev").check()
    page.wait_for_timeout(1200)  # a person takes a moment; bots that post at once are refused
    page.get_by_role("button", name="Prenumerera").click()
    page.get_by_role("heading", name="Titta i din inkorg").wait_for()

    # The confirmation mail went through anymail (Mandrill API) to the sandbox inbox.
    [mail] = sandbox.messages(to=EMAIL)
    assert mail["subject"] == "Bekräfta din prenumeration på SmåKoms nyhetsbrev"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Subscriber.objects.get(email=EMAIL).status == "pending"
    assert audience.get_member(EMAIL) is None  # not in Mailchimp before confirming

    # A mail scanner that prefetches the link (no JavaScript) confirms nothing.
    confirm_url = link(mail["text"], "/nyhetsbrev/bekrafta/")
    parts = urlsplit(confirm_url)
    scanned = Client().get(parts.path + ("?" + parts.query if parts.query else ""))
    assert scanned.status_code == 200 and b"data-auto-submit" in scanned.content
    assert Subscriber.objects.get(email=EMAIL).status == "pending"
    # A person's browser: the click on the link is the only click (the page posts itself).
    page.goto(confirm_url)
    page.get_by_role("heading", name="Tack, din prenumeration är bekräftad").wait_for()

    sub = Subscriber.objects.get(email=EMAIL)
    assert sub.status == "subscribed"
    assert sub.confirm_user_agent  # the browser's
    member = audience.get_member(EMAIL)
    assert member["status"] == "subscribed"
    assert member["merge_fields"]["FNAME"] == "Maja"

    welcome = sandbox.messages(to=EMAIL)[-1]
    assert welcome["subject"] == "Välkommen som prenumerant på SmåKoms nyhetsbrev"
    page.goto(link(welcome["text"], "/nyhetsbrev/avsluta/"))
    page.get_by_role("button", name="Avsluta prenumerationen").click()
    page.get_by_role("heading", name="Du har avslutat prenumerationen").wait_for()
    assert Subscriber.objects.get(email=EMAIL).status == "unsubscribed"
    assert audience.get_member(EMAIL)["status"] == "unsubscribed"


def test_form_errors_are_shown_in_swedish(page, live_server, home_page):
    page.goto(f"{live_server.url}/nyhetsbrev/prenumerera/")
    page.get_by_label("E-postadress").fill("åsa@example.se")
    page.get_by_label("Namn").fill("Åsa")
    page.get_by_role("button", name="Prenumerera").click()  # at once, and without consent
    assert page.locator(".field-error").first.is_visible()
    body = page.locator("main").inner_text()
    assert "å, ä eller ö före @" in body
    assert "Kryssa i rutan" in body
    assert not Subscriber.objects.exists()
