"""`manage.py update_index`: Wagtail's search index rebuild, then the reference index too.

Wagtail's command rebuilds only the search index; the reference index ("usage" in the admin) is
otherwise kept by one background task per save. After this command both are complete, in this
process, whether or not a worker runs.
"""

from django.core.management import call_command

from wagtail.search.management.commands.update_index import Command as SearchIndexCommand


class Command(SearchIndexCommand):
    help = "Rebuild the search index and the reference index, in this process."

    def handle(self, **options):
        super().handle(**options)
        if options.get("schema_only"):
            return
        call_command("rebuild_references_index", verbosity=options["verbosity"])
