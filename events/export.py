"""An event's list of registrations as CSV or XLSX (for invoicing, name badges, catering).

Cells a spreadsheet would read as a formula (starting with = + - @, tab or carriage return) are
neutralised with a leading apostrophe (OWASP "CSV injection"), in both formats.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def headings(event) -> list[str]:
    return [
        _("Status"),
        _("Name"),
        _("Email address"),
        _("Organisation"),
        _("Role"),
        *[option.title for option in event.registration_options.all()],
        _("Dietary needs and allergies"),
        _("Invoicing reference"),
        _("Registered"),
    ]


def rows(event, queryset=None):
    options = list(event.registration_options.all())
    queryset = (
        queryset
        if queryset is not None
        else Registration.objects.filter(event_id=event.pk).exclude(status="cancelled")
    )
    queryset = queryset.select_related("municipality").prefetch_related("options")
    for registration in queryset.order_by("status", "created_at", "pk"):
        chosen = {o.pk for o in registration.options.all()}
        yield [
            registration.get_status_display(),
            registration.name,
            registration.email,
            registration.organisation_name,
            registration.get_role_display() if registration.role else "",
            *[_("yes") if option.pk in chosen else "" for option in options],
            registration.diet,
            registration.invoice_reference,
            timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        ]


def as_csv(event, queryset=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # what Swedish Excel opens without asking
    writer.writerow([safe_cell(h) for h in headings(event)])
    for row in rows(event, queryset):
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


def as_xlsx(event, queryset=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrations")[:31]
    sheet.append([safe_cell(h) for h in headings(event)])
    for row in rows(event, queryset):
        sheet.append([safe_cell(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(event, fmt: str, queryset=None) -> bytes:
    if fmt == "xlsx":
        return as_xlsx(event, queryset)
    return as_csv(event, queryset)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
