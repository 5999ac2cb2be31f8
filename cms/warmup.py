"""Work every web process would otherwise do on its first requests, done once in gunicorn's
master before it forks the workers (`gunicorn.conf.py`, `preload_app`): the URL patterns (and
with them the views) imported, the translations loaded and the site's own templates compiled
into the cached loader. A worker that replaces another (`max_requests`) then serves its first
page as fast as its hundredth. No database or cache connection is opened: the forked workers
must not share one."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

log = logging.getLogger(__name__)


def warm_up() -> int:
    """Returns how many templates were compiled."""
    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Subscribe")
    compiled = 0
    for engine in engines.all():
        for directory in getattr(engine, "dirs", ()):  # the site's own, not the admin's
            for path in sorted(Path(directory).rglob("*.html")):
                name = path.relative_to(directory).as_posix()
                if "admin" in name.split("/")[:-1]:
                    continue  # editors' screens: rare, and they pull in Wagtail's admin
                try:
                    engine.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    log.warning("template %s could not be compiled ahead", name)
                    continue
                compiled += 1
    return compiled
