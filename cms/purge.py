"""Purging the cached copies of every URL that shows a page, when the page changes.

One rule, `urls_showing(page)`, used by every path that changes what visitors see: publish
(also a scheduled go-live, `publish_scheduled`), unpublish, move and delete; after a move or a
new slug also the former URLs of the page and of every page under it (`former_paths`). The
local page cache is purged at commit in the same process; Varnish or a CDN (`FRONTEND_CACHE_URL`)
through Wagtail's frontend cache (`wagtail.contrib.frontend_cache`), whose purge runs as a task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from wagtail.models import Page, ReferenceIndex

from cms import pagecache

# Public URLs that list or summarise pages, besides the page's own ancestors.
SHARED_PATHS = [
    "/feeds/nyheter.rss",
    "/feeds/nyheter.atom",
    "/feeds/kalender.ics",
    "/sitemap.xml",
    "/search/",
    "/search/suggest/",
    "/api/v2/pages/",
]


def _path_of(url_path: str, root_url_path: str) -> str | None:
    if not url_path.startswith(root_url_path):
        return None
    return "/" + url_path[len(root_url_path) :]


def _site_roots() -> list[tuple[str, str]]:
    from wagtail.models import Site

    return [
        (root_url_path, root_url)
        for (_id, root_url_path, root_url, _lang) in Site.get_site_root_paths()
    ]


def paths_for_url_path(url_path: str, page_id: int | None = None) -> set[str]:
    """The page at `url_path` (and its sub-routes), its ancestors' listings up to the home page
    and the shared listings (feeds, sitemap, search, API)."""
    paths = set(SHARED_PATHS)
    if page_id is not None:
        paths.add(f"/api/v2/pages/{page_id}/")
    for root_url_path, _root_url in _site_roots():
        own = _path_of(url_path, root_url_path)
        if own is None:
            continue
        parts = [p for p in own.split("/") if p]
        for n in range(len(parts) + 1):
            paths.add("/" + "".join(f"{p}/" for p in parts[:n]))
    return paths


def urls_showing(page: Page, *, url_path: str | None = None) -> set[str]:
    """Paths (with any query string) that show `page`: itself, its parents' listings, the home
    page, feeds, sitemap, search and API, and the newsletter issues that feature it."""
    paths = paths_for_url_path(url_path or page.url_path, page.pk)
    specific = page.specific_deferred
    for sub in specific.get_cached_paths():
        if sub not in ("", "/"):
            paths |= {p + sub.lstrip("/") for p in paths_for_url_path(page.url_path)}
    # Issues (and any other page) that show this page in their body.
    referring = ReferenceIndex.get_references_to(page).filter(
        base_content_type__app_label="wagtailcore", base_content_type__model="page"
    )
    ids = {int(pk) for pk in referring.values_list("object_id", flat=True)}
    for other in Page.objects.filter(pk__in=ids).only("url_path"):
        paths |= paths_for_url_path(other.url_path, other.pk)
    return paths


def former_paths(page: Page, url_path_before: str, url_path_after: str) -> set[str]:
    """The paths (with sub-routes) where `page` and every live page under it were shown before
    its url_path changed from `url_path_before` to `url_path_after` (a move, a new slug): their
    cached copies would otherwise go on answering there."""
    roots = [root_url_path for root_url_path, _root_url in _site_roots()]
    paths: set[str] = set()
    subtree = Page.objects.filter(path__startswith=page.path, depth__gte=page.depth)
    for other in subtree.live().specific(defer=True):
        if not other.url_path.startswith(url_path_after):
            continue
        before = url_path_before + other.url_path[len(url_path_after) :]
        subs = [sub.lstrip("/") for sub in other.get_cached_paths() if sub not in ("", "/")]
        for root_url_path in roots:
            own = _path_of(before, root_url_path)
            if own is not None:
                paths |= {own, *(own + sub for sub in subs)}
    return paths


def purge(paths) -> None:
    """After the commit: the local page cache now; Varnish/CDN through Wagtail's task."""
    paths = set(paths)
    if not paths:
        return

    def run():
        pagecache.purge_paths(paths)
        if getattr(settings, "WAGTAILFRONTENDCACHE", None):
            from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

            roots = {root_url for _path, root_url in _site_roots()}
            purge_urls_from_cache([root.rstrip("/") + p for root in roots for p in sorted(paths)])

    transaction.on_commit(run)


def page_changed(sender, instance, **kwargs):
    purge(urls_showing(instance))


def page_moved(sender, instance, url_path_before, url_path_after, **kwargs):
    purge(
        urls_showing(instance, url_path=url_path_before)
        | urls_showing(instance)
        | former_paths(instance, url_path_before, url_path_after)
    )


def slug_changed(sender, instance, instance_before, **kwargs):
    # Sent at commit by Page.save() after a new slug (publish, scheduled go-live): the page
    # and everything under it moved to new URLs; the old ones must not answer from the cache.
    if instance.live and instance_before.url_path != instance.url_path:
        purge(former_paths(instance, instance_before.url_path, instance.url_path))


def page_deleted(sender, instance, **kwargs):
    # pre_delete: the page and its ancestors are still there to read.
    if instance.live:
        purge(urls_showing(instance))


def everything_changed(sender, **kwargs):
    transaction.on_commit(pagecache.purge_all)
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

        roots = {root_url for _path, root_url in _site_roots()}
        transaction.on_commit(lambda: purge_urls_from_cache([r.rstrip("/") + "/" for r in roots]))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save, pre_delete

    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
    )

    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.connect(page_changed, sender=model, dispatch_uid=f"purge-pub-{model}")
            page_unpublished.connect(
                page_changed, sender=model, dispatch_uid=f"purge-unpub-{model}"
            )
            pre_delete.connect(page_deleted, sender=model, dispatch_uid=f"purge-del-{model}")
    post_page_move.connect(page_moved, dispatch_uid="purge-move")
    page_slug_changed.connect(slug_changed, dispatch_uid="purge-slug")
    # Shown on many pages (footer, member list, bylines): drop the local copies of everything.
    for label in ("cms.SiteSettings", "home.Municipality", "home.Person"):
        model = apps.get_model(label)
        post_save.connect(everything_changed, sender=model, dispatch_uid=f"purge-save-{label}")
        post_delete.connect(everything_changed, sender=model, dispatch_uid=f"purge-del-{label}")
