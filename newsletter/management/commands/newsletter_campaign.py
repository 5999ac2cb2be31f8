"""Run an issue's campaign operations in the foreground (same services as the tasks), or the
reconciler over every campaign (`newsletter_campaign reconcile [--dry-run]`)."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from newsletter.models import NewsletterIssuePage
from newsletter.services import campaigns as service

OPERATIONS = ["sync", "test", "schedule", "unschedule", "send", "report"]
# Operations that cause or remove a send: only a holder of the send permission, named by --user.
SENDER_OPERATIONS = {"schedule", "unschedule", "send"}


class Command(BaseCommand):
    help = (
        "Sync, test, schedule, unschedule, send or report an issue's Mailchimp campaign; "
        "or `reconcile [--dry-run]` every campaign with Mailchimp."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue", help="The issue's slug or page id (or `reconcile`).")
        parser.add_argument("operation", nargs="?", choices=OPERATIONS)
        parser.add_argument(
            "extra", nargs="*", metavar="ARG", help="test: EMAIL...; schedule: ISO-TIME"
        )
        parser.add_argument(
            "--user",
            help="Username of the sender this is done for (required for schedule, unschedule "
            "and send: they need the send permission, and the audit log names the user).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="reconcile: only print what it would do."
        )

    def handle(self, *args, issue, operation, extra, user=None, dry_run=False, **options):
        if issue == "reconcile" and operation is None:
            return self.reconcile(dry_run)
        if operation is None:
            raise CommandError("Give an operation: " + ", ".join(OPERATIONS) + ".")
        page = self._issue(issue)
        self.user = self._user(user, operation)
        try:
            outcome = getattr(self, f"do_{operation}")(page, extra)
        except service.CampaignRefused as refused:
            raise CommandError(refused.message) from None
        if not outcome.ok:
            raise CommandError(outcome.message)
        self.stdout.write(outcome.message)

    def _user(self, username, operation):
        if not username:
            if operation in SENDER_OPERATIONS:
                raise CommandError(
                    f"{operation} needs --user USERNAME: someone allowed to send the newsletter."
                )
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    @property
    def user_id(self):
        return self.user.pk if self.user else None

    def reconcile(self, dry_run):
        from newsletter.services.reconciler import reconcile

        findings = reconcile(dry_run=dry_run)
        for finding in findings:
            self.stdout.write(str(finding))
        if not findings:
            self.stdout.write("All campaigns agree with Mailchimp.")

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
        return self._until_done(lambda: service.run_sync(campaign.pk, self.user_id))

    def do_test(self, page, args):
        if self.user is None and service.test_needs_sender(None, service.clean_test_emails(args)):
            raise CommandError(
                "A test to addresses outside "
                + ", ".join(service.test_allowed_domains())
                + " needs --user USERNAME: someone allowed to send the newsletter."
            )
        campaign, emails = service.request_test(page, args, self.user)
        attempt = 1

        def run():
            nonlocal attempt
            outcome = service.run_test(campaign.pk, emails, self.user_id, attempt=attempt)
            attempt += 1
            return outcome

        return self._until_done(run)

    def do_schedule(self, page, args):
        if len(args) != 1:
            raise CommandError("schedule takes one ISO time, e.g. 2026-12-01T08:00+01:00.")
        when = service.parse_schedule_time(args[0])
        campaign, rounded = service.request_schedule(page, when, user=self.user)
        if rounded != when:
            self.stdout.write(f"Rounded up to the quarter hour: {rounded.isoformat()}")
        return self._until_done(
            lambda: service.run_schedule(campaign.pk, rounded.isoformat(), self.user_id)
        )

    def do_unschedule(self, page, args):
        campaign = service.request_unschedule(page, user=self.user)
        return self._until_done(lambda: service.run_unschedule(campaign.pk, self.user_id))

    def do_send(self, page, args):
        service.require_sender(self.user)
        campaign, key = service.request_send(page)
        return self._until_done(lambda: service.run_send(campaign.pk, key, self.user_id))

    def do_report(self, page, args):
        campaign = service.campaign_for(page)
        outcome = service.refresh_report(campaign.pk)
        campaign.refresh_from_db()
        self.stdout.write(f"status: {campaign.status}")
        for key, value in (campaign.report or {}).items():
            self.stdout.write(f"{key}: {value}")
        return outcome
