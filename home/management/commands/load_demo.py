"""Build the SmåKom demo site from the April 2022 newsletter. Safe to run again."""

from django.core.management.base import BaseCommand

from cms.indexing import index_inline
from home.demo.loader import Loader


class Command(BaseCommand):
    help = "Load the demo content (the April 2022 SmåKom newsletter). Idempotent."

    def handle(self, *args, **options):
        from newsletter import demo as newsletter_demo

        loader = Loader(stdout=self.stdout if options["verbosity"] > 1 else None)
        # The search and reference index are complete when the command ends, worker or not.
        with index_inline():
            home = loader.run()
            newsletter_demo.load(home, stdout=self.stdout)
        if loader.created:
            self.stdout.write(self.style.SUCCESS(f"Demo content loaded ({loader.created} items)."))
        else:
            self.stdout.write("Demo content already loaded: nothing changed.")
