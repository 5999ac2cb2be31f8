"""Conditional GETs for the API: ETag, Last-Modified, 304 and Cache-Control.

The ETag is a hash of the body, so it changes whenever anything the response shows changes
(a teaser's target retitled, a listing's page unpublished), with no bookkeeping. 304 answers
`If-None-Match` only: a page's `Last-Modified` is its last publication, which says nothing about
the other pages its body shows, so `If-Modified-Since` alone always gets the full answer.

`api_urls_for_page()` names the API URLs that show a page, for purging shared caches.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags


def max_age() -> int:
    return int(getattr(settings, "API_CACHE_MAX_AGE", 60))


def shared_max_age() -> int:
    return int(getattr(settings, "API_CACHE_SHARED_MAX_AGE", 300))


def content_etag(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:40]
    return f'"{digest}"'


def conditional(request, response, last_modified=None):
    """Give a rendered 200 response to a GET its validators and cache lifetime; answer 304
    when the client's `If-None-Match` matches. Other responses pass through unchanged."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if "no-store" in response.headers.get("Cache-Control", ""):
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    etag = content_etag(response.content)
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=max_age(), s_maxage=shared_max_age())
    patch_vary_headers(response, ["Accept-Encoding"])
    if "HTTP_IF_NONE_MATCH" not in request.META:
        return response
    # Weak comparison (RFC 9110 13.1.2): a proxy that compressed the body marks our tag W/.
    if not parse_etags(request.META["HTTP_IF_NONE_MATCH"]):
        return response
    return get_conditional_response(request, etag=etag, response=response)


def private(response):
    """Responses that must never be stored by any cache (draft previews)."""
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


def api_urls_for_page(page) -> list[str]:
    """Every API URL that shows `page` in its canonical form, absolute (for a purge): its
    detail, the listing of all pages, of its type, of its parent's children, and both
    together. A client that adds other parameters (fields=, search=, order=…) is served from
    shared caches for at most API_CACHE_SHARED_MAX_AGE seconds."""
    base = settings.WAGTAILAPI_BASE_URL.rstrip("/")
    listing = f"{base}/api/v2/pages/"
    label = page.specific_class._meta.label if page.specific_class else page._meta.label
    urls = [f"{listing}{page.pk}/", listing, f"{listing}?{urlencode({'type': label})}"]
    parent_id = page.get_parent().pk if page.depth > 1 else None
    if parent_id:
        urls.append(f"{listing}?{urlencode({'child_of': parent_id})}")
        urls.append(f"{listing}?{urlencode({'type': label, 'child_of': parent_id})}")
    return urls
