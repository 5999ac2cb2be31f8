"""Absolute URLs and UTM parameters for everything an email links to."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings

MERGE_TAG = re.compile(r"^\*\|[A-Z0-9_:]+\|\*$")
UNTOUCHED_SCHEMES = ("mailto:", "tel:", "sms:")
OWN_HOSTS_EXTRA = {"smakom.se", "www.smakom.se"}


# The logo as the mails show it: a PNG (mail clients do not show SVG) drawn from logo.svg by
# scripts/make_logo_png.py at twice the size it is shown.
LOGO_STATIC_PATH = "img/logo-email.png"
LOGO_SIZE = 48


def logo(organisation: str = "SmåKom") -> dict:
    """The logo's <img> attributes for a mail: absolute URL, size and alt text."""
    from django.templatetags.static import static
    from django.utils.translation import gettext

    src = static(LOGO_STATIC_PATH)
    if src.startswith("//"):
        src = f"{urlsplit(base_url()).scheme or 'https'}:{src}"
    elif src.startswith("/"):
        src = base_url() + src
    return {
        "src": src,
        "width": LOGO_SIZE,
        "height": LOGO_SIZE,
        "alt": gettext("%(organisation)s logo") % {"organisation": organisation},
    }


def is_merge_tag(url: str) -> bool:
    return bool(MERGE_TAG.match(url.strip()))


def base_url() -> str:
    """The public site's origin, without a trailing slash."""
    return (settings.SITE_BASE_URL or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


class LinkPolicy:
    """How one rendering writes URLs: always absolute; UTM tagged on our own pages in email."""

    def __init__(self, *, utm_campaign: str = "", utm: bool = True):
        self.utm_campaign = utm_campaign
        self.utm = utm and bool(utm_campaign)
        self.base = base_url()

    @cached_property
    def own_hosts(self) -> set[str]:
        from wagtail.models import Site

        hosts = {urlsplit(self.base).hostname or ""} | OWN_HOSTS_EXTRA
        hosts |= set(Site.objects.values_list("hostname", flat=True))
        return {h.lower() for h in hosts if h}

    def absolute(self, url: str | None) -> str:
        """Root-relative and protocol-relative URLs become absolute; anything else is kept."""
        url = (url or "").strip()
        if not url or is_merge_tag(url) or url.startswith(UNTOUCHED_SCHEMES):
            return url
        if url.startswith("//"):
            return f"{urlsplit(self.base).scheme or 'https'}:{url}"
        if url.startswith("/"):
            return self.base + url
        return url

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme in {"http", "https"} and (parts.hostname or "").lower() in self.own_hosts
        )

    def link(self, url: str | None) -> str:
        """A link target: absolute, and with UTM parameters when it points at our own site."""
        url = self.absolute(url)
        if not url or not self.utm or not self.is_own(url):
            return url
        return add_utm(url, self.utm_campaign)

    def asset(self, url: str | None) -> str:
        """An image or other asset: absolute, never tagged."""
        return self.absolute(url)


def add_utm(url: str, campaign: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.startswith("utm_") for key, _value in query):
        return url
    query += [("utm_source", "nyhetsbrev"), ("utm_medium", "email"), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query)))


def is_well_formed_external(url: str) -> bool:
    """An address a mail client can open: http(s) with a dotted host, mailto/tel, or a merge tag."""
    url = (url or "").strip()
    if is_merge_tag(url):
        return True
    if url.startswith(("mailto:", "tel:")):
        return len(url.split(":", 1)[1]) > 2 and " " not in url
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and "." in host and not host.startswith(".")
