"""The editor's Publish of an issue: refused with the checklist's errors on screen, and warnings
acknowledged first ("Jag har sett varningarna" in the checklist panel).

Wagtail runs `before_publish_page` in the create and edit views after saving the draft revision
and before publishing: the editor's work is kept as a draft, nothing goes live, nothing is synced.
The rule itself is newsletter.services.publish_gate (also applied by NewsletterIssuePage.publish).
"""

from __future__ import annotations

from django.contrib import messages as django_messages
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.messages import render

from newsletter.models import NewsletterIssuePage
from newsletter.services import publish_gate

ACKNOWLEDGE_FIELD = "acknowledge-warnings"


@hooks.register("register_log_actions")
def register_publish_log_actions(actions):
    label = gettext_lazy("Issue not published: the checklist has errors")
    actions.register_action("newsletter.issue.publish_blocked", label, label)


def _items(items):
    return format_html(
        '<ul class="errorlist" data-publish-blocked>{}</ul>',
        format_html_join("", "<li>{}</li>", ((item.message,) for item in items)),
    )


def _back_to_edit(page):
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_publish_page")
def refuse_publishing_with_errors(request, page):
    if not isinstance(page, NewsletterIssuePage):
        return None
    # The form's full_clean computed the checklist from exactly this content in this request.
    checklist = page.checklist if page.readiness else page.update_readiness()
    if publish_gate.publish_refusal(page, checklist) is not None:
        django_messages.error(
            request,
            render(
                _(
                    "The issue was not published. Fix these problems first (your changes are saved "
                    "as a draft):"
                ),
                None,
                detail=_items(checklist.errors),
            ),
        )
        return _back_to_edit(page)
    if checklist.warnings and not request.POST.get(ACKNOWLEDGE_FIELD):
        django_messages.warning(
            request,
            render(
                _(
                    "The issue was not published yet. Check the warnings, tick “I have seen the "
                    "warnings” under “Ready to send?” and publish again (your changes are saved as "
                    "a draft):"
                ),
                None,
                detail=_items(checklist.warnings),
            ),
        )
        return _back_to_edit(page)
    return None
