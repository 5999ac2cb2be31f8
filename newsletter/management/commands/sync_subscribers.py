"""Reconcile local subscribers with the Mailchimp audience, in bulk.

manage.py sync_subscribers --push [--full] [--dry-run]   batch subscribe calls of 500
manage.py sync_subscribers --pull [--full] [--dry-run]   pages of 1,000 (incremental by default)
manage.py sync_subscribers --erasures                     lists Mailchimp erasures still pending
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletter.mailchimp.client import MailchimpError
from newsletter.models import MailchimpErasure
from newsletter.services import sync


class ProgressBar:
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise)."""

    def __init__(self, stream, label: str, width: int = 30):
        self.stream = stream  # the command's OutputWrapper
        self.label = label
        self.width = width
        self.tty = stream.isatty()
        self.last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        total = max(total, done, 1)
        filled = int(self.width * done / total)
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,}"
        if self.tty:
            self.stream.write(f"\r{line}", ending="")
            self.stream.flush()
        else:
            decile = int(10 * done / total)
            if decile != self.last_decile:
                self.last_decile = decile
                self.stream.write(line)

    def close(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = "Reconcile subscribers with the Mailchimp audience (--push or --pull)."

    def add_arguments(self, parser):
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--push", action="store_true", help="Local → Mailchimp.")
        direction.add_argument("--pull", action="store_true", help="Mailchimp → local.")
        direction.add_argument(
            "--erasures",
            action="store_true",
            help="List the erasures Mailchimp has not carried out yet (no Mailchimp call).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Push every subscriber / pull the whole audience (default: only what changed).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, push=False, pull=False, full=False, dry_run=False, **options):
        if options.get("erasures"):
            self.list_erasures()
            return
        if not sync.configured():
            raise CommandError("MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID must be set.")
        label = "push" if push else "pull"
        bar = None if options["no_progress"] else ProgressBar(self.stderr, label)
        started = time.monotonic()
        try:
            if push:
                summary = sync.push_all(full=full, dry_run=dry_run, progress=bar)
            else:
                summary = sync.pull_changes(full=full, dry_run=dry_run, progress=bar)
        except MailchimpError as exc:
            raise CommandError(
                f"{exc} (nothing is lost: run again when Mailchimp answers)"
            ) from exc
        finally:
            if bar:
                bar.close()
        elapsed = time.monotonic() - started
        self.stdout.write(self.format_summary(summary, elapsed))
        for error in summary.errors[:20]:
            self.stderr.write(f"  {error}")

    def format_summary(self, summary, elapsed: float) -> str:
        head = (
            f"{summary.direction}{' (dry run)' if summary.dry_run else ''}: "
            f"{summary.processed:,} of {summary.total:,} members, "
            f"{summary.calls} Mailchimp calls, {elapsed:.1f} s, audience "
            f"{settings.MAILCHIMP_AUDIENCE_ID}"
        )
        counts = ", ".join(f"{key} {value:,}" for key, value in sorted(summary.counts.items()))
        return f"{head}\n  {counts or 'nothing to do'}"

    def list_erasures(self) -> None:
        """Pending erasures: Mailchimp's member hash only (the address is gone here)."""
        pending = MailchimpErasure.objects.filter(resolved_at__isnull=True).order_by("pk")
        self.stdout.write(f"{pending.count()} erasure(s) pending in Mailchimp")
        for erasure in pending:
            state = "refused" if erasure.refused else "waiting"
            retry = erasure.retry_at.isoformat(timespec="seconds") if erasure.retry_at else "-"
            self.stdout.write(
                f"  {erasure.member_hash}  {state}  since "
                f"{erasure.created_at.isoformat(timespec='seconds')}  attempts {erasure.attempts}"
                f"  next {retry}  {erasure.last_error[:120]}"
            )
