"""The readiness checklist panel on the issue editor (shows what was computed at the last save)."""

from django.utils.dateparse import parse_datetime

from wagtail.admin.panels import Panel


class ChecklistPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/panels/checklist.html"

        def get_context_data(self, parent_context=None):
            from newsletter.checklist import Checklist

            context = super().get_context_data(parent_context)
            readiness = getattr(self.instance, "readiness", None) or {}
            checklist = Checklist.from_json(readiness)
            context.update(
                {
                    "checked": bool(readiness),
                    "checked_at": parse_datetime(readiness.get("checked_at") or ""),
                    "errors": checklist.errors,
                    "warnings": checklist.warnings,
                }
            )
            return context


class CampaignStatusPanel(Panel):
    """Read-only Mailchimp campaign status in the issue editor: stored state only, no API call."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/campaign_panel.html"

        def get_context_data(self, parent_context=None):
            from django.utils import timezone

            from newsletter.admin.campaigns import status_context, status_url

            context = super().get_context_data(parent_context)
            page = self.instance
            if page and page.pk:
                context.update(status_context(page, self.request.user))
                context["status_url"] = status_url(page)
            context["now"] = timezone.now()
            return context
