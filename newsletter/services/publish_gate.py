"""An issue whose checklist has errors is never published: the one rule, and its exception.

Every publish path asks `publish_refusal`: the editor's Publish (create and edit views, through
Wagtail's `before_publish_page` hook in newsletter/admin/publishing.py), and everything that calls
`revision.publish()` — a workflow approval, `publish_scheduled` at the go-live time, code — through
`NewsletterIssuePage.publish`. Saving a draft with errors stays allowed. No network calls.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from newsletter.checklist import Checklist, check_issue

logger = logging.getLogger(__name__)


class IssueNotPublishable(ValidationError):
    """Publishing refused; `.checklist` holds the errors (Swedish messages)."""

    def __init__(self, checklist: Checklist, page_id: int | None = None):
        self.checklist = checklist
        self.page_id = page_id  # where the admin sends the editor back to
        super().__init__(refusal_message(checklist))


def refusal_message(checklist: Checklist) -> str:
    return _("The issue cannot be published: %(errors)s") % {
        "errors": " ".join(item.message for item in checklist.errors)
    }


def publish_refusal(issue, checklist: Checklist | None = None) -> Checklist | None:
    """The checklist if `issue` (a page object holding the content to publish) may not go live,
    else None. Pass `checklist` when it was computed from that same content already."""
    checklist = checklist if checklist is not None else check_issue(issue)
    return checklist if checklist.has_errors else None


def require_publishable(issue) -> None:
    checklist = publish_refusal(issue)
    if checklist is not None:
        raise IssueNotPublishable(checklist, page_id=issue.pk)


def hold_scheduled_go_live(revision, checklist: Checklist) -> None:
    """A go-live reached with errors: the revision stays a draft, its go-live is cancelled (so the
    campaign it scheduled is unscheduled by the receiver that hears the cancel), and the page's
    history says why."""
    from wagtail.log_actions import log

    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    page = revision.content_object
    page.go_live_at = None
    type(page).objects.filter(pk=page.pk).update(go_live_at=None)
    log(
        page,
        "newsletter.issue.publish_blocked",
        revision=revision,
        data={"errors": [item.message for item in checklist.errors]},
    )
    logger.warning("issue %s: go-live held, checklist errors: %s", page.pk, checklist.codes)
