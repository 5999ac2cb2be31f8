"""“Nytt nummer från det som publicerats sedan förra numret”: from the newsletter archive's
page menu, a page that lists what would go in (GET) and creates the draft issue (POST), then
opens it in the editor."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.widgets import Button

from newsletter.models import NewsletterIndexPage
from newsletter.services import issue_drafts

LABEL = gettext_lazy("New issue from what was published since the last one")


def _index_for(request, pk):
    index = get_object_or_404(NewsletterIndexPage, pk=pk)
    if not index.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    return index


def new_issue_view(request, pk):
    index = _index_for(request, pk)
    published = issue_drafts.published_since_last_issue()
    if request.method == "POST":
        issue = issue_drafts.create_draft_issue(index, request.user, published)
        if issue is None:
            messages.info(request, _("Nothing new has been published since the last issue."))
            return redirect("wagtailadmin_explore", index.pk)
        messages.success(
            request,
            _(
                "Draft “%(title)s” created with %(count)s teasers. Nothing is sent until you send it."
            )
            % {"title": issue.title, "count": len(issue.body)},
        )
        return redirect("wagtailadmin_pages:edit", issue.pk)
    return TemplateResponse(
        request,
        "newsletter/admin/new_issue.html",
        {
            "page_title": LABEL,
            "index": index,
            "published": published,
            "title": issue_drafts.issue_title(timezone.localdate()),
            "explore_url": reverse("wagtailadmin_explore", args=[index.pk]),
        },
    )


@hooks.register("register_admin_urls")
def register_new_issue_url():
    return [
        path("newsletter/<int:pk>/new-issue/", new_issue_view, name="newsletter_new_issue"),
    ]


def _new_issue_button(page, user, priority):
    if not isinstance(page.specific_deferred, NewsletterIndexPage):
        return []
    if not page.permissions_for_user(user).can_add_subpage():
        return []
    return [
        Button(
            LABEL,
            url=reverse("newsletter_new_issue", args=[page.pk]),
            icon_name="mail",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def new_issue_header_button(page, user, view_name=None, next_url=None):
    # In the archive's “…” menu (its listing and its edit view).
    return _new_issue_button(page, user, priority=12)


@hooks.register("register_page_listing_more_buttons")
def new_issue_listing_button(page, user, next_url=None):
    # In the archive's row where its parent is listed (the home page's children).
    return _new_issue_button(page, user, priority=12)
