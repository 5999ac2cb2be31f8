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
from django.http import HttpResponseForbidden, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
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
from newsletter.admin.stockholm_time import (
    QuarterHourPicker,
    StockholmDateTimeField,
    now_in_stockholm,
    suggested_time,
)
from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage, Subscriber
from newsletter.panels import CampaignStatusPanel as _CampaignStatusPanel
from newsletter.services import campaigns as service
from newsletter.services import publish_and_send, segments, send_readiness
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
    when = StockholmDateTimeField(
        label=gettext_lazy("Send at (Swedish time)"),
        error_messages={"invalid": gettext_lazy("Give a date and time as YYYY-MM-DD HH:MM.")},
    )


# ---------------------------------------------------------------------------------------------
# Views


def _issue_for(request, page_id) -> NewsletterIssuePage:
    page = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _back(page, request=None):
    """To the status page, or to the issue's editor when the form came from the dialog there."""
    if request is not None and request.POST.get("next") == "edit":
        return redirect("wagtailadmin_pages:edit", page.pk)
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
    pending = send_readiness.is_pending(campaign, page)
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
        "pending": pending,
        "unfulfilled_intent": publish_and_send.unfulfilled_intent(campaign, pending),
        "state_url": reverse("newsletter_campaign:state", args=[page.pk]),
    }


def status_view(request, page_id):
    page = _issue_for(request, page_id)
    context = status_context(page, request.user)
    context.update(header_context(page, _("Newsletter mailing")))
    context.update(
        {
            "test_form": TestForm(initial={"emails": request.user.email}),
            "schedule_form": ScheduleForm(initial={"when": suggested_time()}),
            "now_stockholm": now_in_stockholm(),
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
        return _back(page, request)
    try:
        campaign, emails = service.request_test(page, form.cleaned_data["emails"], request.user)
    except service.SenderRequired:
        raise _NotSender from None
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page, request)
    tasks.enqueue(tasks.send_test_campaign, campaign.pk, emails, request.user.pk)
    messages.success(
        request, _("The test email to %(emails)s is on its way.") % {"emails": ", ".join(emails)}
    )
    return _back(page, request)


@_senders_only
@require_POST
def schedule_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date and time."))
        return _back(page, request)
    when: datetime = form.cleaned_data["when"]
    try:
        campaign, rounded = service.request_schedule(page, when, user=request.user)
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page, request)
    tasks.enqueue(tasks.schedule_campaign, campaign.pk, rounded.isoformat(), request.user.pk)
    _scheduled_message(request, when, rounded)
    return _back(page, request)


def _scheduled_message(request, when, rounded) -> None:
    """A success, in green; the quarter-hour rounding is part of it, not a warning."""
    when_text = service._format_time(rounded)
    if rounded != when.replace(second=0, microsecond=0) or when.second:
        messages.success(
            request,
            _("Mailchimp sends only on the quarter hour, so the issue is scheduled for %(when)s.")
            % {"when": when_text},
        )
    else:
        messages.success(request, _("The issue is scheduled for %(when)s.") % {"when": when_text})


@_senders_only
@require_POST
def unschedule_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    try:
        campaign = service.request_unschedule(page, user=request.user)
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page, request)
    tasks.enqueue(tasks.unschedule_campaign, campaign.pk, request.user.pk)
    messages.success(request, _("The issue will no longer be sent at the scheduled time."))
    return _back(page, request)


@_senders_only
def send_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    if request.method == "POST":
        try:
            campaign, key = service.request_send(page)
        except service.CampaignRefused as refused:
            messages.error(request, refused.message)
            return _back(page, request)
        tasks.enqueue(tasks.send_campaign, campaign.pk, key, request.user.pk)
        messages.success(request, _("The newsletter is being sent."))
        return _back(page, request)
    context = status_context(page, request.user)
    context["refusals"] = send_readiness.send_refusals(page, request.user, context["campaign"])
    context.update(header_context(page, _("Send the newsletter")))
    return TemplateResponse(request, "newsletter/admin/campaign_send_confirm.html", context)


@_senders_only
@require_POST
def retry_view(request, page_id):
    page = _issue_for(request, page_id)
    campaign = Campaign.objects.filter(page_id=page.pk).first()
    if campaign and campaign.publish_send_intent:
        return _redo_publish_and_send(request, page)
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
        return _back(page, request)
    tasks.enqueue_operation(campaign.pk, operation, args, request.user.pk)
    messages.success(request, _("Trying again."))
    return _back(page, request)


def _redo_publish_and_send(request, page):
    """ "Publicera och skicka" not carried out: bring the campaign up to date and send or
    schedule it as the sender asked, again (a sender's decision: senders only)."""
    try:
        campaign_id, operation, when_iso = publish_and_send.request_redo(page, request.user)
    except service.SenderRequired:
        raise _NotSender from None
    except service.CampaignRefused as refused:
        messages.error(request, refused.message)
        return _back(page, request)
    tasks.enqueue(tasks.send_after_publish, campaign_id, operation, when_iso, request.user.pk)
    messages.success(request, _("Trying again."))
    return _back(page, request)


@_senders_only
@require_POST
def recipients_view(request, page_id):
    page = _issue_for(request, page_id)
    _require_sender(request)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=service.campaign_for(page).pk)
        if campaign.status in (CampaignStatus.SENT, CampaignStatus.SENDING):
            messages.error(request, _("The recipients of a sent issue cannot be changed."))
            return _back(page, request)
        form = RecipientsForm(request.POST, instance=campaign)
        if not form.is_valid():
            messages.error(request, _("Check the recipients."))
            return _back(page, request)
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
    return _back(page, request)


def state_view(request, page_id):
    """The campaign panel's state as HTML and whether a change is pending (polled by
    static/js/campaign-status.js until settled)."""
    page = _issue_for(request, page_id)
    context = status_context(page, request.user)
    html = render_to_string("newsletter/admin/_campaign_state.html", context, request=request)
    campaign = context["campaign"]
    return JsonResponse(
        {
            "status": campaign.status if campaign else "none",
            "pending": context["pending"],
            "html": html,
        }
    )


class PublishAndSendForm(forms.Form):
    """Send now, or at a Swedish wall-clock time (Europe/Stockholm, whatever the browser)."""

    operation = forms.ChoiceField(
        choices=[(publish_and_send.SEND, "send"), (publish_and_send.SCHEDULE, "schedule")]
    )
    when = StockholmDateTimeField(
        required=False,
        # The picker's calendar opens inside the dialog (Wagtail's focus trap, above the overlay).
        widget=QuarterHourPicker(
            attrs={"id": "publish-send-when", "aria-describedby": "publish-send-when-help"},
            js_overlay_parent_selector="#publish-send-dialog",
        ),
        error_messages={"invalid": gettext_lazy("Give a date and time as YYYY-MM-DD HH:MM.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("operation") != publish_and_send.SCHEDULE:
            data["when"] = None
        elif not data.get("when") and "when" not in self.errors:
            raise forms.ValidationError(
                _("Give a date and time (YYYY-MM-DD HH:MM) in Swedish time.")
            )
        return data


DIALOG_RETRY_KEY = "newsletter_publish_send_retry"


def _back_to_dialog(request, page, error: str):
    """Refused: back to the issue with the dialog open again, the sender's own input in it and
    the reason beside it (also as the page's message)."""
    messages.error(request, error)
    request.session[DIALOG_RETRY_KEY] = {
        "page_id": page.pk,
        "when": request.POST.get("when", "")[:100],
        "operation": request.POST.get("operation", "")[:20],
        "error": error,
    }
    return redirect("wagtailadmin_pages:edit", page.pk)


def _dialog_retry(request, page) -> dict | None:
    """The refused input to show again, once (only on this issue's editor)."""
    session = getattr(request, "session", None)
    if session is None or DIALOG_RETRY_KEY not in session:
        return None
    retry = session.get(DIALOG_RETRY_KEY) or {}
    if retry.get("page_id") != page.pk:
        return None
    del session[DIALOG_RETRY_KEY]
    return retry


@_senders_only
@require_POST
def publish_send_view(request, page_id):
    """ "Publicera och skicka": publish if needed, then send now or schedule; the work is queued."""
    page = _issue_for(request, page_id)
    _require_sender(request)
    form = PublishAndSendForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return _back_to_dialog(request, page, " ".join(errors))
    when = form.cleaned_data["when"]
    try:
        decision = publish_and_send.request_publish_and_send(page, request.user, when)
    except service.SenderRequired:
        raise _NotSender from None
    except service.CampaignRefused as refused:
        return _back_to_dialog(request, page, refused.message)
    campaign = decision.campaign
    if decision.published:
        when_iso = decision.when.isoformat() if decision.when else None
        tasks.enqueue(
            tasks.send_after_publish, campaign.pk, decision.operation, when_iso, request.user.pk
        )
    elif decision.send_key:
        tasks.enqueue(tasks.send_campaign, campaign.pk, decision.send_key, request.user.pk)
    else:
        tasks.enqueue(
            tasks.schedule_campaign, campaign.pk, decision.when.isoformat(), request.user.pk
        )
    if decision.operation == publish_and_send.SCHEDULE:
        if decision.published:
            messages.success(
                request,
                _("The issue is published and will be scheduled for %(when)s (Swedish time).")
                % {"when": service._format_time(service.round_up_to_quarter(decision.when))},
            )
        else:
            _scheduled_message(request, when, decision.when)
    elif decision.published:
        messages.success(request, _("The issue is published and the newsletter is being sent."))
    else:
        messages.success(request, _("The newsletter is being sent."))
    return redirect("wagtailadmin_pages:edit", page.pk)


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
        path("<int:page_id>/state/", state_view, name="state"),
        path("<int:page_id>/publish-and-send/", publish_send_view, name="publish_send"),
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


def estimated_recipients(campaign) -> int | None:
    """Before Mailchimp has counted a campaign's recipients: the segment's member count from the
    fetched list, or for the whole audience the subscribers the CMS has as subscribed."""
    if campaign is not None and campaign.recipient_count is not None:
        return None
    if campaign is not None and campaign.segment_id:
        segment = segments.cached().find(campaign.segment_id)
        return segment.member_count if segment else None
    return Subscriber.objects.filter(status=Subscriber.Status.SUBSCRIBED).count()


def publish_send_context(page, user) -> dict:
    """What the "Publicera och skicka" dialog shows: the issue's latest version, as saved."""
    from newsletter.services.campaigns import site_settings_for

    campaign = Campaign.objects.filter(page_id=page.pk).first()
    site_settings = site_settings_for(page)
    checklist = page.checklist
    # The dialog publishes and brings the campaign up to date itself, and shows the checklist of
    # the version it would publish (not the live one's).
    skip = send_readiness.publish_step_messages()
    refusals = [
        reason
        for reason in send_readiness.send_refusals(page, user, campaign, checklist=False)
        if reason not in skip
    ]
    try:
        publish_and_send.require_no_intent_on_its_way(campaign, page)
    except service.CampaignRefused as refused:
        refusals.append(refused.message)
    return {
        "issue": page,
        "campaign": campaign,
        "estimated_recipients": estimated_recipients(campaign),
        "from_name": site_settings.from_name,
        "reply_to": site_settings.reply_to,
        "checklist_errors": checklist.errors,
        "checklist_warnings": checklist.warnings,
        "refusals": refusals,
        "can_publish": page.permissions_for_user(user).can_publish(),
        "needs_publish": not page.live or page.has_unpublished_changes,
        "now_stockholm": now_in_stockholm(),
        "publish_form": PublishAndSendForm(initial={"when": suggested_time()}),
        "test_form": TestForm(initial={"emails": user.email}),
        "publish_send_url": reverse("newsletter_campaign:publish_send", args=[page.pk]),
        "test_url": reverse("newsletter_campaign:test", args=[page.pk]),
        "address_limit": service.test_max_addresses(),
        "test_domains": ", ".join(service.test_allowed_domains()),
    }


class PublishAndSendMenuItem(ActionMenuItem):
    """Opens the dialog (Wagtail's own) with everything a send needs, in one place."""

    label = gettext_lazy("Publish and send…")
    name = "action-publish-and-send"
    icon_name = "mail"
    template_name = "newsletter/admin/publish_send_menu_item.html"

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, NewsletterIssuePage)
            and can_send(context["request"].user)
        )

    @property
    def media(self):
        # Wagtail's date/time picker script, whatever panels the editor has.
        return PublishAndSendForm().media

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        page = parent_context["page"]
        context.update(publish_send_context(page, request.user))
        retry = _dialog_retry(request, page)
        if retry is not None:
            form = PublishAndSendForm(initial={"when": retry["when"]} if retry["when"] else {})
            form.fields["when"].widget.attrs.update(
                {
                    "aria-invalid": "true",
                    "aria-describedby": "publish-send-error publish-send-when-help",
                }
            )
            context["publish_form"] = form
            context["publish_error"] = retry["error"]
        # Wagtail renders menu items without the request's context processors: the dialog's own
        # forms need the CSRF token put in by hand (the test client doesn't check it; browsers do).
        context["csrf_token"] = get_token(request)
        return context


@hooks.register("register_page_action_menu_item")
def register_publish_send_menu_item():
    return PublishAndSendMenuItem(order=55)


@hooks.register("insert_editor_js")
def campaign_status_js():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script>',
        static("js/campaign-status.js"),
        static("js/publish-send.js"),
    )


# The panel lives in newsletter/panels.py (the page model imports it); re-exported here.
CampaignStatusPanel = _CampaignStatusPanel
