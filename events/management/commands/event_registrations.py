"""manage.py event_registrations EVENT [--format csv|xlsx] [--output FILE]"""

from django.core.management.base import BaseCommand, CommandError

from events.export import export


def find_event(ref: str):
    from home.models import EventPage

    event = None
    if ref.isdigit():
        event = EventPage.objects.filter(pk=int(ref)).first()
    if event is None:
        event = EventPage.objects.filter(slug=ref).first()
    if event is None:
        raise CommandError(f"No event with slug or id {ref!r}.")
    return event


class Command(BaseCommand):
    help = "Export an event's registrations (EVENT = slug or id) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("event")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; CSV only).")

    def handle(self, *args, event, format, output=None, **options):  # noqa: A002
        page = find_event(event)
        data = export(page, format)
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"wrote {output}")
            return
        if format == "xlsx":
            raise CommandError("XLSX needs --output FILE.")
        self.stdout.write(data.decode("utf-8-sig"), ending="")
