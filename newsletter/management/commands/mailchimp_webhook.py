"""Register, list or remove the Mailchimp audience webhook that reports unsubscribes to us; see
and apply the events it delivered (`inbox`, `apply`)."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import MailchimpError
from newsletter.models import MailchimpWebhookEvent
from newsletter.services import webhook_inbox


def default_url() -> str:
    if not settings.MAILCHIMP_WEBHOOK_SECRET:
        raise CommandError("MAILCHIMP_WEBHOOK_SECRET is not set.")
    base = settings.SITE_BASE_URL.rstrip("/")
    return f"{base}{reverse('mailchimp_webhook')}?key={settings.MAILCHIMP_WEBHOOK_SECRET}"


def masked(url: str) -> str:
    """The URL without its secret, for printing."""
    parts = urlsplit(url)
    query = "key=…" if "key=" in parts.query else parts.query
    return urlunsplit(parts._replace(query=query))


class Command(BaseCommand):
    help = (
        "Manage the Mailchimp audience webhook: register (idempotent), list, unregister; "
        "inbox (events not applied yet, with their errors), apply (apply them now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["register", "list", "unregister", "inbox", "apply"])
        parser.add_argument(
            "--url", help="Webhook URL (default: SITE_BASE_URL + the webhook path + ?key=secret)."
        )
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="apply: also retry events that failed too often (after fixing the cause).",
        )

    def handle(self, *args, action, url=None, retry_failed=False, **options):
        if action == "inbox":
            return self.inbox()
        if action == "apply":
            return self.apply(retry_failed)
        if not (settings.MAILCHIMP_API_KEY and settings.MAILCHIMP_AUDIENCE_ID):
            raise CommandError("MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID must be set.")
        try:
            getattr(self, action)(url)
        except MailchimpError as exc:
            details = "; ".join(
                str(e.get("message", e)) for e in exc.errors or [] if isinstance(e, dict)
            )
            raise CommandError(f"{exc} {details}".strip()) from exc

    def register(self, url):
        url = url or default_url()
        for hook in audience.list_webhooks():
            if hook.get("url") == url:
                self.stdout.write(f"already registered: {hook.get('id')} {masked(url)}")
                return
        hook = audience.create_webhook(url)
        self.stdout.write(self.style.SUCCESS(f"registered: {hook.get('id')} {masked(url)}"))

    def list(self, url):
        hooks = audience.list_webhooks()
        if not hooks:
            self.stdout.write("no webhooks")
        for hook in hooks:
            events = ",".join(k for k, v in (hook.get("events") or {}).items() if v)
            sources = ",".join(k for k, v in (hook.get("sources") or {}).items() if v)
            self.stdout.write(
                f"{hook.get('id')} {masked(hook.get('url', ''))} events={events} sources={sources}"
            )

    def unregister(self, url):
        url = url or default_url()
        removed = 0
        for hook in audience.list_webhooks():
            if hook.get("url") == url:
                audience.delete_webhook(hook["id"])
                removed += 1
        self.stdout.write(f"removed {removed} webhook(s) for {masked(url)}")

    def inbox(self):
        unapplied = MailchimpWebhookEvent.objects.filter(processed_at__isnull=True)
        failed = unapplied.filter(attempts__gte=webhook_inbox.MAX_ATTEMPTS)
        self.stdout.write(
            f"waiting: {unapplied.count() - failed.count()}, failed "
            f"{webhook_inbox.MAX_ATTEMPTS} times (not retried): {failed.count()}"
        )
        for event in unapplied.exclude(last_error="").order_by("fired_at")[:20]:
            self.stdout.write(
                f"  #{event.pk} {event} attempts={event.attempts}: {event.last_error[:200]}"
            )

    def apply(self, retry_failed):
        if retry_failed:
            retried = MailchimpWebhookEvent.objects.filter(
                processed_at__isnull=True, attempts__gte=webhook_inbox.MAX_ATTEMPTS
            ).update(attempts=0)
            self.stdout.write(f"retrying {retried} failed event(s)")
        counts = webhook_inbox.apply_waiting()
        summary = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
        self.stdout.write(f"applied: {summary or 'nothing waiting'}")
        if counts.get("failed"):
            raise CommandError(
                f"{counts['failed']} event(s) failed; see `mailchimp_webhook inbox`."
            )
