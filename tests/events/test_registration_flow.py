"""Registration through the public pages: form, places, waiting list, personal link, mail."""

import datetime as dt
import re

import pytest

from django.core import mail
from django.utils import timezone

from events import services
from events.models import Registration
from tests.events.support import form_data, make_event, municipality
from tests.newsletter.subscriber_support import client  # noqa: F401  (runs on_commit per request)

pytestmark = pytest.mark.django_db


def register_url(event):
    return event.url + "anmalan/"


def personal_link(message) -> str:
    return re.search(r"https?://\S+/kalender/anmalan/\S+/", message.body).group(0)


def test_register_confirms_and_mails_with_calendar_file(client, home_page):  # noqa: F811
    event = make_event(home_page, capacity=10, options=[("Årsstämma onsdag", None)])
    page = client.get(register_url(event))
    assert page.status_code == 200
    html = page.content.decode()
    assert "10 platser kvar" in html
    assert "Årsstämma onsdag" in html
    assert "<script" not in html.split("</head>")[1]  # no inline scripts in the body

    mun = municipality()
    response = client.post(
        register_url(event),
        form_data(event, organisation_choice=str(mun.pk), diet="Nötallergi"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/anmalan/?klart=confirmed")
    reg = Registration.objects.get()
    assert (reg.status, reg.municipality, reg.organisation) == ("confirmed", mun, "")
    assert reg.consent_at is not None
    [message] = mail.outbox
    assert message.subject == "Anmälan bekräftad: Vårmöte"
    assert "Nötallergi" in message.body and "Årsstämma onsdag" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == "varmote.ics" and mimetype == "text/calendar"
    content = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in content and "SUMMARY:Vårmöte" in content
    assert personal_link(message).endswith(f"/kalender/anmalan/{reg.token}/")
    assert "9 platser kvar" in client.get(register_url(event)).content.decode()
    assert "9 platser kvar" in client.get(event.url).content.decode()


def test_second_registration_with_same_email_leads_to_the_first(client, home_page):  # noqa: F811
    event = make_event(home_page)
    client.post(register_url(event), form_data(event))
    response = client.post(register_url(event), form_data(event, email="ANNA@example.se"))
    assert response["Location"].endswith("?klart=duplicate")
    assert Registration.objects.count() == 1
    assert [m.subject for m in mail.outbox] == [
        "Anmälan bekräftad: Vårmöte",
        "Du är redan anmäld: Vårmöte",
    ]
    assert personal_link(mail.outbox[1]) == personal_link(mail.outbox[0])
    # Repeating it does not flood the inbox: one reminder of the link per ten minutes.
    response = client.post(register_url(event), form_data(event))
    assert response["Location"].endswith("?klart=duplicate")
    assert len(mail.outbox) == 2


def test_full_event_waiting_list_offer_and_accept(client, home_page):  # noqa: F811
    event = make_event(home_page, capacity=1)
    client.post(register_url(event), form_data(event, email="first@example.se"))
    assert "Fullbokat" in client.get(register_url(event)).content.decode()
    response = client.post(register_url(event), form_data(event, email="second@example.se"))
    assert response["Location"].endswith("?klart=waiting")
    first, second = Registration.objects.order_by("pk")
    assert (first.status, second.status) == ("confirmed", "waiting")
    assert "nummer 1" in mail.outbox[-1].body

    # The first cancels through their personal link: the place is offered to the second.
    link = personal_link(mail.outbox[0])
    assert client.post(link, {"action": "cancel"}).status_code == 200
    second.refresh_from_db()
    assert second.status == "offered"
    assert second.offer_expires_at > timezone.now()
    offer = mail.outbox[-1]
    assert offer.to == ["second@example.se"] and "En plats är ledig" in offer.subject
    page = client.get(personal_link(offer)).content.decode()
    assert "Ta platsen" in page
    client.post(personal_link(offer), {"action": "accept"})
    second.refresh_from_db()
    assert second.status == "confirmed"
    assert mail.outbox[-1].subject == "Anmälan bekräftad: Vårmöte"


def test_lapsed_offer_goes_to_the_next_in_line(client, home_page):  # noqa: F811
    event = make_event(home_page, capacity=1)
    for email in ("a@example.se", "b@example.se", "c@example.se"):
        client.post(register_url(event), form_data(event, email=email))
    a, b, c = Registration.objects.order_by("pk")
    client.post(f"/kalender/anmalan/{a.token}/", {"action": "cancel"})
    b.refresh_from_db()
    assert b.status == "offered"
    later = timezone.now() + dt.timedelta(hours=49)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.expire_offers(now=later) == 1
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.status, c.status) == ("cancelled", "offered")
    assert {m.subject for m in mail.outbox[-2:]} == {
        "Den erbjudna platsen har gått vidare: Vårmöte",
        "En plats är ledig för dig: Vårmöte",
    }


def test_option_capacity_is_respected_per_part(client, home_page):  # noqa: F811
    event = make_event(home_page, options=[("Middag", 1), ("Konferens", None)])
    dinner, conference = event.registration_options.all()
    client.post(register_url(event), form_data(event, options=[dinner.pk, conference.pk]))
    client.post(
        register_url(event), form_data(event, email="b@example.se", options=[conference.pk])
    )
    client.post(register_url(event), form_data(event, email="c@example.se", options=[dinner.pk]))
    statuses = list(Registration.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waiting"]
    # Changing to a full part is refused with a Swedish message.
    b = Registration.objects.get(email="b@example.se")
    response = client.post(
        f"/kalender/anmalan/{b.token}/",
        {**form_data(event, options=[dinner.pk]), "action": "change"},
    )
    assert response.status_code == 400
    assert "Inga platser kvar: Middag" in response.content.decode()


def test_change_and_deadline(client, home_page):  # noqa: F811
    event = make_event(home_page, options=[("Dag 1", None), ("Dag 2", None)])
    day1, day2 = event.registration_options.all()
    client.post(register_url(event), form_data(event, options=[day1.pk]))
    reg = Registration.objects.get()
    response = client.post(
        f"/kalender/anmalan/{reg.token}/",
        {**form_data(event, options=[day2.pk], name="Anna B"), "action": "change"},
    )
    assert response.status_code == 200
    assert "Din anmälan är ändrad" in response.content.decode()
    reg.refresh_from_db()
    assert reg.name == "Anna B" and list(reg.options.all()) == [day2]
    assert mail.outbox[-1].subject == "Din anmälan är ändrad: Vårmöte"

    # After the deadline: the form is closed, the link shows but cannot change.
    event.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    event.save_revision().publish()
    page = client.get(register_url(event)).content.decode()
    assert "Anmälan stängde" in page and "<form" not in page.split("<main")[-1]
    response = client.post(register_url(event), form_data(event, email="late@example.se"))
    assert response.status_code == 400
    assert not Registration.objects.filter(email="late@example.se").exists()
    response = client.post(f"/kalender/anmalan/{reg.token}/", {"action": "cancel"})
    assert response.status_code == 400
    assert "kan inte längre avbokas" in response.content.decode()
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_extended_deadline_is_shown_and_keeps_registration_open(client, home_page):  # noqa: F811
    event = make_event(home_page)
    event.registration_deadline = timezone.localdate() - dt.timedelta(days=2)
    event.extended_deadline = timezone.localdate() + dt.timedelta(days=2)
    event.save_revision().publish()
    html = client.get(register_url(event)).content.decode()
    assert "Förlängd anmälan till" in html
    assert client.post(register_url(event), form_data(event)).status_code == 302


def test_registrant_export_and_erase(client, home_page):  # noqa: F811
    event = make_event(home_page, capacity=1)
    client.post(register_url(event), form_data(event, diet="Vegan"))
    client.post(register_url(event), form_data(event, email="next@example.se"))
    reg = Registration.objects.get(email="anna@example.se")
    export = client.get(f"/kalender/anmalan/{reg.token}/?export=json")
    assert export.json()["diet"] == "Vegan"
    client.post(f"/kalender/anmalan/{reg.token}/", {"action": "erase"})
    reg.refresh_from_db()
    assert (reg.status, reg.name, reg.email, reg.diet) == ("cancelled", "", "", "")
    assert reg.anonymised_at
    assert Registration.objects.get(email="next@example.se").status == "offered"
    assert client.get(f"/kalender/anmalan/{reg.token}/").status_code == 404


def test_bad_links_and_forms_get_swedish_errors(client, home_page):  # noqa: F811
    event = make_event(home_page, options=[("Dag 1", None)])
    response = client.get("/kalender/anmalan/" + "x" * 30 + "/")
    assert response.status_code == 404
    assert "Länken fungerar inte" in response.content.decode()
    response = client.post(
        register_url(event),
        {"name": " ", "email": "inte-en-adress", "organisation_choice": "other", "options": "abc"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv ditt namn" in html
    assert "Skriv din organisations namn" in html
    assert "Kryssa i rutan" in html
    assert not Registration.objects.exists()


def test_event_without_registration_has_no_form(client, home_page):  # noqa: F811
    event = make_event(home_page, slug="webbinarium", registration_enabled=False)
    assert client.get(register_url(event)).status_code == 404


def test_api_shows_counts_and_state_never_registrations(client, home_page):  # noqa: F811
    event = make_event(home_page, capacity=3, options=[("Middag", 2)])
    client.post(register_url(event), form_data(event, diet="Hemligt"))
    data = client.get(f"/api/v2/pages/{event.pk}/").json()
    state = data["registration"]
    assert state["open"] is True and state["places_left"] == 2 and state["registered"] == 1
    assert state["options"] == [
        {"title": "Middag", "capacity": 2, "registered": 1, "places_left": 1}
    ]
    body = str(data)
    assert "anna@example.se" not in body and "Anna" not in body and "Hemligt" not in body
    listing = client.get("/api/v2/pages/?type=home.EventPage&fields=registration").json()
    assert listing["items"][0]["registration"]["registered"] == 1


def test_the_personal_link_and_its_export_are_never_cached(client, home_page, settings):  # noqa: F811
    """The registrant's page and data export hold personal (and health) data: the page cache,
    Varnish or a CDN must never keep them, or an erased registration would still be served."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    event = make_event(home_page, capacity=5)
    client.post(register_url(event), form_data(event, diet="Vegan"))
    reg = Registration.objects.get(email="anna@example.se")
    link = f"/kalender/anmalan/{reg.token}/"
    try:
        for url in (f"{link}?export=json", link):
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, url
                assert "X-Page-Cache" not in response, (url, response.get("X-Page-Cache"))
                control = response["Cache-Control"]
                assert "private" in control and "public" not in control, url
        client.post(link, {"action": "erase"})
        assert client.get(f"{link}?export=json").status_code == 404
    finally:
        cache.clear()
