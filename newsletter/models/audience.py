"""Durable state of the Mailchimp audience sync: pull high-water mark, push backoff, erasures."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AudienceSyncState(models.Model):
    """One row per Mailchimp audience: where the incremental pull got to, and push backoff."""

    audience_id = models.CharField(max_length=64, unique=True)
    # Highest member `last_changed` seen by a completed pull: the next pull asks for newer changes.
    pull_high_water = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    # Consecutive failed outbox sweeps (Mailchimp down): the sweeper waits until push_retry_at.
    push_failures = models.PositiveIntegerField(default=0)
    push_retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The audience's saved segments and tags as Mailchimp last listed them ({id, name, type,
    # member_count}): the recipients chooser reads this, never Mailchimp (newsletter.services.segments).
    segments = models.JSONField(default=list, blank=True)
    segments_fetched_at = models.DateTimeField(null=True, blank=True)
    segments_requested_at = models.DateTimeField(null=True, blank=True)
    segments_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("audience sync state")
        verbose_name_plural = _("audience sync states")

    def __str__(self) -> str:
        return self.audience_id

    @classmethod
    def for_audience(cls, audience_id: str) -> AudienceSyncState:
        state, _created = cls.objects.get_or_create(audience_id=audience_id)
        return state


class MailchimpErasure(models.Model):
    """A member still to be deleted permanently from Mailchimp (the erasure outbox).

    Holds only Mailchimp's member hash, never the address: the local record is already gone.
    """

    member_hash = models.CharField(max_length=32, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Mailchimp refused (any status but 404): retried with backoff and shown on the dashboard
    # until it goes through or an administrator marks it resolved.
    refused = models.BooleanField(default=False)
    retry_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending Mailchimp erasure")
        verbose_name_plural = _("pending Mailchimp erasures")

    def __str__(self) -> str:
        return self.member_hash


class MailchimpWebhookEvent(models.Model):
    """An audience webhook event as Mailchimp delivered it: the webhook's inbox.

    The webhook view validates the event and stores it here in one short insert; a task applies
    it to the subscriber. So an answered event is never lost (a failure while applying leaves it
    here, retried), the request holds no lock while the subscriber changes, and a delivery that
    Mailchimp repeats (same body) is stored once. Applied events keep no personal data: the body
    is cleared and the row is deleted after NEWSLETTER_WEBHOOK_RETENTION_DAYS (failed events too).
    """

    body_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    fired_at = models.DateTimeField()
    fields = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Mailchimp webhook event")
        verbose_name_plural = _("Mailchimp webhook events")
        indexes = [
            # The drain's queue: only the events still to apply, in the order they happened.
            models.Index(
                fields=["fired_at", "id"],
                condition=models.Q(processed_at__isnull=True),
                name="newsletter_webhook_waiting",
            ),
            models.Index(fields=["processed_at"], name="newsletter_webhook_processed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.fired_at:%Y-%m-%d %H:%M:%S}"


class ErasureTombstone(models.Model):
    """What is left of an erased person: a keyed hash of the normalised address, nothing else.

    The pull, the webhook inbox, the CSV import and the tracking webhook never recreate an address
    that has one; a fresh sign-up through the form (new consent) removes it.
    """

    address_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("erasure tombstone")
        verbose_name_plural = _("erasure tombstones")

    def __str__(self) -> str:
        return self.address_hash[:12]
