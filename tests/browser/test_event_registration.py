"""An event registration in a real browser: register → confirmation mail (with the .ics file) in
the sandbox inbox → change through the personal link → a second person lands on the waiting list
→ the first cancels → the second is offered the place by mail and takes it."""

import re

import pytest

from events.models import Registration
from tests.events.support import make_event

pytestmark = [pytest.mark.browser]


def personal_link(mail) -> str:
    return re.search(r"https?://\S+/kalender/anmalan/\S+/", mail["text"]).group(0)


def fill(page, name, email):
    page.get_by_label("Namn", exact=True).fill(name)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Kommun eller organisation").select_option("other")
    page.get_by_label("Annan organisation (namn)").fill("Region Dalarna")
    page.get_by_label("Roll").select_option("officer")
    page.get_by_label("Konferens torsdag–fredag").check()
    page.get_by_label("Jag godkänner att mitt namn står på deltagarlistan.").check()


def test_register_change_cancel_and_waiting_list_moves_up(
    page, live_server, home_page, mailchimp_sandbox_live
):
    sandbox = mailchimp_sandbox_live
    event = make_event(home_page, capacity=1, options=[("Konferens torsdag–fredag", None)])

    page.goto(live_server.url + event.url)
    page.get_by_text("1 plats kvar").wait_for()
    page.get_by_role("link", name="Anmäl dig").click()
    fill(page, "Anna Andersson", "anna@example.se")
    page.get_by_label("Specialkost och allergier").fill("Nötallergi")
    page.get_by_role("button", name="Anmäl dig").click()
    page.get_by_role("heading", name="Tack, du är anmäld").wait_for()

    [confirmation] = sandbox.messages(to="anna@example.se")
    assert confirmation["subject"] == "Anmälan bekräftad: Vårmöte"
    assert confirmation["attachments"][0]["name"] == "varmote.ics"
    anna_link = personal_link(confirmation)

    # Anna changes her dietary needs through her personal link.
    page.goto(anna_link)
    page.get_by_label("Specialkost och allergier").fill("Nötallergi, laktosfri")
    page.get_by_role("button", name="Spara ändringarna").click()
    page.get_by_text("Din anmälan är ändrad.").wait_for()
    assert Registration.objects.get(email="anna@example.se").diet == "Nötallergi, laktosfri"

    # The event is full: Bo lands on the waiting list.
    page.goto(live_server.url + event.url + "anmalan/")
    page.get_by_text("Fullbokat").first.wait_for()
    fill(page, "Bo Berg", "bo@example.se")
    page.get_by_role("button", name="Ställ mig på väntelistan").click()
    page.get_by_role("heading", name="Du står på väntelistan").wait_for()
    assert sandbox.messages(to="bo@example.se")[-1]["subject"] == "Du står på väntelistan: Vårmöte"

    # Anna cancels; Bo is offered the place by mail and takes it.
    page.goto(anna_link)
    page.get_by_role("button", name="Avboka min anmälan").click()
    page.get_by_text("Din anmälan är avbokad.").wait_for()
    offer = sandbox.messages(to="bo@example.se")[-1]
    assert offer["subject"] == "En plats är ledig för dig: Vårmöte"
    page.goto(personal_link(offer))
    page.get_by_role("button", name="Ta platsen").click()
    page.get_by_text("Välkommen! Din plats är bekräftad.").wait_for()
    assert page.locator(".registration-status").inner_text().startswith("Anmäld")
    assert Registration.objects.get(email="bo@example.se").status == "confirmed"
    assert sandbox.messages(to="bo@example.se")[-1]["subject"] == "Anmälan bekräftad: Vårmöte"
    # No inline scripts on the public registration pages (a CSP is coming).
    assert page.locator("body script:not([src])").count() == 0
