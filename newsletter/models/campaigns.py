"""The Mailchimp campaign of a newsletter issue and its state machine.

A separate model (not fields on the page), so copying an issue never copies its campaign.
Every transition goes through `Campaign.move_to()` on a row locked with select_for_update.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SYNCED = "synced", _("Synced")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


S = CampaignStatus

# The one place that says which state may follow which. SENT is final: a sent issue can be
# corrected on the web, but its campaign is never touched again.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SYNCED, S.SCHEDULED, S.FAILED},  # scheduled: an issue set to go live later
    S.SYNCED: {S.SYNCED, S.SCHEDULED, S.SENDING, S.SENT, S.FAILED},
    S.SCHEDULED: {S.SCHEDULED, S.SYNCED, S.SENDING, S.SENT, S.FAILED},
    S.SENDING: {S.SENDING, S.SENT, S.FAILED},
    S.FAILED: {S.DRAFT, S.SYNCED, S.SCHEDULED, S.SENDING, S.SENT, S.FAILED},
    S.SENT: set(),
}


class InvalidTransition(Exception):
    pass


class CampaignOperation(models.TextChoices):
    SYNC = "sync", _("Sync")
    SCHEDULE = "schedule", _("Schedule")
    UNSCHEDULE = "unschedule", _("Unschedule")
    SEND = "send", _("Send")


class ScheduleDecision(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    UNSCHEDULE = "unschedule", _("Unschedule")


class Campaign(models.Model):
    # SET_NULL, not CASCADE: deleting an issue must not lose the record of a campaign Mailchimp
    # may still hold scheduled. The delete enqueues its unschedule, and the reconciler finds any
    # campaign left without an issue (newsletter.services.reconciler).
    page = models.OneToOneField(
        "newsletter.NewsletterIssuePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign",
        verbose_name=_("issue"),
    )
    issue_title = models.CharField(_("issue title"), max_length=255, blank=True)
    mailchimp_id = models.CharField(_("Mailchimp campaign id"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Mailchimp's own last-known status of the campaign ("save", "schedule", "sending", "sent").
    remote_status = models.CharField(max_length=32, blank=True)
    synced_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revision in Mailchimp"),
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # True while the schedule comes from the issue's go-live (Wagtail's scheduled publishing), not
    # from the editor's own schedule action: only such a schedule goes when the go-live is cancelled.
    scheduled_by_go_live = models.BooleanField(_("scheduled by the go-live time"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # Recipients: the whole audience, or one saved segment / tag of it.
    segment_id = models.PositiveIntegerField(
        _("segment or tag id"),
        null=True,
        blank=True,
        help_text=_("Leave empty to send to the whole audience."),
    )
    segment_name = models.CharField(_("segment or tag name"), max_length=200, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), null=True, blank=True)
    recipient_count_at = models.DateTimeField(null=True, blank=True)

    # Failure and retry bookkeeping, stored so a restarted worker loses nothing.
    last_error = models.TextField(_("last error"), blank=True)
    failed_operation = models.CharField(
        max_length=16, choices=CampaignOperation.choices, blank=True
    )
    operation_args = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    # Lease: while set and in the future, one worker is talking to Mailchimp about this campaign.
    lease_operation = models.CharField(max_length=16, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Idempotency key of the create, put in the campaign's title: a create whose answer was lost
    # (timeout) may still have made the campaign, and the retry finds it by this key.
    create_key = models.CharField(max_length=32, blank=True)
    # Idempotency key of the one send this campaign may have.
    send_key = models.UUIDField(null=True, blank=True, unique=True)

    # The latest schedule decision (schedule or unschedule), when and by whom: a retry or a
    # resumed sync never undoes a later decision (see services.campaigns.schedule_wanted).
    decision = models.CharField(max_length=16, choices=ScheduleDecision.choices, blank=True)
    decision_at = models.DateTimeField(null=True, blank=True)
    decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # "Publicera och skicka" on an issue that had to be published first: the sender's send or
    # schedule ({"operation", "when", "user_id"}) until it is claimed after the sync, so a sync
    # that fails for good does not lose it (the panel says so and offers to redo it).
    publish_send_intent = models.JSONField(default=dict, blank=True)
    # Why the issue's go-live did not schedule the campaign (shown to the editor), and for which
    # revision the senders were told.
    schedule_held = models.TextField(blank=True)
    schedule_held_revision_id = models.PositiveIntegerField(null=True, blank=True)

    tests_sent = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    report_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [("send_newsletter", _("Can send newsletter"))]

    def __str__(self):
        return f"{self.page or self.issue_title or self.mailchimp_id} ({self.get_status_display()})"

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def move_to(self, status: str) -> None:
        """Change state; the caller holds the row lock and saves."""
        if not self.can_move_to(status):
            raise InvalidTransition(f"{self.status} → {status}")
        self.status = status

    @property
    def is_final(self) -> bool:
        return self.status == CampaignStatus.SENT
