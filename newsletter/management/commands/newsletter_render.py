"""Print an issue's email as it would be sent: `manage.py newsletter_render 2022-04 --format text`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from newsletter.models import NewsletterIssuePage
from newsletter.rendering import BACKENDS, render_email


def find_issue(ref: str) -> NewsletterIssuePage:
    issues = NewsletterIssuePage.objects.all()
    issue = None
    if ref.isdigit():
        issue = issues.filter(pk=int(ref)).first()
    if issue is None:
        issue = issues.filter(slug=ref).order_by("-issue_date").first()
    if issue is None:
        raise CommandError(
            _("The issue “%(issue)s” was not found (give a slug or an id).") % {"issue": ref}
        )
    return issue


class Command(BaseCommand):
    help = "Print a newsletter issue as the email that would be sent (the published version)."

    def add_arguments(self, parser):
        parser.add_argument("issue", help="Newsletter issue to render: slug or id")
        parser.add_argument("--format", choices=["html", "text"], default="html")
        parser.add_argument("--backend", choices=sorted(BACKENDS), default="mailchimp")

    def handle(self, *args, issue, format, backend, **options):
        page = find_issue(issue)
        # What would be sent: the published revision; an unpublished issue shows its latest draft.
        if page.live and page.live_revision_id:
            page = page.live_revision.as_object()
        else:
            page = page.get_latest_revision_as_object()
        rendered = render_email(page, backend=backend)
        self.stdout.write(rendered.html if format == "html" else rendered.text, ending="")
        if not (rendered.html if format == "html" else rendered.text).endswith("\n"):
            self.stdout.write("")
