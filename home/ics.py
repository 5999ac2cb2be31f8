"""iCalendar (RFC 5545) files for events: one event, or the feed of upcoming events."""

import datetime as dt

import icalendar

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

PRODID = "-//SmåKom//smakom.se//SV"


def event_uid(event) -> str:
    return f"event-{event.pk}@smakom.se"


def build_calendar(request, events, name: str = "SmåKom") -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(build_event(request, event))
    return cal


def build_event(request, event) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now())
    vevent.add("summary", event.title)
    # Times go out in UTC: every calendar client reads them without a VTIMEZONE block.
    vevent.add("dtstart", event.start.astimezone(dt.UTC))
    if event.end:
        vevent.add("dtend", event.end.astimezone(dt.UTC))
    location = event.location
    if location:
        vevent.add("location", str(location))
    url = event.get_full_url(request)
    if url:
        vevent.add("url", url)
    description = [strip_tags(event.listing_summary or event.intro).strip()]
    if event.organiser:
        description.append(_("Organiser: %(name)s") % {"name": event.organiser})
    if event.price_text:
        description.append(_("Price: %(price)s") % {"price": event.price_text})
    if event.effective_deadline:
        description.append(
            _("Registration deadline: %(date)s") % {"date": f"{event.effective_deadline:%Y-%m-%d}"}
        )
    if event.registration_url:
        description.append(_("Registration: %(url)s") % {"url": event.registration_url})
    if url:
        description.append(url)
    vevent.add("description", "\n\n".join(d for d in description if d))
    modified = event.last_published_at or event.latest_revision_created_at
    if modified:
        vevent.add("last-modified", modified)
    return vevent


def calendar_response(request, events, filename: str) -> HttpResponse:
    cal = build_calendar(request, events)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
