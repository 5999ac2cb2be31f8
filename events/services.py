"""Every rule of event registration lives here: places, deadlines, the waiting list and its
offers, changes, cancellations, retention and erasure. Views, the admin, tasks and commands call
these functions and nothing else changes a registration.

Places: an event's `capacity` and each programme part's `capacity` count the registrations that
hold a place (confirmed, or offered and not yet expired). Every change that takes or frees a
place runs with the event's row locked (`lock_event`: SELECT … FOR UPDATE on PostgreSQL; SQLite
takes its write lock at BEGIN), so concurrent registrations never exceed a capacity.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration, RegistrationOption, new_token

logger = logging.getLogger(__name__)

Status = Registration.Status


DUPLICATE_MAIL_SECONDS = 10 * 60


class RegistrationError(Exception):
    """A request we refuse; the message is for the registrant (Swedish through the catalogue)."""


def offer_hours() -> int:
    return int(getattr(settings, "EVENTS_OFFER_HOURS", 48))


def retention_days() -> int:
    return int(getattr(settings, "EVENTS_REGISTRATION_RETENTION_DAYS", 90))


def diet_retention_days() -> int:
    return int(getattr(settings, "EVENTS_DIET_RETENTION_DAYS", 1))


def reminder_days() -> int:
    return int(getattr(settings, "EVENTS_REMINDER_DAYS", 3))


# --- state --------------------------------------------------------------------------------------


@dataclass
class OptionState:
    option: RegistrationOption
    taken: int

    @property
    def places_left(self) -> int | None:
        if self.option.capacity is None:
            return None
        return max(self.option.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


@dataclass
class RegistrationState:
    enabled: bool
    is_open: bool
    closed_reason: str  # "", "not_enabled", "deadline", "past"
    capacity: int | None
    taken: int
    waiting: int
    deadline: dt.date | None
    extended: bool
    options: list[OptionState] = field(default_factory=list)

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def closed_message(self) -> str:
        if self.closed_reason == "past":
            return _("The event has taken place.")
        if self.closed_reason == "deadline":
            return _("Registration closed on %(date)s.") % {"date": f"{self.deadline:%Y-%m-%d}"}
        if self.closed_reason == "not_enabled":
            return _("This event does not take registrations on the site.")
        return ""

    def as_api(self) -> dict:
        return {
            "enabled": self.enabled,
            "open": self.is_open,
            "closed_reason": self.closed_reason,
            "capacity": self.capacity,
            "registered": self.taken,
            "places_left": self.places_left,
            "waiting_list": self.waiting,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "extended_deadline": self.extended,
            "options": [
                {
                    "title": o.option.title,
                    "capacity": o.option.capacity,
                    "registered": o.taken,
                    "places_left": o.places_left,
                }
                for o in self.options
            ],
        }


def today() -> dt.date:
    return timezone.localdate()


def event_over(event, now=None) -> bool:
    return (event.end or event.start) < (now or timezone.now())


def closed_reason(event, now=None) -> str:
    now = now or timezone.now()
    if not event.registration_enabled:
        return "not_enabled"
    if event.start <= now or event_over(event, now):
        return "past"
    deadline = event.effective_deadline
    if deadline and timezone.localdate(now) > deadline:
        return "deadline"
    return ""


def holding(qs):
    return qs.filter(status__in=Registration.HOLDING)


def option_counts(event) -> dict[int, int]:
    through = Registration.options.through
    rows = (
        through.objects.filter(
            registration__event_id=event.pk, registration__status__in=Registration.HOLDING
        )
        .values("registrationoption_id")
        .annotate(n=Count("id"))
    )
    return {row["registrationoption_id"]: row["n"] for row in rows}


def registration_state(event, now=None, counts: bool = True) -> RegistrationState:
    reason = closed_reason(event, now)
    if not counts or not event.pk:
        return RegistrationState(
            enabled=event.registration_enabled,
            is_open=reason == "",
            closed_reason=reason,
            capacity=event.capacity,
            taken=0,
            waiting=0,
            deadline=event.effective_deadline,
            extended=bool(event.extended_deadline),
        )
    counts = Registration.objects.filter(event_id=event.pk).aggregate(
        taken=Count("pk", filter=Q(status__in=Registration.HOLDING)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
    )
    per_option = option_counts(event)
    options = [
        OptionState(option, per_option.get(option.pk, 0))
        for option in event.registration_options.all()
    ]
    return RegistrationState(
        enabled=event.registration_enabled,
        is_open=reason == "",
        closed_reason=reason,
        capacity=event.capacity,
        taken=counts["taken"],
        waiting=counts["waiting"],
        deadline=event.effective_deadline,
        extended=bool(event.extended_deadline),
        options=options,
    )


def lock_event(event):
    """Lock the event's row for the rest of the transaction (the rule for every place change)."""
    from home.models import EventPage

    list(EventPage.objects.select_for_update(of=("self",)).filter(pk=event.pk).values_list("pk"))


def _fits(event, option_ids, *, exclude_pk=None) -> list[str]:
    """The names of what is full for these options (empty: a place is free). Lock held."""
    qs = holding(Registration.objects.filter(event_id=event.pk))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    full = []
    if event.capacity is not None and qs.count() >= event.capacity:
        full.append(str(event.title))
    chosen = [o for o in event.registration_options.all() if o.pk in set(option_ids)]
    limited = [o for o in chosen if o.capacity is not None]
    if limited:
        through = Registration.options.through
        rows = through.objects.filter(
            registration__in=qs, registrationoption_id__in=[o.pk for o in limited]
        )
        counts = dict(
            rows.values("registrationoption_id")
            .annotate(n=Count("id"))
            .values_list("registrationoption_id", "n")
        )
        full += [o.title for o in limited if counts.get(o.pk, 0) >= o.capacity]
    return full


def find_active(event, email: str) -> Registration | None:
    return (
        Registration.objects.filter(
            event_id=event.pk, email__iexact=email.strip(), status__in=Registration.ACTIVE
        )
        .exclude(email="")
        .first()
    )


# --- registrant actions ------------------------------------------------------------------------


@dataclass
class Outcome:
    registration: Registration
    result: str  # "confirmed", "waiting", "duplicate"


REGISTRANT_FIELDS = ("name", "municipality", "organisation", "role", "diet", "invoice_reference")


def _apply(registration, data: dict) -> None:
    for name in REGISTRANT_FIELDS:
        if name in data:
            setattr(registration, name, data[name] or ("" if name != "municipality" else None))


def register(event, data: dict, *, by_organiser: bool = False, now=None) -> Outcome:
    """Register `data` (a form's cleaned data) for the event: a place if one is free, else the
    waiting list. An address already registered leads to the existing registration."""
    now = now or timezone.now()
    email = data["email"].strip().lower()
    option_ids = [o.pk for o in data.get("options") or []]
    with transaction.atomic():
        lock_event(event)
        if not by_organiser and closed_reason(event, now):
            raise RegistrationError(registration_state(event, now).closed_message)
        existing = find_active(event, email)
        if existing is not None:
            # The link again, at most once per DUPLICATE_MAIL_SECONDS: the public form must not
            # become a way to flood someone's inbox.
            if cache.add(f"events:duplicate:{existing.token}", 1, DUPLICATE_MAIL_SECONDS):
                schedule_mail(existing, "duplicate")
            return Outcome(existing, "duplicate")
        full = _fits(event, option_ids)
        registration = Registration(
            event=event,
            email=email,
            status=Status.WAITING if full else Status.CONFIRMED,
            consent_at=now if data.get("consent") else None,
            added_by_organiser=by_organiser,
        )
        _apply(registration, data)
        registration.save()
        registration.options.set(option_ids)
        schedule_mail(registration, "waiting" if full else "confirmed")
    return Outcome(registration, "waiting" if full else "confirmed")


def can_change(registration, now=None) -> bool:
    return registration.is_active and closed_reason(registration.event, now) == ""


def change(registration, data: dict, now=None) -> Registration:
    """The registrant changes their details or programme parts (until the deadline)."""
    option_ids = [o.pk for o in data.get("options") or []]
    with transaction.atomic():
        lock_event(registration.event)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if not can_change(registration, now):
            raise RegistrationError(_("The registration can no longer be changed."))
        if registration.status in Registration.HOLDING:
            full = _fits(registration.event, option_ids, exclude_pk=registration.pk)
            if full:
                raise RegistrationError(
                    _("No places left: %(names)s.") % {"names": ", ".join(full)}
                )
        _apply(registration, data)
        registration.save()
        before = set(registration.options.values_list("pk", flat=True))
        registration.options.set(option_ids)
        if before - set(option_ids):
            fill_places(registration.event, now)
        schedule_mail(registration, "changed")
    return registration


def cancel(registration, *, by: str = "registrant", now=None) -> Registration:
    """Cancel; a place it held goes to the first on the waiting list who fits (by mail)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_event(registration.event)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if not registration.is_active:
            return registration
        if by == "registrant" and not can_change(registration, now):
            raise RegistrationError(_("The registration can no longer be cancelled here."))
        held = registration.status in Registration.HOLDING
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
        if by != "erasure":
            schedule_mail(registration, "cancelled")
        if held:
            fill_places(registration.event, now)
    return registration


def accept_offer(registration, now=None) -> Registration:
    now = now or timezone.now()
    with transaction.atomic():
        lock_event(registration.event)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status != Status.OFFERED or (
            registration.offer_expires_at and registration.offer_expires_at <= now
        ):
            raise RegistrationError(_("The offer is no longer valid."))
        registration.status = Status.CONFIRMED
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        schedule_mail(registration, "confirmed")
    return registration


def fill_places(event, now=None) -> list[Registration]:
    """Offer free places to the waiting list, first come first served (lock held)."""
    now = now or timezone.now()
    if event.start <= now:
        return []
    offered = []
    waiting = Registration.objects.filter(event_id=event.pk, status=Status.WAITING).order_by(
        "created_at", "pk"
    )
    for registration in waiting:
        taken = holding(Registration.objects.filter(event_id=event.pk)).count()
        if event.capacity is not None and taken >= event.capacity:
            break
        if _fits(event, list(registration.options.values_list("pk", flat=True))):
            continue  # a programme part they chose is full: the next one may fit
        registration.status = Status.OFFERED
        registration.offer_expires_at = min(now + dt.timedelta(hours=offer_hours()), event.start)
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        schedule_mail(registration, "offer")
        offered.append(registration)
    return offered


def expire_offers(now=None) -> int:
    """Offers not accepted in time lapse; the place goes to the next on the list."""
    now = now or timezone.now()
    expired = 0
    lapsed = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
    for registration in lapsed.select_related("event"):
        with transaction.atomic():
            lock_event(registration.event)
            updated = Registration.objects.filter(
                pk=registration.pk, status=Status.OFFERED, offer_expires_at__lte=now
            ).update(status=Status.CANCELLED, cancelled_at=now, offer_expires_at=None)
            if updated:
                expired += 1
                schedule_mail(registration, "offer_expired")
                fill_places(registration.event, now)
    return expired


# --- privacy ------------------------------------------------------------------------------------

PERSONAL_DATA = {
    "name": "",
    "email": "",
    "organisation": "",
    "diet": "",
    "invoice_reference": "",
}


def anonymise(queryset, now=None) -> int:
    now = now or timezone.now()
    count = 0
    for registration in queryset.filter(anonymised_at__isnull=True):
        Registration.objects.filter(pk=registration.pk).update(
            **PERSONAL_DATA,
            token=new_token(),
            anonymised_at=now,
            diet_erased_at=registration.diet_erased_at or now,
            consent_at=None,
        )
        count += 1
    return count


def apply_retention(now=None) -> dict[str, int]:
    """Dietary data goes first (EVENTS_DIET_RETENTION_DAYS after the event), everything personal
    after EVENTS_REGISTRATION_RETENTION_DAYS."""
    from home.models import EventPage

    now = now or timezone.now()

    def ended_before(moment):
        return EventPage.objects.filter(
            Q(end__lt=moment) | Q(end__isnull=True, start__lt=moment)
        ).values("pk")

    diet = Registration.objects.filter(
        event__in=ended_before(now - dt.timedelta(days=diet_retention_days())),
        diet_erased_at__isnull=True,
    ).update(diet="", diet_erased_at=now)
    anonymised = anonymise(
        Registration.objects.filter(
            event__in=ended_before(now - dt.timedelta(days=retention_days()))
        ),
        now,
    )
    return {"diet": diet, "anonymised": anonymised}


def erase_registrant(registration, now=None) -> None:
    """The registrant's own deletion: cancel (freeing the place) and anonymise at once."""
    cancel(registration, by="erasure", now=now)
    anonymise(Registration.objects.filter(pk=registration.pk), now)


def erase_registrations(email: str) -> int:
    """GDPR erasure of a person (called by the subscriber erasure): every registration with the
    address is cancelled and anonymised. Returns how many."""
    email = (email or "").strip()
    if not email:
        return 0
    found = list(Registration.objects.filter(email__iexact=email).select_related("event"))
    for registration in found:
        erase_registrant(registration)
    return len(found)


def export_data(registration) -> dict:
    """The registrant's own data (the personal link's export)."""
    return {
        "event": registration.event.title,
        "status": registration.get_status_display(),
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation_name,
        "role": registration.get_role_display() if registration.role else "",
        "options": [o.title for o in registration.options.all()],
        "diet": registration.diet,
        "invoice_reference": registration.invoice_reference,
        "consent_at": registration.consent_at.isoformat() if registration.consent_at else None,
        "registered_at": registration.created_at.isoformat(),
    }


# --- mail -------------------------------------------------------------------------------------


def schedule_mail(registration, kind: str) -> None:
    """After commit, mail the registrant (events.emails; sent by a task, never in the request)."""
    from events.emails import send_registration_email

    pk = registration.pk
    transaction.on_commit(lambda: send_registration_email.enqueue(pk, kind))


def send_reminders(now=None) -> int:
    """Mark and mail (once) the confirmed registrants of events starting within
    EVENTS_REMINDER_DAYS."""
    from home.models import EventPage

    now = now or timezone.now()
    events = EventPage.objects.filter(
        registration_enabled=True,
        start__gt=now,
        start__lte=now + dt.timedelta(days=reminder_days()),
    ).values("pk")
    due = list(
        Registration.objects.filter(
            event__in=events, status=Status.CONFIRMED, reminder_sent_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            # Claimed once even if two sweeps overlap.
            if Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                schedule_mail(Registration(pk=pk), "reminder")
                sent += 1
    return sent


def message_all(event, subject: str, body: str) -> int:
    """The organiser's mail to everyone registered (confirmed) for the event, through tasks."""
    from events.emails import send_registration_email

    pks = list(
        Registration.objects.filter(event_id=event.pk, status=Status.CONFIRMED).values_list(
            "pk", flat=True
        )
    )

    def enqueue():
        for pk in pks:
            send_registration_email.enqueue(pk, "message", subject=subject, body=body)

    transaction.on_commit(enqueue)
    return len(pks)
