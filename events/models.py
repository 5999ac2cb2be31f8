"""Registration for events on the site: the editor's programme options, the registrations (with
their waiting list and offers), read by events/services.py, which holds every rule."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.models import Orderable


def new_token() -> str:
    return secrets.token_urlsafe(24)


class RegistrationOption(Orderable):
    """A day or part of the programme registrants choose, e.g. "Årsstämma onsdag"."""

    event = ParentalKey(
        "home.EventPage", related_name="registration_options", on_delete=models.CASCADE
    )
    title = models.CharField(_("title"), max_length=120)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit of its own.")
    )

    panels = ["title", "capacity"]

    class Meta(Orderable.Meta):
        verbose_name = _("programme part")
        verbose_name_plural = _("programme parts")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Registered")
        OFFERED = "offered", _("Offered a place")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Role(models.TextChoices):
        ELECTED = "elected", _("Elected representative")
        OFFICER = "officer", _("Officer")
        OTHER = "other", _("Other")

    # Statuses that hold a place (an offer holds it until accepted or expired).
    HOLDING = (Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.CONFIRMED, Status.OFFERED, Status.WAITING)

    event = models.ForeignKey(
        "home.EventPage",
        verbose_name=_("event"),
        related_name="registrations",
        on_delete=models.CASCADE,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email address"), max_length=254)
    municipality = models.ForeignKey(
        "home.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.CharField(_("other organisation"), max_length=160, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    options = models.ManyToManyField(
        RegistrationOption, verbose_name=_("programme parts"), blank=True, related_name="+"
    )
    # Sensitive (health): shown to organisers only, wiped first (after the event).
    diet = models.TextField(_("dietary needs and allergies"), blank=True, max_length=500)
    invoice_reference = models.CharField(_("invoicing reference"), max_length=120, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    diet_erased_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    added_by_organiser = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One active registration per address and event: a second sign-up finds the first.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=["confirmed", "offered", "waiting"]) & ~Q(email=""),
                name="events_registration_one_active_per_email",
            )
        ]
        indexes = [models.Index(fields=["event", "status"], name="events_reg_event_status")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else f"#{self.pk}"

    @property
    def organisation_name(self) -> str:
        return self.municipality.name if self.municipality_id else self.organisation

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
