"""Email rendering of a newsletter issue: MJML (compiled with mjml-python) and plain text.

    render_email(page, *, backend="mailchimp") -> RenderedEmail(subject, preheader, html, text)

`page` may be a saved page, a revision's object (`page.live_revision.as_object()`) or an unsaved
preview. No network calls; a bounded number of queries however many sections.
"""

from .email import BACKENDS, RenderedEmail, render_email

__all__ = ["BACKENDS", "RenderedEmail", "render_email"]
