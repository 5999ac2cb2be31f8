"""Check the Mailchimp connection: ping, then print the audience."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import MailchimpError


class Command(BaseCommand):
    help = "Ping Mailchimp and print the configured audience (name, member count)."

    def handle(self, *args, **options):
        if not settings.MAILCHIMP_API_KEY or not settings.MAILCHIMP_AUDIENCE_ID:
            raise CommandError("MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID must be set.")
        try:
            pong = api.ping()
            audience = api.get_audience()
        except MailchimpError as exc:
            raise CommandError(str(exc)) from None
        stats = audience.get("stats") or {}
        self.stdout.write(f"ping: {pong.get('health_status', 'ok')}")
        self.stdout.write(f"audience: {audience.get('name')} ({audience.get('id')})")
        self.stdout.write(f"members: {stats.get('member_count', 0)}")
        self.stdout.write(f"unsubscribed: {stats.get('unsubscribe_count', 0)}")
