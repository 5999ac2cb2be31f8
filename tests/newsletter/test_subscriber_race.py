"""Issue 11, point 5: no stale save reverts a status. A form's save (preferences, admin) and an
unsubscribe race on two real PostgreSQL connections: the unsubscribe always survives."""

import threading
import time
from datetime import timedelta

import pytest

from django.db import connection, connections, transaction
from django.utils import timezone

from newsletter.models import PendingAddressChange, Subscriber
from newsletter.services import address_change
from newsletter.services import subscribers as service
from tests.newsletter.audience_support import make_subscriber

Status = Subscriber.Status

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two concurrent connections with row locks (PostgreSQL); SQLite serialises "
    "whole-database writes, so there is no interleaving to test",
)


def wait_for_lock_waiter(timeout: float = 10.0) -> None:
    """Until another connection of this database is waiting for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the form's save never waited for the unsubscribe's lock")


def preferences_save(stale):
    service.update_preferences(stale, name="Anna Nyberg", organisation="Ny org", interests=[])


def admin_save(stale):
    service.save_profile(
        stale, {"first_name": "Anna", "last_name": "Nyberg", "role": "chef"}, source="admin"
    )


def unsubscribe_during(sub: Subscriber, action) -> None:
    """Run `action` on another connection while an unsubscribe holds the subscriber's row lock;
    the unsubscribe commits once `action` is waiting for that lock."""
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def unsubscribe():
        try:
            with transaction.atomic():
                row = Subscriber.objects.select_for_update().get(pk=sub.pk)
                row.change_status(Status.UNSUBSCRIBED, source="one_click", locked=True)
                locked.set()
                release.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def run_action():
        try:
            action()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=unsubscribe)
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=run_action)
    second.start()
    try:
        wait_for_lock_waiter()
    finally:
        release.set()
        first.join(10)
        second.join(10)
    assert not errors, errors


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form_save", [preferences_save, admin_save])
def test_an_unsubscribe_during_a_form_save_survives(mailchimp_sandbox, form_save):
    sub = make_subscriber("anna@example.se", mailchimp_pushed_at=None)
    stale = Subscriber.objects.get(pk=sub.pk)  # the form was shown: status "subscribed"
    unsubscribe_during(sub, lambda: form_save(stale))

    final = Subscriber.objects.get(pk=sub.pk)
    assert final.status == Status.UNSUBSCRIBED  # the unsubscribe survived the form's save
    assert final.mailchimp_needs_push is True or final.mailchimp_pushed_at is not None
    assert final.last_name == "Nyberg"  # and the form's own change was kept too


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_unsubscribe_while_the_new_address_is_confirmed_survives(mailchimp_sandbox):
    sub = make_subscriber("anna@example.se", mailchimp_pushed_at=None)
    change = PendingAddressChange.objects.create(
        subscriber=sub,
        new_email="ny@example.se",
        link_nonce=sub.link_nonce,
        expires_at=timezone.now() + timedelta(days=1),
    )
    stale = PendingAddressChange.objects.get(pk=change.pk)  # the link's page was shown
    outcomes = []
    unsubscribe_during(sub, lambda: outcomes.append(address_change.confirm_address_change(stale)))

    assert outcomes == ["left"]  # the confirmation waited for the unsubscribe and saw it
    final = Subscriber.objects.get(pk=sub.pk)
    assert (final.status, final.email, final.former_emails) == (
        Status.UNSUBSCRIBED,
        "anna@example.se",
        [],
    )


@pytest.mark.django_db
def test_a_stale_form_saves_only_what_it_changed(mailchimp_sandbox):
    sub = make_subscriber("bo@example.se", organisation="Grästorps kommun")
    stale = Subscriber.objects.get(pk=sub.pk)
    Subscriber.objects.filter(pk=sub.pk).update(organisation="Ändrad i Mailchimp")
    sub.change_status(Status.UNSUBSCRIBED, source="one_click")
    assert service.save_profile(stale, {"role": "chef"}, source="admin") == ["role"]
    final = Subscriber.objects.get(pk=sub.pk)
    assert (final.status, final.organisation, final.role) == (
        Status.UNSUBSCRIBED,
        "Ändrad i Mailchimp",
        "chef",
    )
