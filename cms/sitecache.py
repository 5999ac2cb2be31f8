"""Per-process copies of what every public page reads first and editors rarely change: the Site
that answers a host (with its home page), the site settings (footer, contact person), which
pages a path names (routing), the home page's sections and the pieces templates mark
`{% sitewide %}` (the sign-up form).

Each process keeps them under one shared version, read once per request from the default cache
(Redis, or the file cache the gunicorn workers share), so a change made on any machine reaches
every worker at its next request: saving or deleting a Site, a page (publishing, unpublishing,
moving), the site settings, a person or a municipality (the sign-up form lists them) drops the
version (`changed`). Only Wagtail's page view uses the copies (`cms.views.serve`); the admin and
other views read the database as Wagtail does. Each request gets its own shallow copy of the Site
and the settings, so nothing it sets on them leaks into the next.
"""

from __future__ import annotations

import copy
import uuid

from django.core.cache import cache
from django.db import transaction
from django.http.request import split_domain_port

VERSION_KEY = "cms:site-version"

# One version's copies at a time: {"version": str, "items": {key: object}}. Bounded, since some
# keys come from the URL (routing): past the bound, new ones are read from the database each time.
_kept: dict = {"version": None, "items": {}}
MAX_ITEMS = 2_000


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Missing (first request, cleared or culled cache): a fresh one, so nothing kept under
        # an older version is trusted.
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or uuid.uuid4().hex
    return version


def _items(request) -> dict | None:
    """This version's copies, or None on a request that must read the database."""
    version = getattr(request, "_sitecache_version", None)
    if version is None:
        return None
    if _kept["version"] != version:
        _kept["version"], _kept["items"] = version, {}
    return _kept["items"]


def kept(request, key, load):
    """`load()`, kept under `key` for this version when it found something (read-only to the
    caller: it is shared by the process's later requests). On a request that may not use the
    copies, just `load()`."""
    items = _items(request)
    if items is None:
        return load()
    try:
        return items[key]
    except KeyError:
        pass
    value = load()
    # Nothing found is not kept: paths that name no page (scanners) would fill the copies.
    if value and len(items) < MAX_ITEMS:
        items[key] = value
    return value


def site_for_request(request):
    """The Site for this request's host (its root page loaded), as `Site.find_for_request`."""
    from wagtail.models import Site

    items = _items(request)
    if items is None:
        return Site.find_for_request(request)
    key = ("site", split_domain_port(request._get_raw_host())[0], request.get_port())
    site = kept(request, key, lambda: Site._find_for_request(request))
    return copy.copy(site) if site is not None else None


def setting_for_request(model, request):
    """A site setting (`BaseSiteSetting`) for this request's site, or None to read it as
    Wagtail does."""
    items = _items(request)
    site = getattr(request, "_wagtail_site", None)
    if items is None or site is None:
        return None
    key = ("setting", model._meta.label, site.pk)
    return copy.copy(kept(request, key, lambda: model.for_site(site)))


def changed(sender=None, **kwargs):
    if kwargs.get("created") and sender is not None and sender._meta.label == "cms.SiteSettings":
        return  # made with its defaults on a site's first view: nothing kept shows it yet
    cache.delete(VERSION_KEY)
    # Again after the commit: a request between the two may have kept the old rows.
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


def use_for_request(request) -> None:
    """Let this public page request read the copies (called by `cms.views.serve` before
    routing; other views read the database as Wagtail does)."""
    if not hasattr(request, "_wagtail_site"):
        request._sitecache_version = _version()
        request._wagtail_site = site_for_request(request)


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for model in apps.get_models():
        if issubclass(model, Page):
            for signal in (post_save, post_delete, page_published, page_unpublished):
                signal.connect(changed, sender=model, dispatch_uid=f"sitecache-{signal}-{model}")
    post_page_move.connect(changed, dispatch_uid="sitecache-move")
    kept_models = (
        Site,
        *map(apps.get_model, ("cms.SiteSettings", "home.Person", "home.Municipality")),
    )
    for model in kept_models:
        post_save.connect(changed, sender=model, dispatch_uid=f"sitecache-save-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"sitecache-del-{model}")
