"""The organiser's side: admin list with counts, search, export (formula-safe), manual add and
cancel, mail to all, permissions, and `manage.py event_registrations`."""

import csv
import io

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, TestCase

from events import services
from events.export import safe_cell
from events.models import Registration
from tests.events.support import form_data, make_event

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def add(event, **kw):
    data = form_data(event, **kw)
    data["options"] = list(event.registration_options.filter(pk__in=data.pop("options", [])))
    data["municipality"] = None
    data.pop("organisation_choice")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.register(event, data).registration


def user_with(django_user_model, *codenames):
    user = django_user_model.objects.create_user(username="arr", password="pw")  # noqa: S106
    group = Group.objects.create(name="Arrangörer")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="events", codename__in=codenames),
    )
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


def test_safe_cell_neutralises_formulas():
    for value in HOSTILE:
        assert safe_cell(value).startswith("'")
    assert safe_cell("Anna") == "Anna"
    assert safe_cell(None) == ""


def test_csv_and_xlsx_exports_are_formula_safe(home_page, tmp_path):
    event = make_event(home_page, options=[("Årsstämma onsdag", None), ("Konferens", None)])
    for n, value in enumerate(HOSTILE):
        add(event, email=f"p{n}@example.se", name=f"Namn {n}", organisation=value, diet=value)
    add(event, email="anna@example.se", name="Anna Åberg", diet="Laktosfri")
    out = tmp_path / "list.csv"
    call_command("event_registrations", event.slug, "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Status", "Namn", "E-postadress"]
    assert "Årsstämma onsdag" in rows[0]
    assert len(rows) == 1 + len(HOSTILE) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert any("Anna Åberg" in row for row in rows)

    xlsx = tmp_path / "list.xlsx"
    call_command("event_registrations", str(event.pk), "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "Anna Åberg" in values
    for cell in values:
        assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_command_refuses_unknown_event_and_xlsx_to_stdout(home_page):
    event = make_event(home_page)
    with pytest.raises(CommandError, match="No event"):
        call_command("event_registrations", "finns-inte")
    with pytest.raises(CommandError, match="XLSX needs"):
        call_command("event_registrations", event.slug, "--format", "xlsx")
    out = io.StringIO()
    add(event)
    call_command("event_registrations", event.slug, stdout=out)
    assert "anna@example.se" in out.getvalue()


def test_admin_list_counts_search_and_permissions(home_page, django_user_model):
    event = make_event(home_page, capacity=2, options=[("Middag", None), ("Konferens", None)])
    dinner, _conference = event.registration_options.all()
    add(event, email="a@example.se", name="Anna", options=[dinner.pk], diet="vegan")
    add(event, email="b@example.se", name="Bertil", options=[dinner.pk], diet="Vegan")
    add(event, email="c@example.se", name="Cecilia")

    nobody = user_with(django_user_model)
    assert nobody.get(f"/admin/registrations/{event.pk}/").status_code in (302, 403)

    Group.objects.all().delete()
    django_user_model.objects.all().delete()
    viewer = user_with(django_user_model, "view_registration")
    html = viewer.get(f"/admin/registrations/{event.pk}/").content.decode()
    assert 'data-count="taken">2<' in html and 'data-count="waiting">1<' in html
    assert f'data-option="{dinner.pk}">2<' in html
    assert "Vegan: 2" in html  # diets summed for the caterer
    assert "Lägg till en anmälan" not in html  # viewing does not allow changes
    found = viewer.get(f"/admin/registrations/{event.pk}/?q=bert").content.decode()
    assert "Bertil" in found and "Anna" not in found
    assert viewer.get(f"/admin/registrations/{event.pk}/export/xlsx/").status_code == 200
    reg = Registration.objects.get(email="a@example.se")
    refused = viewer.post(f"/admin/registrations/{event.pk}/cancel/{reg.pk}/")
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    reg.refresh_from_db()
    assert reg.status == "confirmed"
    index = viewer.get("/admin/registrations/").content.decode()
    assert "Vårmöte" in index


def test_admin_manual_add_cancel_and_message(home_page, django_user_model):
    event = make_event(home_page, capacity=1)
    organiser = user_with(django_user_model, "view_registration", "change_registration")
    data = form_data(event, email="manuell@example.se", name="Manuell Person")
    del data["consent"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        organiser.post(f"/admin/registrations/{event.pk}/add/", data)
    first = Registration.objects.get()
    assert first.added_by_organiser and first.status == "confirmed"
    add(event, email="waiting@example.se")
    with TestCase.captureOnCommitCallbacks(execute=True):
        organiser.post(f"/admin/registrations/{event.pk}/cancel/{first.pk}/")
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert Registration.objects.get(email="waiting@example.se").status == "offered"
    Registration.objects.filter(email="waiting@example.se").update(status="confirmed")
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = organiser.post(
            f"/admin/registrations/{event.pk}/message/",
            {"subject": "Bussen går 8.10", "body": "Samling vid stationen."},
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["waiting@example.se"] and message.subject == "Bussen går 8.10"
    assert "Samling vid stationen." in message.body
