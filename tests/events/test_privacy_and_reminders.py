"""Retention (dietary data first, then everything personal), GDPR erasure through the subscriber
erasure, the reminder mail once, and mail through anymail to the sandbox with the .ics file."""

import datetime as dt

import pytest

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from events import services
from events.models import Registration
from newsletter.services import subscribers as subscriber_service
from tests.events.support import make_event
from tests.newsletter.subscriber_support import make_subscriber

pytestmark = pytest.mark.django_db


def register(event, email="anna@example.se", **extra):
    data = {"name": "Anna Andersson", "email": email, "diet": "Glutenfri", **extra}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.register(event, data, by_organiser=True).registration


def test_retention_deletes_diet_first_then_everything(home_page, settings):
    settings.EVENTS_REGISTRATION_RETENTION_DAYS = 90
    settings.EVENTS_DIET_RETENTION_DAYS = 1
    event = make_event(home_page, days_ahead=-10)  # took place ten days ago (ended 8 days ago)
    future = make_event(home_page, slug="host", days_ahead=20)
    old = register(event, invoice_reference="Ref 12")
    keep = register(future)

    result = services.apply_retention()
    assert result == {"diet": 1, "anonymised": 0}
    old.refresh_from_db()
    keep.refresh_from_db()
    assert (old.diet, old.name, old.invoice_reference) == ("", "Anna Andersson", "Ref 12")
    assert keep.diet == "Glutenfri"

    later = timezone.now() + dt.timedelta(days=90)
    assert services.apply_retention(now=later)["anonymised"] == 1
    old.refresh_from_db()
    assert (old.name, old.email, old.invoice_reference) == ("", "", "")
    assert old.anonymised_at and old.status == "confirmed"  # counts stay for statistics
    keep.refresh_from_db()
    assert keep.name == "Anna Andersson"


def test_subscriber_erasure_also_erases_registrations(home_page):
    event = make_event(home_page, capacity=1)
    register(event, email="Anna@Example.se")
    register(event, email="next@example.se")
    sub = make_subscriber(email="anna@example.se")
    with TestCase.captureOnCommitCallbacks(execute=True):
        subscriber_service.erase(sub)
    erased = Registration.objects.get(anonymised_at__isnull=False)
    assert (erased.email, erased.name, erased.diet, erased.status) == ("", "", "", "cancelled")
    assert Registration.objects.get(email="next@example.se").status == "offered"
    assert not Registration.objects.filter(email__iexact="anna@example.se").exists()


def test_reminder_is_sent_once_before_the_event(home_page, settings):
    settings.EVENTS_REMINDER_DAYS = 3
    soon = make_event(home_page, slug="snart", days_ahead=2, registration_deadline=None)
    later = make_event(home_page, slug="senare", days_ahead=20)
    register(soon)
    register(later, email="b@example.se")
    register(soon, email="w@example.se")
    Registration.objects.filter(email="w@example.se").update(status="waiting")
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_reminders() == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_reminders() == 0
    [reminder] = mail.outbox
    assert reminder.subject == "Påminnelse: Vårmöte" and reminder.to == ["anna@example.se"]
    assert reminder.attachments[0][0] == "snart.ics"


def test_confirmation_goes_through_anymail_to_the_sandbox(home_page, mailchimp_sandbox):
    event = make_event(home_page, options=[("Årsstämma onsdag", None)])
    option = event.registration_options.get()
    register(event, email="maja@example.se", options=[option])
    [message] = mailchimp_sandbox.messages(to="maja@example.se")
    assert message["subject"] == "Anmälan bekräftad: Vårmöte"
    assert "Årsstämma onsdag" in message["text"]
    assert "/kalender/anmalan/" in message["text"]
    [attachment] = message["attachments"]
    assert attachment["name"] == "varmote.ics"
    assert attachment["type"].startswith("text/calendar")


def test_mail_provider_down_is_retried_later(home_page, mailchimp_sandbox, settings):
    from events.emails import send_registration_email

    event = make_event(home_page)
    registration = register(event, email="late@example.se")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    mailchimp_sandbox.inject(status=500, api="mandrill")
    assert send_registration_email.call(registration.pk, "reminder") == "retry"
    [retry] = [
        r
        for r in send_registration_email.get_backend().results
        if r.task.func is send_registration_email.func
    ]
    assert retry.args[:3] == [registration.pk, "reminder", 2]
    assert retry.task.run_after is not None
    before = len(mailchimp_sandbox.messages(to="late@example.se"))
    assert send_registration_email.call(*retry.args) == "sent"
    assert len(mailchimp_sandbox.messages(to="late@example.se")) == before + 1
    # A cancelled registration gets no reminder.
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    assert send_registration_email.call(registration.pk, "reminder") == "skipped"
