"""Publish webhooks: endpoints administrators register, and every delivery made to them."""

from __future__ import annotations

import secrets

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    PUBLISHED = "page.published", _("Page published")
    UNPUBLISHED = "page.unpublished", _("Page unpublished")
    DELETED = "page.deleted", _("Page deleted")
    ISSUE_SENT = "issue.sent", _("Newsletter issue sent")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A frontend (or any service) told when content changes."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Receives a POST with JSON for each event chosen below."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        default=new_secret,
        help_text=_(
            "Signs each delivery (the X-SmaKom-Signature header). Give it to the receiver; "
            "change it to revoke the old one."
        ),
    )
    on_published = models.BooleanField(_("page published"), default=True)
    on_unpublished = models.BooleanField(_("page unpublished"), default=True)
    on_deleted = models.BooleanField(_("page deleted"), default=True)
    on_issue_sent = models.BooleanField(_("newsletter issue sent"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self):
        return self.name

    EVENT_FIELDS = {
        Event.PUBLISHED: "on_published",
        Event.UNPUBLISHED: "on_unpublished",
        Event.DELETED: "on_deleted",
        Event.ISSUE_SENT: "on_issue_sent",
    }

    @classmethod
    def subscribed_to(cls, event: str):
        return cls.objects.filter(is_active=True, **{cls.EVENT_FIELDS[event]: True})

    @property
    def events(self) -> list[str]:
        return [str(e.label) for e, field in self.EVENT_FIELDS.items() if getattr(self, field)]


class WebhookDelivery(models.Model):
    """One event for one endpoint: tried until it succeeds or a day has passed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event type"), max_length=32, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    response_status = models.PositiveIntegerField(_("response status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self):
        return f"{self.get_event_display()} → {self.endpoint} ({self.get_status_display()})"
