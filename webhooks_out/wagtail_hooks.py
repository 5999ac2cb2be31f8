"""Publish webhooks in the admin (Settings menu, administrators only): endpoints to edit, and
the delivery log (read-only) with status, attempts and response time."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import WebhookDelivery, WebhookEndpoint


class EndpointViewSet(SnippetViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Endpoints")
    list_display = [
        "name",
        "url",
        Column("events", label=_("events"), accessor="events"),
        BooleanColumn("is_active", label=_("active")),
    ]
    list_filter = ["is_active"]
    ordering = ["name"]
    panels = [
        "name",
        "url",
        "secret",
        "on_published",
        "on_unpublished",
        "on_deleted",
        "on_issue_sent",
        "is_active",
    ]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The log is written by the deliveries; administrators may read and delete it."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class DeliveryViewSet(SnippetViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = _("Deliveries")
    inspect_view_enabled = True
    list_display = [
        DateColumn("created_at", label=_("created")),
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_status",
        "response_ms",
        DateColumn("next_attempt_at", label=_("next attempt")),
    ]
    list_filter = ["status", "event", "endpoint"]
    ordering = ["-created_at"]
    list_per_page = 50


register_permission_policy(WebhookDelivery, ReadOnlyPolicy(WebhookDelivery))


class WebhooksGroup(SnippetViewSetGroup):
    items = (EndpointViewSet, DeliveryViewSet)
    menu_icon = "link-external"
    menu_label = _("Publish webhooks")
    menu_name = "webhooks"


register_snippet(WebhooksGroup)
