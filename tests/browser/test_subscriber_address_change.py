"""Changing the address from the preferences page in a real browser: ask → the link arrives at
the new address (sandbox inbox) → one click → the same Mailchimp member has the new address, and
the old settings link answers 410. axe checks each page on the way."""

import re
from urllib.parse import urlsplit

import pytest

from django.test import Client

from newsletter.mailchimp import audience
from newsletter.models import Subscriber
from newsletter.services import sync
from tests.browser.axe import serious_violations
from tests.newsletter.subscriber_support import make_subscriber, preferences_path

pytestmark = [pytest.mark.browser]

OLD, NEW = "berit.byte@example.se", "berit@kommun.example.se"


def test_change_the_address_from_the_preferences_page(
    page, live_server, home_page, mailchimp_sandbox_live
):
    sandbox = mailchimp_sandbox_live
    sub = make_subscriber(OLD, first_name="Berit", mailchimp_needs_push=True)
    assert sync.push_subscriber(sub.pk).outcome == "pushed"
    contact = audience.get_member(OLD)["contact_id"]
    settings_url = live_server.url + preferences_path(sub)

    page.goto(settings_url)
    page.get_by_role("heading", name="Byt e-postadress").wait_for()
    assert serious_violations(page) == []
    # A hostile address first (the browser lets it through): refused in Swedish, nothing sent.
    page.get_by_label("Ny e-postadress").fill("berit@localhost")
    page.get_by_role("button", name="Skicka länk till den nya adressen").click()
    assert "inte en IP-adress" in page.locator("main").inner_text()
    assert serious_violations(page) == []
    assert sandbox.messages(to="berit@localhost") == []

    page.get_by_label("Ny e-postadress").fill(NEW)
    page.get_by_role("button", name="Skicka länk till den nya adressen").click()
    notice = page.get_by_role("status")
    notice.wait_for()
    assert f"Vi har skickat ett mejl till {NEW}" in notice.inner_text()
    assert Subscriber.objects.get(pk=sub.pk).email == OLD  # nothing changes before the link

    [warning] = sandbox.messages(to=OLD)
    assert warning["subject"] == "Din e-postadress för SmåKoms nyhetsbrev håller på att ändras"
    [confirmation] = sandbox.messages(to=NEW)
    assert confirmation["subject"] == "Bekräfta din nya e-postadress för SmåKoms nyhetsbrev"
    link = re.search(r"https?://\S+/nyhetsbrev/byt-adress/\S+", confirmation["text"]).group(0)

    # A mail scanner that prefetches the link (no JavaScript) changes nothing.
    scanned = Client().get(urlsplit(link).path)
    assert scanned.status_code == 200 and b"data-auto-submit" in scanned.content
    assert Subscriber.objects.get(pk=sub.pk).email == OLD

    page.goto(link)  # the page posts itself in a person's browser
    page.get_by_role("heading", name="Din e-postadress är bytt").wait_for()
    assert serious_violations(page) == []
    changed = Subscriber.objects.get(pk=sub.pk)
    assert (changed.email, changed.status) == (NEW, Subscriber.Status.SUBSCRIBED)
    assert audience.get_member(OLD) is None
    member = audience.get_member(NEW)
    assert (member["contact_id"], member["status"]) == (contact, "subscribed")

    # The settings link from before the change is dead.
    page.goto(settings_url)
    page.get_by_role("heading", name="Länken gjordes för en annan adress").wait_for()
    assert serious_violations(page) == []
