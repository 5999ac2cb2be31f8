"""Security headers for the public site: Content-Security-Policy (django-csp) and
Permissions-Policy.

The public pages carry no inline script or style (they live in static files), so the policy needs
no nonce and a page cache can keep the HTML as it is. The Wagtail admin (its previews included) is
left out of the strict policy (CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]): it relies on
inline scripts and styles of its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

from django.conf import settings


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, plus the origins of MEDIA_URL and STATIC_URL when they are served
    from elsewhere (object storage, a CDN) and of SITE_BASE_URL, read when the response is made."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        media, static = _origin(settings.MEDIA_URL), _origin(settings.STATIC_URL)
        # The newsletter's web version uses the absolute image URLs of its email (SITE_BASE_URL).
        site = _origin(getattr(settings, "SITE_BASE_URL", ""))
        extra = {}
        for origin in dict.fromkeys(o for o in (media, site) if o):
            extra.setdefault("img-src", []).append(origin)
            extra.setdefault("media-src", []).append(origin)
        if static:
            for directive in ("img-src", "style-src", "script-src", "font-src"):
                extra.setdefault(directive, []).append(static)
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                existing = update.get(directive) or []
                existing = [existing] if isinstance(existing, str) else list(existing)
                update[directive] = existing + sources
            parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Turns off browser features the site never uses, for every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
