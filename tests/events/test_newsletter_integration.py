"""The newsletter's event teaser shows live places and links to the registration form; the
checklist warns when an issue features an event whose registration has closed."""

import datetime as dt

import pytest

from django.utils import timezone

from events import services
from newsletter.checklist import check_issue
from newsletter.rendering import render_email
from tests.events.support import make_event
from tests.newsletter.issue_content import make_issue

pytestmark = pytest.mark.django_db


def teaser(event):
    return {
        "type": "event_teaser",
        "value": {"event": event.pk, "text": "", "button_text": "PROGRAM & ANMÄLAN"},
    }


def test_teaser_shows_places_left_and_links_to_the_form(home_page):
    event = make_event(home_page, capacity=40)
    for n in range(3):
        services.register(event, {"name": f"P {n}", "email": f"p{n}@example.se"})
    issue = make_issue(home_page, body=[teaser(event)])
    rendered = render_email(issue, backend="mailchimp")
    assert "37 platser kvar" in rendered.html
    assert "37 platser kvar" in rendered.text
    assert "/kalender/varmote/anmalan/" in rendered.html
    assert "Sista anmälningsdag" in rendered.html
    assert "event_registration_closed" not in {i.code for i in check_issue(issue).items}


def test_checklist_warns_when_featured_event_registration_closed(home_page):
    event = make_event(home_page)
    event.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    event.save_revision().publish()
    issue = make_issue(home_page, body=[teaser(event)])
    [item] = [i for i in check_issue(issue).items if i.code == "event_registration_closed"]
    assert item.level == "warning"
    assert item.message.startswith("Anmälan till ”Vårmöte” har stängt: Anmälan stängde")
    rendered = render_email(issue, backend="mailchimp")
    assert "Anmälan stängde" in rendered.html
