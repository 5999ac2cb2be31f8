"""Wagtail hooks for the issue editor: the readiness checklist panel's styles, and what a chosen
article fills in."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wagtail import hooks

CHECKLIST_CSS = """
.issue-checklist__list { list-style: none; margin: 0 0 1rem; padding: 0; }
.issue-checklist__list li { display: flex; gap: .5rem; align-items: baseline; margin: .25rem 0; }
.issue-checklist__list[data-level="error"] li { color: var(--w-color-critical-200, #cd4444); }
.issue-checklist__list[data-level="warning"] li { color: var(--w-color-text-context, inherit); }
.issue-checklist__list .icon { width: 1em; height: 1em; flex: none; }
.issue-article-fill { margin: .5rem 0 0; font-size: .875rem; }
"""


@hooks.register("insert_editor_css")
def issue_checklist_css():
    return format_html("<style>{}</style>", CHECKLIST_CSS)


# -- sections from articles ------------------------------------------------------------------
# Choosing an article in a lead story or teaser shows, in the form, what its empty fields will
# be filled with (newsletter/rendering/sections.py fills them when the issue is rendered).


def article_fill_view(request, pk):
    from home.models import ArticlePage

    article = get_object_or_404(
        ArticlePage.objects.select_related("listing_image", "hero_image"), pk=pk
    )
    if not article.permissions_for_user(request.user).can_edit() and not article.live:
        raise PermissionDenied
    image = article.listing_image or article.hero_image
    return JsonResponse(
        {
            "title": article.teaser_title,
            "summary": article.listing_summary or article.search_description,
            "image": image.title if image else "",
        }
    )


@hooks.register("register_admin_urls")
def register_article_fill_url():
    return [
        path(
            "newsletter/articles/<int:pk>/fill/",
            article_fill_view,
            name="newsletter_article_fill",
        )
    ]


@hooks.register("insert_editor_js")
def article_fill_js():
    return format_html(
        '<script src="{}" data-fill-url="{}" data-intro="{}" data-title="{}" data-summary="{}" '
        'data-image="{}" defer></script>',
        static("js/issue-article-fill.js"),
        reverse("newsletter_article_fill", args=[0]),
        _("Fields left empty are filled from the article:"),
        _("title"),
        _("summary"),
        _("image"),
    )
