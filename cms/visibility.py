"""Which pages anyone may see: live, and not behind a view restriction (login, groups, password)
on the page or an ancestor. The one rule for every place that shows another page's title, URL or
summary (the API's resolved page choosers, buttons on the site, teasers in the newsletter on the
web and in the email). It reads pages already loaded: no query of its own while no page has a view
restriction (almost always on this site)."""

from __future__ import annotations

import contextlib

from django.core.cache import cache
from django.db import transaction
from django.utils.html import escape

from wagtail.models import PageViewRestriction
from wagtail.rich_text.pages import PageLinkHandler

VIEW_RESTRICTIONS_KEY = "pagecache:any-view-restrictions"


def any_view_restrictions() -> bool:
    """Whether any page has a view restriction. Kept in the shared cache, dropped whenever a
    restriction is saved or deleted (home.apps), so page views skip that query."""
    found = cache.get(VIEW_RESTRICTIONS_KEY)
    if found is None:
        found = PageViewRestriction.objects.exists()
        cache.set(VIEW_RESTRICTIONS_KEY, found, 3600)
    return found


def view_restrictions_changed(sender, **kwargs):
    cache.delete(VIEW_RESTRICTIONS_KEY)
    # Again after the commit: a request between the two may have read the old answer.
    transaction.on_commit(lambda: cache.delete(VIEW_RESTRICTIONS_KEY))


def _restricted_paths(request=None) -> list[str]:
    """Tree paths of the pages with a view restriction (few), kept for one request."""
    cached = getattr(request, "_restricted_page_paths", None) if request is not None else None
    if cached is not None:
        return cached
    paths = (
        list(PageViewRestriction.objects.values_list("page__path", flat=True))
        if any_view_restrictions()
        else []
    )
    if request is not None:
        with contextlib.suppress(AttributeError):
            request._restricted_page_paths = paths
    return paths


def is_visible(page, request=None, restricted_paths: list[str] | None = None) -> bool:
    """Whether anyone may see this (loaded) page."""
    if page is None or not page.live:
        return False
    if restricted_paths is None:
        restricted_paths = _restricted_paths(request)
    return not any(page.path.startswith(path) for path in restricted_paths)


def visible_pages(pages, request=None) -> set[int]:
    """The ids of the (loaded) pages anyone may see."""
    pages = [page for page in pages if page is not None]
    if not pages:
        return set()
    restricted = _restricted_paths(request)
    return {page.pk for page in pages if is_visible(page, restricted_paths=restricted)}


class PublicPageLinkHandler(PageLinkHandler):
    """Rich-text links to pages, as Wagtail expands them, except that a link to a draft or
    login-restricted page keeps its text but loses its URL (on the site and in the API)."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        pages = cls.get_many(attrs_list)
        visible = visible_pages(pages)
        return [
            f'<a href="{escape(page.localized.url)}">' if page and page.pk in visible else "<a>"
            for page in pages
        ]


def public(queryset):
    """`queryset.public()` without its query of all view restrictions while there are none."""
    return queryset.public() if any_view_restrictions() else queryset
