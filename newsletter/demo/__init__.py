"""Newsletter part of the demo content; `manage.py load_demo` calls load() after the site content."""

from .issue import load_issue
from .subscribers import load_subscribers


def load(home_page, stdout=None) -> None:
    # Subscribers first: their pushes are queued before the issue's campaign sync, so the
    # campaign's recipient count already includes them.
    load_subscribers(stdout=stdout)
    load_issue(home_page, stdout=stdout)
