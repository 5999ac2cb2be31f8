"""Run an issue's campaign operations in the foreground (same services as the tasks)."""

import time
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletter.models import NewsletterIssuePage
from newsletter.services import campaigns as service

OPERATIONS = ["sync", "test", "schedule", "unschedule", "send", "report"]


class Command(BaseCommand):
    help = "Sync, test, schedule, unschedule, send or report an issue's Mailchimp campaign."

    def add_arguments(self, parser):
        parser.add_argument("issue", help="The issue's slug or page id.")
        parser.add_argument("operation", choices=OPERATIONS)
        parser.add_argument(
            "extra", nargs="*", metavar="ARG", help="test: EMAIL...; schedule: ISO-TIME"
        )

    def handle(self, *args, issue, operation, extra, **options):
        page = self._issue(issue)
        try:
            outcome = getattr(self, f"do_{operation}")(page, extra)
        except service.CampaignRefused as refused:
            raise CommandError(refused.message) from None
        if not outcome.ok:
            raise CommandError(outcome.message)
        self.stdout.write(outcome.message)

    def _issue(self, value):
        pages = NewsletterIssuePage.objects.all()
        page = pages.filter(pk=int(value)).first() if value.isdigit() else None
        page = page or pages.filter(slug=value).first()
        if page is None:
            raise CommandError(f"No issue {value!r}.")
        return page

    def _until_done(self, run):
        """Run an operation, waiting out backoff in the foreground, as a worker would."""
        for _attempt in range(settings.MAILCHIMP_MAX_ATTEMPTS + 1):
            outcome = run()
            if outcome.retry_in is None:
                return outcome
            self.stderr.write(outcome.message)
            time.sleep(outcome.retry_in)
        return outcome

    def do_sync(self, page, args):
        campaign = service.campaign_for(page)
        return self._until_done(lambda: service.run_sync(campaign.pk))

    def do_test(self, page, args):
        campaign, emails = service.request_test(page, args)
        attempt = 1

        def run():
            nonlocal attempt
            outcome = service.run_test(campaign.pk, emails, attempt=attempt)
            attempt += 1
            return outcome

        return self._until_done(run)

    def do_schedule(self, page, args):
        if len(args) != 1:
            raise CommandError("schedule takes one ISO time, e.g. 2026-12-01T08:00+01:00.")
        try:
            when = datetime.fromisoformat(args[0])
        except ValueError:
            raise CommandError(f"Not an ISO time: {args[0]}") from None
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        campaign, rounded = service.request_schedule(page, when)
        if rounded != when:
            self.stdout.write(f"Rounded up to the quarter hour: {rounded.isoformat()}")
        return self._until_done(lambda: service.run_schedule(campaign.pk, rounded.isoformat()))

    def do_unschedule(self, page, args):
        campaign = service.request_unschedule(page)
        return self._until_done(lambda: service.run_unschedule(campaign.pk))

    def do_send(self, page, args):
        campaign, key = service.request_send(page)
        return self._until_done(lambda: service.run_send(campaign.pk, key))

    def do_report(self, page, args):
        campaign = service.campaign_for(page)
        outcome = service.refresh_report(campaign.pk)
        campaign.refresh_from_db()
        self.stdout.write(f"status: {campaign.status}")
        for key, value in (campaign.report or {}).items():
            self.stdout.write(f"{key}: {value}")
        return outcome
