"""Builders for registration tests: an event with programme parts, form data."""

import datetime as dt

from django.utils import timezone

from events.models import RegistrationOption
from home.models import Municipality
from tests.home.helpers import add_event, calendar


def make_event(home, slug="varmote", days_ahead=30, capacity=None, options=(), **fields):
    start = timezone.now() + dt.timedelta(days=days_ahead)
    fields.setdefault("registration_enabled", True)
    fields.setdefault("ask_diet", True)
    fields.setdefault("ask_invoice_reference", True)
    fields.setdefault("consent_text", "Jag godkänner att mitt namn står på deltagarlistan.")
    fields.setdefault("price_text", "2 195 kr/person")
    fields.setdefault("registration_deadline", (start - dt.timedelta(days=10)).date())
    event = add_event(
        calendar(home),
        slug,
        start,
        hours=48,
        title=fields.pop("title", "Vårmöte"),
        capacity=capacity,
        **fields,
    )
    for n, (title, cap) in enumerate(options):
        RegistrationOption.objects.create(event=event, title=title, capacity=cap, sort_order=n)
    return event


def municipality(name="Ockelbo"):
    return Municipality.objects.get_or_create(
        name=name, defaults={"slug": name.lower(), "county": "X"}
    )[0]


def form_data(event, email="anna@example.se", name="Anna Andersson", options=None, **extra):
    data = {
        "name": name,
        "email": email,
        "organisation_choice": "other",
        "organisation": "Länsstyrelsen",
        "role": "officer",
        "diet": "",
        "invoice_reference": "",
        "consent": "on",
    }
    chosen = (
        options if options is not None else [o.pk for o in event.registration_options.all()[:1]]
    )
    if chosen:
        data["options"] = [str(pk) for pk in chosen]
    data.update(extra)
    return data
