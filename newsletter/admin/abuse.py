"""The dashboard warning when a sign-up limit that protects others tripped (per domain, global):
either someone is using our form against a domain or us, or a real rush needs a higher limit."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone

from wagtail import hooks
from wagtail.admin.ui.components import Component

from newsletter import ratelimit


class SignupLimitPanel(Component):
    name = "newsletter_signup_limits"
    template_name = "newsletter/subscribers/admin/signup_limit_panel.html"
    order = 110

    def __init__(self, trips: dict[str, dict]):
        self.trips = trips

    def get_context_data(self, parent_context):
        def when(iso):
            try:
                return formats.date_format(
                    timezone.localtime(datetime.fromisoformat(iso)), "j F H:i"
                )
            except (TypeError, ValueError):
                return ""

        return {
            "domain": self.trips.get("signup_domain"),
            "global": self.trips.get("signup_global"),
            "domain_at": when((self.trips.get("signup_domain") or {}).get("at")),
            "global_at": when((self.trips.get("signup_global") or {}).get("at")),
        }


@hooks.register("construct_homepage_panels")
def add_signup_limit_panel(request, panels):
    if not (
        request.user.has_perm("newsletter.view_subscriber")
        or request.user.has_perm("newsletter.change_subscriber")
    ):
        return
    trips = ratelimit.recent_trips()
    if trips:
        panels.append(SignupLimitPanel(trips))
