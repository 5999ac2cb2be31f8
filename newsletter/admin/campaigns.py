"""Wagtail admin for an issue's Mailchimp campaign: status panel, editor actions, permission.

Views only read the database and enqueue tasks; every Mailchimp call happens in a task.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django import forms
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.widgets.button import Button

from newsletter.admin.segments import RecipientsForm
from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from newsletter.panels import CampaignStatusPanel as _CampaignStatusPanel
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks

SEND_PERMISSION = service.SEND_PERMISSION

LOG_ACTIONS = {
    "newsletter.campaign.synced": gettext_lazy("Newsletter campaign updated in Mailchimp"),
    "newsletter.campaign.test_sent": gettext_lazy("Newsletter test email sent"),
    "newsletter.campaign.test_failed": gettext_lazy("Newsletter test email failed"),
    "newsletter.campaign.scheduled": gettext_lazy("Newsletter scheduled"),
    "newsletter.campaign.unscheduled": gettext_lazy("Newsletter unscheduled"),
    "newsletter.campaign.go_live_cancelled": gettext_lazy(
        "Newsletter unscheduled: the scheduled publication was cancelled"
    ),
    "newsletter.campaign.send_requested": gettext_lazy("Newsletter sending started"),
    "newsletter.campaign.sent": gettext_lazy("Newsletter sent"),
    "newsletter.campaign.failed": gettext_lazy("Newsletter campaign failed"),
    "newsletter.campaign.recipients": gettext_lazy("Newsletter recipients changed"),
    "newsletter.campaign.schedule_held": gettext_lazy(
        "Newsletter not scheduled by the publication time: a sender must schedule it"
    ),
}


@hooks.register("register_log_actions")
def register_campaign_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_permissions")
def register_send_permission():
    return Permission.objects.filter(
        content_type__app_label="newsletter", codename="send_newsletter"
    )


def can_send(user) -> bool:
    return service.may_send(user)


class _NotSender(Exception):
    pass


def _require_sender(request) -> None:
    """Direct POSTs too: without the send permission the answer is 403, not a hidden button."""
    if not can_send(request.user):
        raise _NotSender


def _senders_only(view):
    """Answer 403 (not Wagtail's redirect to the dashboard) when a sender's action is refused."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (_NotSender, service.SenderRequired):
            return HttpResponseForbidden(
                _("Only someone allowed to send the newsletter may do this.")
            )

    return wrapped


# ---------------------------------------------------------------------------------------------
# Forms


class TestForm(forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Send a test to"),
        help_text=gettext_lazy("One or more addresses, separated by commas."),
    )

    def clean_emails(self):
        raw = self.cleaned_data["emails"].replace(";", ",").replace("\n", ",")
        return [e for e in (part.strip() for part in raw.split(",")) if e]


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


# ---------------------------------------------------------------------------------------------
# Views


def _issue_for(request, page_id) -> NewsletterIssuePage:
    page = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _back(page):
    return redirect("newsletter_campaign:status", page.pk)


def header_context(page, title) -> dict:
    """Wagtail's slim header with breadcrumbs: pages › issue › this view."""
    return {
        "header_title": f"{title}: {page.title}",
        "header_icon": "mail",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_explore_root"), "label": _("Pages")},
            {"url": reverse("wagtailadmin_pages:edit", args=[page.pk]), "label": page.title},
            {"url": "", "label": title},
        ],
    }


def status_context(page, user) -> dict:
    """Everything the status panel shows: read from the database only, never from Mailchimp."""
    campaign = Campaign.objects.filter(page_id=page.pk).select_related("synced_revision").first()
    revision, _go_live = service.content_revision(page)
    return {
        "issue": page,
        "campaign": campaign,
        "statuses": CampaignStatus,
        "content_current": bool(
            campaign and revision and campaign.synced_revision_id == revision.pk
        ),
        "can_send": can_send(user),
        "test_limit": service.test_max_per_campaign(),
        "address_limit": service.test_max_addresses(),
        "test_domains": ", ".join(service.test_allowed_domains()),
    }


def status_view(request, page_id):
    page = _issue_for(request, page_id)
    context = status_context(page, request.user)
    context.update(header_context(page, _("Newsletter mailing")))
    context.update(
        {
            "test_form": TestForm(initial={"emails": request.user.email}),
            "schedule_form": ScheduleForm(),
            "recipients_form": RecipientsForm(instance=context["campaign"]),
        }
    )
    return TemplateResponse(request, "newsletter/admin/campaign_status.html", context)


@_senders_only
@require_POST
def test_view(request, page_id):
    page = _issue_for(request, page_id)
    form = TestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the addresses for the test."))
        return _back(page)
    try:
        campaign, emails = service.request_test(page, form.cleaned_data["emails"], request.user)
    except service.SenderRequired:
        raise _NotSender from None
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page)
    tasks.enqueue(tasks.send_test_campaign, campaign.pk, emails, request.user.pk)
    messages.success(
        request, _("The test email to %(emails)s is on its way.") % {"emails": ", ".join(emails)}
    )
    return _back(page)


@_senders_only
@require_POST
def schedule_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date and time."))
        return _back(page)
    when: datetime = form.cleaned_data["when"]
    try:
        campaign, rounded = service.request_schedule(page, when, user=request.user)
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page)
    tasks.enqueue(tasks.schedule_campaign, campaign.pk, rounded.isoformat(), request.user.pk)
    when_text = service._format_time(rounded)
    if rounded != when.replace(second=0, microsecond=0) or when.second:
        messages.warning(
            request,
            _("Mailchimp sends only on the quarter hour, so the issue is scheduled for %(when)s.")
            % {"when": when_text},
        )
    else:
        messages.success(request, _("The issue is scheduled for %(when)s.") % {"when": when_text})
    return _back(page)


@_senders_only
@require_POST
def unschedule_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    try:
        campaign = service.request_unschedule(page, user=request.user)
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page)
    tasks.enqueue(tasks.unschedule_campaign, campaign.pk, request.user.pk)
    messages.success(request, _("The issue will no longer be sent at the scheduled time."))
    return _back(page)


@_senders_only
def send_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    if request.method == "POST":
        try:
            campaign, key = service.request_send(page)
        except service.CampaignRefused as refused:
            messages.error(request, refused.message)
            return _back(page)
        tasks.enqueue(tasks.send_campaign, campaign.pk, key, request.user.pk)
        messages.success(request, _("The newsletter is being sent."))
        return _back(page)
    context = status_context(page, request.user)
    context.update(header_context(page, _("Send the newsletter")))
    return TemplateResponse(request, "newsletter/admin/campaign_send_confirm.html", context)


@_senders_only
@require_POST
def retry_view(request, page_id):
    page = _issue_for(request, page_id)
    campaign = Campaign.objects.filter(page_id=page.pk).first()
    if (
        campaign
        and campaign.failed_operation in ("send", "schedule")
        and not can_send(request.user)
    ):
        raise _NotSender
    try:
        campaign = service.campaign_for(page)
        operation, args = service.request_retry(page)
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page)
    tasks.enqueue_operation(campaign.pk, operation, args, request.user.pk)
    messages.success(request, _("Trying again."))
    return _back(page)


@_senders_only
@require_POST
def recipients_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=service.campaign_for(page).pk)
        if campaign.status in (CampaignStatus.SENT, CampaignStatus.SENDING):
            messages.error(request, _("The recipients of a sent issue cannot be changed."))
            return _back(page)
        form = RecipientsForm(request.POST, instance=campaign)
        if not form.is_valid():
            messages.error(request, _("Check the recipients."))
            return _back(page)
        campaign = form.save(commit=False)
        # The campaign in Mailchimp must be updated before it can be tested or sent again.
        campaign.synced_revision = None
        campaign.recipient_count = None
        campaign.save()
    from wagtail.log_actions import log

    log(
        page,
        "newsletter.campaign.recipients",
        user=request.user,
        data={"segment_id": campaign.segment_id, "segment": campaign.segment_name},
    )
    if page.live:
        tasks.enqueue(tasks.sync_campaign, campaign.pk, request.user.pk)
    messages.success(request, _("The recipients are saved."))
    return _back(page)


@hooks.register("register_admin_urls")
def register_campaign_urls():
    from django.urls import include

    urls = [
        path("<int:page_id>/", status_view, name="status"),
        path("<int:page_id>/test/", test_view, name="test"),
        path("<int:page_id>/schedule/", schedule_view, name="schedule"),
        path("<int:page_id>/unschedule/", unschedule_view, name="unschedule"),
        path("<int:page_id>/send/", send_view, name="send"),
        path("<int:page_id>/retry/", retry_view, name="retry"),
        path("<int:page_id>/recipients/", recipients_view, name="recipients"),
    ]
    return [path("newsletter/campaign/", include((urls, "newsletter_campaign")))]


# ---------------------------------------------------------------------------------------------
# Entry points from the page: header button, action menu item, and a panel for the editor


def status_url(page) -> str:
    return reverse("newsletter_campaign:status", args=[page.pk])


@hooks.register("register_page_header_buttons")
def campaign_header_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, NewsletterIssuePage) and page.pk:
        yield Button(_("Newsletter mailing"), url=status_url(page), icon_name="mail", priority=62)


class CampaignMenuItem(ActionMenuItem):
    label = gettext_lazy("Newsletter mailing…")
    name = "action-newsletter-campaign"
    icon_name = "mail"

    def is_shown(self, context):
        page = context.get("page")
        return context["view"] == "edit" and isinstance(page, NewsletterIssuePage)

    def get_url(self, parent_context):
        return status_url(parent_context["page"])


@hooks.register("register_page_action_menu_item")
def register_campaign_menu_item():
    return CampaignMenuItem(order=60)


# The panel lives in newsletter/panels.py (the page model imports it); re-exported here.
CampaignStatusPanel = _CampaignStatusPanel
