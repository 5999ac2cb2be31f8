"""Subscribers in the Wagtail admin: list, filters, search, CSV export/import, GDPR, dashboard."""

import csv
import io
import json
from datetime import timedelta

import pytest

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from home.models import Municipality
from newsletter.mailchimp import audience
from newsletter.models import MailchimpWebhookEvent, Subscriber, SubscriberEvent
from tests.newsletter import subscriber_support
from tests.newsletter.subscriber_support import (
    CommittingClient,
    make_subscriber,
)

# Fixtures from the support module (pytest finds them as module attributes).
subscriber_env = subscriber_support.subscriber_env  # autouse

pytestmark = pytest.mark.django_db

INDEX = "/admin/newsletter/subscribers/"


@pytest.fixture
def editor(home_page):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    grastorp = Municipality.objects.create(
        name="Grästorp", slug="grastorp", county="vastra_gotaland"
    )
    return {
        "anna": make_subscriber("anna@example.se", first_name="Anna", municipality=grastorp),
        "bo": make_subscriber("bo@example.se", status="unsubscribed", source="mailchimp"),
        "cia": make_subscriber("cia@example.se", status="pending", source="import"),
        "grastorp": grastorp,
    }


def test_listing_with_filters_and_search(editor, people):
    page = editor.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    for email in ("anna@example.se", "bo@example.se", "cia@example.se"):
        assert email in html
    assert "Avregistrerad" in html and "Väntar på bekräftelse" in html

    only_unsubscribed = editor.get(INDEX, {"status": "unsubscribed"}).content.decode()
    assert "bo@example.se" in only_unsubscribed and "anna@example.se" not in only_unsubscribed
    by_municipality = editor.get(INDEX, {"municipality": people["grastorp"].pk}).content.decode()
    assert "anna@example.se" in by_municipality and "cia@example.se" not in by_municipality
    by_source = editor.get(INDEX, {"source": "import"}).content.decode()
    assert "cia@example.se" in by_source and "bo@example.se" not in by_source
    found = editor.get(INDEX, {"q": "anna"}).content.decode()
    assert "anna@example.se" in found and "bo@example.se" not in found


def test_csv_export_respects_filters(editor, people):
    response = editor.get(INDEX, {"export": "csv", "status": "subscribed"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    emails = [row[0] for row in rows[1:]]
    assert emails == ["anna@example.se"]
    assert "Grästorp" in body


def import_file(editor, text, name="lista.csv", encoding="utf-8"):
    upload = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return editor.post(INDEX + "import/", {"file": upload})


def test_csv_import_validates_deduplicates_and_never_resubscribes_leavers(editor, people):
    text = (
        "e-post;namn;organisation;kommun;intressen\n"
        "dan@example.se;Dan Dahl;Grästorps kommun;Grästorp;Evenemang\n"
        "DAN@example.se;Dan Igen;;;\n"  # duplicate in the file
        "inte-en-adress;Fel Person;;;\n"  # invalid
        "bo@example.se;Bo Berg;;;\n"  # unsubscribed: never re-subscribed
        "eva@example.se;Eva Ek;;Atlantis;\n"  # unknown municipality
        "anna@example.se;Anna Andersson;SmåKom;;\n"  # existing: fills empty fields
        "fia@kommun.åre.se;Fia Falk;;;Nyhetsbrev;Medlemsinformation\n"  # IDN domain
    )
    response = import_file(editor, text)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    reasons = {line: reason for line, _email, reason in report.rejected}
    assert reasons.keys() == {3, 4, 5, 6}
    assert "Dubblett" in reasons[3]
    assert "giltig e-postadress" in reasons[4]
    assert "läggs inte till igen" in reasons[5]
    assert "Okänd kommun: Atlantis" in reasons[6]
    html = response.content.decode()
    assert "Avvisade rader" in html and "läggs inte till igen" in html

    dan = Subscriber.objects.get(email="dan@example.se")
    assert (dan.status, dan.source, dan.first_name, dan.last_name) == (
        "subscribed",
        "import",
        "Dan",
        "Dahl",
    )
    assert dan.municipality == people["grastorp"] and dan.tags == ["Evenemang"]
    assert dan.events.get().source == "import"
    assert Subscriber.objects.get(email="bo@example.se").status == "unsubscribed"
    assert Subscriber.objects.get(email="anna@example.se").organisation == "SmåKom"
    assert not Subscriber.objects.filter(email="eva@example.se").exists()
    # Imported people reach the Mailchimp sandbox; the one who left is not pushed.
    assert audience.get_member("dan@example.se")["status"] == "subscribed"
    assert audience.get_member("bo@example.se") is None


def test_csv_import_of_excel_windows_1252_with_commas(editor, people):
    text = "email,first_name,last_name\ngöran@example.se,Göran,Öst\ngosta@example.se,Gösta,Ås\n"
    response = import_file(editor, text, encoding="cp1252")
    report = response.context["report"]
    assert report.created == 1
    assert Subscriber.objects.get(email="gosta@example.se").last_name == "Ås"
    assert "å, ä eller ö före @" in report.rejected[0][2]


def test_csv_import_without_email_column_is_refused(editor, people):
    response = import_file(editor, "namn;kommun\nAnna;Grästorp\n")
    assert "saknar en kolumn för e-post" in response.content.decode()
    assert Subscriber.objects.count() == 3


def test_gdpr_json_export(editor, people):
    anna = people["anna"]
    anna.change_status("unsubscribed", source="one_click")
    response = editor.get(f"{INDEX}export-json/{anna.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["email"] == "anna@example.se"
    assert data["municipality"] == "Grästorp"
    assert data["events"][0]["source"] == "one_click"


def test_erase_deletes_here_and_in_mailchimp_leaving_an_anonymous_log_entry(editor, people):
    anna = people["anna"]
    listing = editor.get(INDEX).content.decode()
    assert f"{INDEX}unsubscribe/{anna.pk}/" in listing
    ask = editor.get(f"{INDEX}unsubscribe/{anna.pk}/")
    assert "får inga fler nyhetsbrev" in ask.content.decode()
    assert Subscriber.objects.get(pk=anna.pk).status == "subscribed"  # asking changes nothing
    editor.post(f"{INDEX}unsubscribe/{anna.pk}/")  # goes to Mailchimp as unsubscribed
    assert SubscriberEvent.objects.get(source="admin").to_status == "unsubscribed"
    assert audience.get_member("anna@example.se")["status"] == "unsubscribed"
    confirm_page = editor.get(f"{INDEX}delete/{anna.pk}/")
    assert "anna@example.se" in confirm_page.content.decode()
    response = editor.post(f"{INDEX}delete/{anna.pk}/")
    assert response.status_code == 302
    assert not Subscriber.objects.filter(email="anna@example.se").exists()
    erasure = SubscriberEvent.objects.get(source="erasure")
    assert erasure.subscriber is None and "anna" not in json.dumps(erasure.detail)
    assert audience.get_member("anna@example.se") is None  # deleted permanently


def test_editor_adds_a_subscriber_who_is_pushed(editor, people):
    response = editor.post(
        INDEX + "new/",
        {
            "email": "Gun@Example.se",
            "first_name": "Gun",
            "last_name": "Gran",
            "organisation": "",
            "municipality": "",
            "role": "kommunchef",
            "tags": ["Nyhetsbrev"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    gun = Subscriber.objects.get(email="gun@example.se")
    assert (gun.status, gun.source) == ("subscribed", "admin")
    assert audience.get_member("gun@example.se")["merge_fields"]["FNAME"] == "Gun"
    duplicate = editor.post(INDEX + "new/", {"email": "GUN@example.se", "tags": []})
    assert "Det finns redan en prenumerant med den här adressen." in duplicate.content.decode()


def test_dashboard_panel_figures(editor, people):
    people["cia"].change_status("subscribed", source="confirm")
    people["anna"].change_status("unsubscribed", source="one_click")
    old = make_subscriber(
        "old@example.se", status="pending", status_changed_at=timezone.now() - timedelta(days=50)
    )
    old.change_status("subscribed", source="confirm", at=timezone.now() - timedelta(days=40))
    html = editor.get("/admin/").content.decode()
    assert "Prenumeranter på nyhetsbrevet" in html
    assert 'data-figure="subscribed">2<' in html  # cia, old
    assert 'data-figure="signups_30">1<' in html  # cia (old was 40 days ago)
    assert 'data-figure="unsubscribes_30">1<' in html
    assert 'data-figure="pending">0<' in html
    assert "webhook_unapplied" not in html


def test_dashboard_warns_of_mailchimp_events_not_applied(editor):
    fields = {"type": "unsubscribe", "fired_at": "2026-01-10 10:00:00", "data[email]": "a@b.se"}
    for n, received in enumerate([timedelta(minutes=20), timedelta(hours=2), timedelta(0)]):
        # As a stopped worker leaves them: stored by the webhook, never applied.
        MailchimpWebhookEvent.objects.create(
            body_hash=str(n),
            kind="unsubscribe",
            fired_at=timezone.now(),
            fields=fields,
            received_at=timezone.now() - received,
        )
    html = editor.get("/admin/").content.decode()
    # The one received just now is not late yet.
    assert "2 avregistreringar eller ändringar som Mailchimp rapporterat" in html


def test_anonymous_visitors_get_nothing(people):
    client = CommittingClient()
    assert client.get(INDEX).status_code == 302
    assert client.get(f"{INDEX}export-json/{people['anna'].pk}/").status_code == 302
