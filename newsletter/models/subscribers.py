"""Subscribers: local records kept in step with the Mailchimp audience."""

from __future__ import annotations

import contextlib

from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_email(email: str) -> str:
    """Trim, lower-case the domain (IDNA-encoded) and the local part; one address, one subscriber."""
    email = (email or "").strip()
    local, _sep, domain = email.rpartition("@")
    if not local:
        return email.lower()
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


# Interests a subscriber can choose (stored in Subscriber.tags, sent to Mailchimp as tags).
# The values are Swedish because they are the tag names editors see in Mailchimp too.
INTERESTS = [
    ("Nyhetsbrev", _("Newsletter")),
    ("Evenemang", _("Events")),
    ("Medlemsinformation", _("Member information")),
]
DEFAULT_INTERESTS = ["Nyhetsbrev"]


def split_name(name: str) -> tuple[str, str]:
    """'Anna Maria Andersson' → ('Anna Maria', 'Andersson'): Mailchimp wants FNAME and LNAME."""
    parts = " ".join((name or "").split()).rsplit(" ", 1)
    if len(parts) == 1:
        return parts[0], ""
    return parts[0], parts[1]


class SubscriberQuerySet(models.QuerySet):
    def with_emails(self, emails):
        """Subscribers by normalised address, through the unique index on LOWER(email) (a plain
        `email=`/`email__in` cannot use it and scans the table)."""
        return self.annotate(email_key=Lower("email")).filter(email_key__in=list(emails)).order_by()

    def by_email(self, email: str):
        """The subscriber with this normalised address, or None (one indexed lookup)."""
        return next(iter(self.with_emails([email])[:1]), None)


class Subscriber(models.Model):
    # Not content: Wagtail's reference index has nothing to learn from subscribers, and indexing
    # queued a task on every save (every status change, every webhook). [audience]
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        CLEANED = "cleaned", _("Cleaned")

    class Source(models.TextChoices):
        WEBSITE = "website", _("Website")
        IMPORT = "import", _("Import")
        MAILCHIMP = "mailchimp", _("Mailchimp")
        ADMIN = "admin", _("Admin")

    class CleanedReason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Complaint")
        OTHER = "other", _("Other")

    email = models.EmailField(_("email"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    municipality = models.ForeignKey(
        "home.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscribers",
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # When the current status took effect at its origin (e.g. Mailchimp's fired_at): an older
    # event never overrides a newer one.
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    cleaned_reason = models.CharField(
        _("cleaned reason"), max_length=16, choices=CleanedReason.choices, blank=True
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEBSITE, db_index=True
    )
    tags = models.JSONField(_("tags and interests"), default=list, blank=True)

    # Consent record.
    consent_text = models.TextField(_("consent text shown"), blank=True)
    signup_at = models.DateTimeField(_("signed up"), null=True, blank=True)
    signup_ip = models.GenericIPAddressField(_("sign-up IP"), null=True, blank=True)
    signup_user_agent = models.CharField(_("sign-up user agent"), max_length=400, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirm_ip = models.GenericIPAddressField(_("confirmation IP"), null=True, blank=True)
    confirm_user_agent = models.CharField(_("confirmation user agent"), max_length=400, blank=True)
    # Rotated whenever a signed link must stop working (confirmation used, address changed).
    token_nonce = models.CharField(max_length=32, blank=True)
    # Binds unsubscribe, preference and confirmation links to the address they were made for:
    # rotated when the address changes ("" for links made before links carried it). [integrity]
    link_nonce = models.CharField(max_length=32, blank=True)

    # Mailchimp sync state (the outbox: needs_push is set in the same transaction as the change).
    mailchimp_needs_push = models.BooleanField(
        _("waiting to be sent to Mailchimp"), default=False, db_index=True
    )
    mailchimp_pushed_at = models.DateTimeField(_("last sent to Mailchimp"), null=True, blank=True)
    mailchimp_push_attempts = models.PositiveIntegerField(default=0)
    mailchimp_last_error = models.TextField(_("last Mailchimp error"), blank=True)
    mailchimp_last_changed = models.DateTimeField(
        _("last changed in Mailchimp"), null=True, blank=True
    )
    # The outbox sweeper leaves this subscriber alone until then (its own backoff). [integrity]
    mailchimp_retry_at = models.DateTimeField(null=True, blank=True)
    # The address the Mailchimp member has, when ours changed and Mailchimp has not heard yet:
    # the push changes that member's address (never a second member). [integrity]
    mailchimp_email = models.EmailField(max_length=254, blank=True)
    # Addresses this person had before: Mailchimp may hold any of them, so erasure deletes them
    # there too (and leaves a tombstone for each). [integrity]
    former_emails = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
        ]
        indexes = [
            # The few subscribers whose address change Mailchimp has not heard of yet (the pull
            # looks them up for every page). [integrity]
            models.Index(
                fields=["mailchimp_email"],
                condition=~models.Q(mailchimp_email=""),
                name="newsletter_sub_renaming",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name] if p)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.SUBSCRIBED

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        if self._state.adding and not self.link_nonce:
            from newsletter.tokens import new_nonce

            self.link_nonce = new_nonce()
        super().save(*args, **kwargs)

    def transition(self, new_status: str, *, at, reason: str = "", push: bool = True) -> bool:
        """Change the status in memory, unless `at` is older than the current status or the
        status is the same; True if it changed. Only on a row read under lock (change_status,
        the webhook inbox's batches); the caller saves STATUS_FIELDS."""
        if at < self.status_changed_at or self.status == new_status:
            return False
        self.status = new_status
        self.status_changed_at = at
        self.cleaned_reason = reason if new_status == self.Status.CLEANED else ""
        if push:
            self.mailchimp_needs_push = True
        return True

    def change_status(
        self,
        new_status: str,
        *,
        source: str,
        at=None,
        reason: str = "",
        detail: dict | None = None,
        push: bool = True,
        locked: bool = False,
    ) -> bool:
        """Apply a status change from `source`, unless a newer change already happened.

        Returns True if the status changed. Records a SubscriberEvent either way, so the log shows
        ignored (stale or duplicate) deliveries too. `push` marks the change for the Mailchimp outbox.
        `locked`: this instance was read with select_for_update() in the caller's transaction, so
        it is current and need not be read again.
        """
        at = at or timezone.now()
        # Under the caller's transaction and lock, no savepoint is needed.
        with transaction.atomic(savepoint=not locked):
            current = self if locked else type(self).objects.select_for_update().get(pk=self.pk)
            previous = current.status
            applied = current.transition(new_status, at=at, reason=reason, push=push)
            if applied:
                current.save(update_fields=[*STATUS_FIELDS, "updated_at"])
            SubscriberEvent.objects.create(
                subscriber=current,
                from_status=previous,
                to_status=new_status,
                source=source,
                occurred_at=at,
                applied=applied,
                detail=detail or {},
            )
            # Refresh this instance from the locked row.
            for field in STATUS_FIELDS:
                setattr(self, field, getattr(current, field))
        return applied


# What change_status() writes.
STATUS_FIELDS = ("status", "status_changed_at", "cleaned_reason", "mailchimp_needs_push")


class SubscriberEvent(models.Model):
    """Every status change (and every ignored one), with where it came from. Kept after erasure
    without personal data (subscriber set to NULL, detail scrubbed)."""

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    # website, confirm, one_click, preferences, mailchimp_webhook, mailchimp_pull, anymail,
    # admin, import, erasure, …
    source = models.CharField(max_length=32)
    occurred_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(default=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("subscriber event")
        verbose_name_plural = _("subscriber events")

    def __str__(self) -> str:
        return f"{self.source}: {self.from_status} → {self.to_status}"


class PendingAddressChange(models.Model):
    """A new address a subscriber asked for on the preferences page, until its link is followed.

    The address lives only here (not in the link, not in a task's arguments), so erasure (the
    cascade) and the periodic purge remove it. The link carries a random token whose hash alone
    is stored; only the newest request of a subscriber works (older ones are superseded and lose
    the address at once)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="pending_address_changes"
    )
    new_email = models.EmailField(max_length=254, blank=True)
    # SHA-256 of the link's token; set when the link is mailed (none if it never is).
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The subscriber's link_nonce when asked: the link works only for the address asked from.
    link_nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending address change")
        verbose_name_plural = _("pending address changes")

    def __str__(self) -> str:
        return f"address change {self.pk} of subscriber {self.subscriber_id}"

    def is_open(self, subscriber: Subscriber) -> bool:
        """Still waiting for its link, for the address the subscriber has now."""
        return (
            self.used_at is None
            and self.superseded_at is None
            and self.expires_at > timezone.now()
            and self.link_nonce == subscriber.link_nonce
            and self.new_email != subscriber.email
        )
