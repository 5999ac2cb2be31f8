"""Newsletter part of the demo content; `manage.py load_demo` calls load() after the site content."""

from .issue import load_issue
from .subscribers import load_subscribers


def load(home_page, stdout=None) -> None:
    load_issue(home_page, stdout=stdout)
    load_subscribers(stdout=stdout)
