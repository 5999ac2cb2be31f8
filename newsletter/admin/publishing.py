"""The editor's Publish of an issue: refused with the checklist's errors on screen, and warnings
acknowledged first ("Jag har sett varningarna": a dialog on Publish from any tab, or the checkbox
in the checklist panel).

Wagtail runs `before_publish_page` in the create and edit views after saving the draft revision
and before publishing: the editor's work is kept as a draft, nothing goes live, nothing is synced.
The rule itself is newsletter.services.publish_gate (also applied by NewsletterIssuePage.publish).
"""

from __future__ import annotations

from django.contrib import messages as django_messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.messages import render
from wagtail.admin.modal_workflow import render_modal_workflow

from newsletter.models import NewsletterIssuePage
from newsletter.services import publish_gate

ACKNOWLEDGE_FIELD = "acknowledge-warnings"


@hooks.register("register_log_actions")
def register_publish_log_actions(actions):
    label = gettext_lazy("Issue not published: the checklist has errors")
    actions.register_action("newsletter.issue.publish_blocked", label, label)


@hooks.register("insert_editor_js")
def publish_warnings_js():
    from django.templatetags.static import static

    return format_html('<script src="{}" defer></script>', static("js/publish-warnings.js"))


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
    if unacknowledged_warnings(checklist, request.POST.get(ACKNOWLEDGE_FIELD, "")):
        # The edit page opens the warnings dialog again on this message (publish-warnings.js).
        django_messages.warning(
            request,
            render(
                _(
                    "The issue was not published yet. Check the warnings and confirm that you "
                    "have seen them (your changes are saved as a draft):"
                ),
                None,
                detail=format_html(
                    "<div data-publish-warnings-refused>{}</div>", _items(checklist.warnings)
                ),
            ),
        )
        return _back_to_edit(page)
    return None


def unacknowledged_warnings(checklist, acknowledged: str) -> list:
    """The warnings the editor has not confirmed seeing. The acknowledgement names the codes the
    editor was shown, so a warning that appeared since (unsaved edits) is asked about again."""
    seen = {code.strip() for code in acknowledged.split(",") if code.strip()}
    return [item for item in checklist.warnings if item.code not in seen]


class PublishRefusedMiddleware:
    """A publish refused by the model guard (NewsletterIssuePage.publish) somewhere in the admin,
    most often a workflow approval that would publish: Wagtail has no hook before a workflow
    finishes, so the refusal comes as IssueNotPublishable from inside the view (its transaction
    rolls the approval back). Shown to the editor as the checklist's errors, in Swedish, on the
    issue's edit page — never a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, publish_gate.IssueNotPublishable) or not exception.page_id:
            return None
        workflow = (
            "workflow" in request.resolver_match.url_name if request.resolver_match else False
        )
        workflow = workflow or "action-workflow-action" in request.POST
        intro = (
            _(
                "The issue was not approved and not published: its checklist has errors. Fix "
                "these problems first (any changes are saved as a draft):"
            )
            if workflow
            else _("The issue was not published. Fix these problems first:")
        )
        django_messages.error(
            request, render(intro, None, detail=_items(exception.checklist.errors))
        )
        edit_url = reverse("wagtailadmin_pages:edit", args=[exception.page_id])
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's workflow modal follows a "success" step's redirect.
            return render_modal_workflow(
                request, "", None, {}, json_data={"step": "success", "redirect": edit_url}
            )
        return HttpResponseRedirect(edit_url)


def _issues_to_bulk_publish(objects, include_descendants: bool):
    """Every issue Wagtail's bulk Publish would publish: the selected pages and, when asked, their
    draft descendants (as PublishBulkAction.execute_action walks them)."""
    for page in objects:
        specific = page.specific
        if isinstance(specific, NewsletterIssuePage):
            yield specific
        if include_descendants:
            yield from NewsletterIssuePage.objects.descendant_of(page).not_live()


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_issues_with_errors(request, action_type, objects, action):
    """Bulk Publish runs in one transaction: one issue with errors would undo all of it behind a
    message about that issue alone. Check them all first; publish nothing and name every issue
    that holds the rest back."""
    if action_type != "publish":
        return None
    form = getattr(action, "cleaned_form", None)
    include_descendants = bool(form and form.cleaned_data.get("include_descendants"))
    refused = []
    for issue in _issues_to_bulk_publish(objects, include_descendants):
        revision = issue.get_latest_revision()
        checklist = publish_gate.publish_refusal(revision.as_object() if revision else issue)
        if checklist is not None:
            refused.append((issue, checklist))
    if not refused:
        return None
    detail = format_html(
        '<ul class="errorlist" data-publish-blocked>{}</ul>',
        format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (issue.title, " ".join(item.message for item in checklist.errors))
                for issue, checklist in refused
            ),
        ),
    )
    django_messages.error(
        request,
        render(
            _(
                "Nothing was published: these issues have checklist errors. Fix them, or "
                "publish the other pages without them:"
            ),
            None,
            detail=detail,
        ),
    )
    return redirect(action.next_url)
