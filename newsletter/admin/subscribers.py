"""Subscribers in the Wagtail admin: list, filters, search, CSV export and import, GDPR export
and erasure, and the dashboard figures."""

from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.admin.widgets.button import MenuItem as ListingMenuItem
from wagtail.snippets.widgets import AdminSnippetChooser

from cms.exports import SafeSpreadsheetExportMixin
from home.models import Municipality
from newsletter import audience_sync
from newsletter.forms import ImportForm, ShownValuesMixin
from newsletter.models import (
    MailchimpErasure,
    MailchimpWebhookEvent,
    Subscriber,
    SubscriberEvent,
)
from newsletter.models.subscribers import INTERESTS
from newsletter.services import subscribers as service
from newsletter.services import tombstones

Status = Subscriber.Status


class SubscriberForm(ShownValuesMixin, WagtailAdminModelForm):
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Interests"),
        choices=INTERESTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscriber
        fields = [
            "email",
            "first_name",
            "last_name",
            "organisation",
            "municipality",
            "role",
            "tags",
        ]
        # Some 290 municipalities: a chooser with search, not a long drop-down.
        widgets = {"municipality": AdminSnippetChooser(Municipality)}

    # Rendered as a hidden input (not a panel field).
    shown = forms.CharField(widget=forms.HiddenInput, required=False)  # ShownValuesMixin

    shown_salt = "newsletter.admin.subscriber-form.shown"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.track_shown_values(self.instance.pk, self._meta.fields)

    def clean_email(self):
        try:
            email = service.clean_address(self.cleaned_data["email"])
        except service.AddressError as exc:
            raise forms.ValidationError(str(exc)) from exc
        others = Subscriber.objects.with_emails([email]).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a subscriber with this address."))
        if (not self.instance.pk or "email" in self.changed_data) and tombstones.is_buried(email):
            # As the CSV import: consent given elsewhere does not outweigh an erasure request.
            raise forms.ValidationError(
                _(
                    "This address was erased at the person's request. Only they can subscribe "
                    "it again, through the sign-up form on the website."
                )
            )
        return email


# Who the person is and where they stand: shown first in both the export and the inspect view.
PROFILE_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "organisation",
    "municipality",
    "role",
    "status",
    "cleaned_reason",
    "source",
    "tags",
]


class SubscriberIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Import CSV"),
                    url=reverse("newsletter_subscribers:import"),
                    icon_name="upload",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.status in (Status.PENDING, Status.SUBSCRIBED):
            buttons.append(
                ListingMenuItem(
                    _("Unsubscribe"),
                    url=reverse("newsletter_subscribers:unsubscribe", args=[instance.pk]),
                    icon_name="cross",
                    priority=24,
                )
            )
        buttons.append(
            ListingMenuItem(
                _("Export data (JSON)"),
                url=reverse("newsletter_subscribers:export_json", args=[instance.pk]),
                icon_name="download",
                priority=25,
            )
        )
        return buttons


class SubscriberCreateView(generic.CreateView):
    def save_instance(self):
        # Added by an editor who has the person's consent: subscribed, on its way to Mailchimp.
        instance = self.form.save(commit=False)
        instance.status = Status.SUBSCRIBED
        instance.source = Subscriber.Source.ADMIN
        instance.consent_text = _("Added by an editor (consent given elsewhere).")
        instance.mailchimp_needs_push = True
        instance.save()
        SubscriberEvent.objects.create(
            subscriber=instance, from_status="", to_status=Status.SUBSCRIBED, source="admin"
        )
        audience_sync.schedule_push(instance)
        return instance


class SubscriberEditView(generic.EditView):
    def save_instance(self):
        # Only what the editor changed, on the row read again under lock: an unsubscribe that
        # arrived while the form was open survives, and a new address moves the Mailchimp member.
        values = {
            name: self.form.cleaned_data[name]
            for name in self.form.changed_data
            if name in service.PROFILE_FIELDS
        }
        service.save_profile(self.object, values, source="admin")
        self.object.refresh_from_db()
        return self.object


class SubscriberEraseView(generic.DeleteView):
    """Deleting a subscriber is the GDPR erasure: local delete + Mailchimp delete-permanent."""

    page_title = gettext_lazy("Erase")
    success_message = gettext_lazy("All data about the subscriber has been erased.")

    @property
    def confirmation_message(self):
        return _(
            "Erase %(email)s? Everything we store about the person is deleted, here and in "
            "Mailchimp. This cannot be undone; only a log entry without personal data remains."
        ) % {"email": self.object.email}

    def delete_action(self):
        service.erase(self.object, by="admin")


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "mail"
    menu_label = gettext_lazy("Subscribers")
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "newsletter/subscribers"
    url_namespace = "newsletter_subscribers"
    form_fields = SubscriberForm.Meta.fields
    index_view_class = SubscriberIndexView
    add_view_class = SubscriberCreateView
    edit_view_class = SubscriberEditView
    delete_view_class = SubscriberEraseView
    inspect_view_enabled = True
    list_display = [
        "email",
        Column("full_name", label=gettext_lazy("Name")),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
        "municipality",
        Column("source", label=gettext_lazy("source"), accessor="get_source_display"),
        DateColumn("created_at", label=gettext_lazy("created")),
    ]
    list_filter = ["status", "municipality", "source"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    search_backend_name = None  # plain database lookups: the model is not in the search index
    list_export = [*PROFILE_FIELDS, "signup_at", "confirmed_at", "created_at"]
    export_filename = "prenumeranter"
    inspect_view_fields = [
        *PROFILE_FIELDS,
        "consent_text",
        "signup_at",
        "signup_ip",
        "signup_user_agent",
        "confirmed_at",
        "confirm_ip",
        "confirm_user_agent",
        "mailchimp_needs_push",
        "mailchimp_pushed_at",
        "mailchimp_last_error",
    ]

    def get_form_class(self, for_update=False):
        return SubscriberForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", self.import_view, name="import"),
            path("export-json/<int:pk>/", self.export_json_view, name="export_json"),
            path("unsubscribe/<int:pk>/", self.unsubscribe_view, name="unsubscribe"),
            path("erasures/", self.erasures_view, name="erasures"),
        ]

    def _require(self, request, action):
        if not self.permission_policy.user_has_permission(request.user, action):
            raise PermissionDenied

    def import_view(self, request):
        self._require(request, "add")
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            # One byte more than allowed is enough to refuse a file that is too large.
            report = service.import_csv(
                form.cleaned_data["file"].read(service.IMPORT_MAX_BYTES + 1)
            )
            messages.success(
                request,
                _("Import finished: %(created)s new, %(updated)s updated, %(rejected)s rejected.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "rejected": len(report.rejected),
                },
            )
        return TemplateResponse(
            request,
            "newsletter/subscribers/admin/import.html",
            {
                "form": form,
                "report": report,
                "index_url": reverse("newsletter_subscribers:index"),
                "page_title": _("Import subscribers"),
            },
            status=200 if form.is_bound is False or form.is_valid() else 400,
        )

    def export_json_view(self, request, pk):
        self._require(request, "change")
        sub = get_object_or_404(Subscriber.objects.select_related("municipality"), pk=pk)
        body = json.dumps(service.export_data(sub), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="prenumerant-{sub.pk}.json"'
        response["Cache-Control"] = "private, no-store"
        return response

    def unsubscribe_view(self, request, pk):
        """GET asks, POST unsubscribes (e.g. someone who asked by phone or email)."""
        self._require(request, "change")
        sub = get_object_or_404(Subscriber, pk=pk)
        if request.method == "POST":
            service.unsubscribe(sub, source="admin", detail={"by": "admin"})
            messages.success(request, _("%(email)s has been unsubscribed.") % {"email": sub.email})
            return redirect("newsletter_subscribers:index")
        return TemplateResponse(
            request,
            "newsletter/subscribers/admin/unsubscribe.html",
            {
                "subscriber": sub,
                "index_url": reverse("newsletter_subscribers:index"),
                "page_title": _("Unsubscribe"),
            },
        )

    def erasures_view(self, request):
        """Erasures Mailchimp has not carried out; an administrator may mark one resolved (e.g.
        after deleting the contact by hand in Mailchimp)."""
        self._require(request, "delete")
        if request.method == "POST":
            done = MailchimpErasure.objects.filter(
                pk=request.POST.get("resolve") or 0, resolved_at__isnull=True
            ).update(resolved_at=timezone.now(), resolved_by=request.user.get_username()[:150])
            if done:
                messages.success(request, _("The erasure has been marked as resolved."))
            return redirect("newsletter_subscribers:erasures")
        return TemplateResponse(
            request,
            "newsletter/subscribers/admin/erasures.html",
            {
                "erasures": MailchimpErasure.objects.filter(resolved_at__isnull=True).order_by(
                    "pk"
                ),
                "index_url": reverse("newsletter_subscribers:index"),
                "page_title": _("Erasures pending in Mailchimp"),
            },
        )


subscriber_viewset = SubscriberViewSet("newsletter_subscribers")


@hooks.register("register_admin_viewset")
def register_subscriber_viewset():
    return subscriber_viewset


class SubscriberDashboardPanel(Component):
    name = "newsletter_subscribers"
    template_name = "newsletter/subscribers/admin/dashboard_panel.html"
    order = 120

    def get_context_data(self, parent_context):
        since = timezone.now() - timedelta(days=30)
        recent = SubscriberEvent.objects.filter(applied=True, occurred_at__gte=since)
        return {
            "subscribed": Subscriber.objects.filter(status=Status.SUBSCRIBED).count(),
            "pending": Subscriber.objects.filter(status=Status.PENDING).count(),
            "signups_30": recent.filter(to_status=Status.SUBSCRIBED).count(),
            "unsubscribes_30": recent.filter(
                to_status__in=[Status.UNSUBSCRIBED, Status.CLEANED]
            ).count(),
            "index_url": reverse("newsletter_subscribers:index"),
            # Mailchimp's events normally apply within seconds: older ones mean a stopped worker
            # or a failing event (`manage.py mailchimp_webhook inbox` shows why).
            "webhook_unapplied": MailchimpWebhookEvent.objects.filter(
                processed_at__isnull=True, received_at__lt=timezone.now() - timedelta(minutes=5)
            ).count(),
            # Unsubscribes Mailchimp has not taken yet after a failed push (e.g. a rotated key):
            # until they go through, those people could still be mailed.
            "unsubscribes_waiting": Subscriber.objects.filter(
                mailchimp_needs_push=True,
                status__in=[Status.UNSUBSCRIBED, Status.CLEANED],
                mailchimp_push_attempts__gt=0,
            ).count(),
            "erasures_pending": MailchimpErasure.objects.filter(
                resolved_at__isnull=True, attempts__gt=0
            ).count(),
            "erasures_url": reverse("newsletter_subscribers:erasures"),
        }


@hooks.register("construct_homepage_panels")
def add_subscriber_panel(request, panels):
    if request.user.has_perm("newsletter.view_subscriber") or request.user.has_perm(
        "newsletter.change_subscriber"
    ):
        panels.append(SubscriberDashboardPanel())
