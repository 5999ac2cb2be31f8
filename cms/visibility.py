"""Which pages anyone may see: live, and not behind a view restriction (login, groups, password)
on the page or an ancestor. The one rule for every place that shows another page's title, URL or
summary (the API's resolved page choosers, buttons on the site, teasers in the newsletter on the
web and in the email)."""

from __future__ import annotations

import contextlib

from django.utils.html import escape

from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text.pages import PageLinkHandler


def visible_page_ids(page_ids) -> set[int]:
    """The ids among page_ids of pages anyone may see (one query)."""
    ids = {int(i) for i in page_ids if i is not None}
    if not ids:
        return set()
    return set(Page.objects.filter(pk__in=ids).live().public().values_list("pk", flat=True))


def _restricted_paths(request=None) -> list[str]:
    """Tree paths of the pages with a view restriction (few), kept for one request."""
    cached = getattr(request, "_restricted_page_paths", None) if request is not None else None
    if cached is not None:
        return cached
    paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    if request is not None:
        with contextlib.suppress(AttributeError):
            request._restricted_page_paths = paths
    return paths


def is_visible(page, request=None) -> bool:
    """Whether anyone may see this page (its restrictions read once per request)."""
    if page is None or not page.live:
        return False
    return not any(page.path.startswith(path) for path in _restricted_paths(request))


class PublicPageLinkHandler(PageLinkHandler):
    """Rich-text links to pages, as Wagtail expands them, except that a link to a draft or
    login-restricted page keeps its text but loses its URL (on the site and in the API)."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        pages = cls.get_many(attrs_list)
        visible = visible_page_ids(page.pk for page in pages if page is not None)
        return [
            f'<a href="{escape(page.localized.url)}">' if page and page.pk in visible else "<a>"
            for page in pages
        ]
