"""Wagtail admin for the newsletter: each concern registers its own hooks in newsletter/admin/."""

from newsletter.admin import (  # noqa: F401  (registers hooks)
    abuse,
    campaigns,
    issues,
    new_issue,
    publishing,
    reports,
    segments,
    subscribers,
)
