"""Wagtail admin for the newsletter: each concern registers its own hooks in newsletter/admin/."""

from newsletter.admin import abuse, campaigns, issues, subscribers  # noqa: F401  (registers hooks)
