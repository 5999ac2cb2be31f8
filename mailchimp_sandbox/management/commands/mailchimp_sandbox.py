"""Run the local Mailchimp sandbox as a process (`make run` starts it)."""

import signal
import threading

from django.core.management.base import BaseCommand

from mailchimp_sandbox.server import SandboxServer


class Command(BaseCommand):
    help = "Run a local stand-in for Mailchimp (Marketing API v3 subset, Mandrill, an inbox)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument(
            "--api-key", default=None, help="Accept only this key (default: any KEY-dc key)."
        )
        parser.add_argument(
            "--mandrill-key", default=None, help="Accept only this Mandrill key (default: any)."
        )
        parser.add_argument("--audience-id", default="testaudience")
        parser.add_argument("--state-file", default=None, help="Keep state in this JSON file.")
        parser.add_argument(
            "--webhook-retry",
            default="10,60,300,900,1800",
            help="Seconds between webhook retries (comma-separated).",
        )
        parser.add_argument("--verbose-requests", action="store_true")

    def handle(self, *args, **options):
        delays = tuple(float(d) for d in options["webhook_retry"].split(",") if d.strip())
        server = SandboxServer(
            host=options["host"],
            port=options["port"],
            api_key=options["api_key"],
            mandrill_key=options["mandrill_key"],
            state_file=options["state_file"],
            audience_id=options["audience_id"],
            webhook_retry_delays=delays,
            max_log=2000,
            verbose=options["verbose_requests"],
        )
        stopped = threading.Event()

        def stop(*_):
            stopped.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server.start()
        self.stdout.write(f"Mailchimp sandbox running on {server.base_url}/")
        self.stdout.write(f"  Marketing API:     {server.api_url}")
        self.stdout.write(f"  Transactional API: {server.mandrill_url}")
        self.stdout.write(f"  Inbox:             {server.base_url}/_sandbox/inbox")
        self.stdout.write(f"  Audience:          {options['audience_id']}")
        if options["state_file"]:
            self.stdout.write(f"  State file:        {options['state_file']}")
        self.stdout.flush()
        try:
            while not stopped.wait(0.5):
                pass
        finally:
            server.stop()
            self.stdout.write("Mailchimp sandbox stopped.")
