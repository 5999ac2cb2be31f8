"""The issue as an email: MJML templates under templates/email/, compiled with mjml-python."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mjml import mjml2html

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as date_format

from newsletter.services import audience_settings

from .links import base_url, logo
from .sections import Prepared, prepare
from .text import render_text

# Colours are explicit everywhere (text and background) so clients that invert for dark mode keep
# the contrast; the head also declares a light-only colour scheme.
COLOURS = {
    # The site's palette (static/css/site.css :root): one colour scheme for site and mail.
    "page": "#f2f6f8",
    "paper": "#ffffff",
    "text": "#1d2b36",
    "muted": "#4a5a66",
    "accent": "#0b4f6c",
    "accent_text": "#ffffff",
    "rule": "#d5dee4",
    "footer": "#f2f6f8",
    "tips": "#f2f6f8",
}


@dataclass(frozen=True)
class Backend:
    """What the sending service fills in: merge tags for Mailchimp, real values elsewhere."""

    name: str
    unsubscribe: str | None  # None: our own public unsubscribe page
    address: str | None  # None: SiteSettings.postal_address, as Mailchimp's address line prints it
    reason: str | None = None  # None: SiteSettings.newsletter_reason


BACKENDS = {
    # Mailchimp fills the address and the reason from the audience's contact and permission
    # reminder, which the site settings are pushed to (newsletter.services.audience_settings).
    "mailchimp": Backend(
        "mailchimp",
        unsubscribe="*|UNSUB|*",
        address="*|LIST:ADDRESSLINE|*",
        reason="*|LIST:DESCRIPTION|*",
    ),
    # Previews and the browser version: real links, the same footer from the site settings.
    "preview": Backend("preview", unsubscribe=None, address=None),
}


@dataclass
class RenderedEmail:
    subject: str
    preheader: str
    html: str
    text: str
    # What the rendering was built from, for the readiness checklist.
    prepared: Prepared | None = field(default=None, repr=False, compare=False)
    backend: str = "mailchimp"
    unsubscribe_url: str = ""
    address: str = ""
    # The site's postal address, whatever the backend put in the footer (Mailchimp: a merge tag).
    site_address: str = ""


def _style(tag: str, style: str):
    pattern = re.compile(rf"<{tag}(\s[^>]*)?>")

    def add(match):
        attrs = match.group(1) or ""
        if "style=" in attrs:
            return match.group(0)
        return f'<{tag}{attrs} style="{style}">'

    return pattern, add


RICH_STYLES = [
    _style("a", f"color:{COLOURS['accent']};text-decoration:underline;"),
    _style("p", "margin:0 0 12px 0;"),
    _style("h3", f"margin:16px 0 8px 0;font-size:18px;line-height:1.3;color:{COLOURS['text']};"),
    _style("h4", f"margin:12px 0 6px 0;font-size:16px;line-height:1.3;color:{COLOURS['text']};"),
    _style("ul", "margin:0 0 12px 0;padding:0 0 0 22px;"),
    _style("ol", "margin:0 0 12px 0;padding:0 0 0 22px;"),
    _style("li", "margin:0 0 4px 0;"),
]


def email_styles(html: str) -> str:
    """Inline styles on rich text, since many clients drop <style> rules."""
    for pattern, add in RICH_STYLES:
        html = pattern.sub(add, html)
    return html


def unsubscribe_page_url() -> str:
    """Previews and the browser version have no subscriber, so no token: a page that says where
    the personal link is."""
    return base_url() + reverse("newsletter:unsubscribe_help")


def issue_url(page) -> str:
    """The issue's public address (for "view in browser"), also for an unsaved page."""
    url = None
    if getattr(page, "url_path", None):
        url = page.get_url()
    if not url and page.slug:
        from newsletter.models import NewsletterIndexPage

        index = NewsletterIndexPage.objects.live().first()
        index_url = index.get_url() if index else "/nyhetsbrev/"
        url = f"{(index_url or '/nyhetsbrev/').rstrip('/')}/{page.slug}/"
    return url or "/"


def get_site_settings():
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site) if site else SiteSettings()


def preview_address(site_settings) -> str:
    """The postal address as the sent email shows it (*|LIST:ADDRESSLINE|* of the audience's
    contact, which is pushed from the same site settings)."""
    if not (site_settings.postal_address or "").strip():
        return ""
    return audience_settings.address_line(audience_settings.contact_from_settings(site_settings))


def build_context(page, *, backend: str = "mailchimp", utm: bool = True) -> dict:
    spec = BACKENDS[backend]
    site_settings = get_site_settings()
    prepared = prepare(page, utm=utm, site_settings=site_settings)
    policy_link = prepared.policy.link
    for section in prepared.sections:
        section.email_html = email_styles(section.html)
        for item in section.items:
            if isinstance(item, dict) and "html" in item:
                item["email_html"] = email_styles(item["html"])
    unsubscribe = spec.unsubscribe or unsubscribe_page_url()
    address = spec.address if spec.address is not None else preview_address(site_settings)
    subject = page.subject or page.title
    return {
        "page": page,
        "subject": subject,
        "preheader": page.preheader,
        "issue_date": date_format(page.issue_date, "j F Y") if page.issue_date else "",
        "intro_html": email_styles(prepared.intro_html),
        "sections": prepared.sections,
        "prepared": prepared,
        "site_settings": site_settings,
        "organisation": site_settings.organisation_name or "SmåKom",
        "logo": logo(site_settings.organisation_name or "SmåKom"),
        "view_url": policy_link(issue_url(page)),
        "home_url": policy_link("/"),
        "unsubscribe_url": unsubscribe,
        "address": address,
        "address_lines": [line.strip() for line in address.splitlines() if line.strip()],
        "reason": spec.reason
        if spec.reason is not None
        else audience_settings.reason(site_settings),
        "social": [
            (label, url)
            for label, url in [
                ("Facebook", site_settings.facebook_url),
                ("Instagram", site_settings.instagram_url),
                ("LinkedIn", site_settings.linkedin_url),
            ]
            if url
        ],
        "colours": COLOURS,
        "backend": spec.name,
    }


def render_email(page, *, backend: str = "mailchimp") -> RenderedEmail:
    context = build_context(page, backend=backend)
    source = render_to_string("email/issue.mjml", context)
    html = mjml2html(source, disable_comments=True)
    text = render_text(context)
    return RenderedEmail(
        subject=context["subject"],
        preheader=context["preheader"],
        html=html,
        text=text,
        prepared=context["prepared"],
        backend=backend,
        unsubscribe_url=context["unsubscribe_url"],
        address=context["address"],
        site_address=context["site_settings"].postal_address.strip(),
    )


def render_mjml_source(page, *, backend: str = "mailchimp") -> str:
    return render_to_string("email/issue.mjml", build_context(page, backend=backend))
