"""The page cache: anonymous GETs of public pages are answered from the cache (Redis, or a
file cache under var/ shared by the gunicorn workers), and a CDN or Varnish in front may keep
them too. Publishing, unpublishing, moving or deleting a page purges every URL that shows it
(`cms.purge`), here and, through Wagtail's frontend cache, in Varnish or the CDN.

What is never cached: anything but GET/HEAD, requests carrying a session or messages cookie
(logged-in editors, previews, a visitor in the middle of a form) or an Authorization header,
the admin, the subscriber pages and webhooks (`PAGE_CACHE_EXCLUDE`), and every response that is
not a plain 200 for everybody (sets a cookie, used a CSRF token, says private/no-cache/no-store).

Keys: one per scheme, host, path and query string (less tracking parameters), under two
generations (one for the path, one for the whole site), so purging a path also drops its query
variants (`?sida=2`, `?tag=`) without listing them, and `purge_all()` drops everything at once.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, QueryDict
from django.utils.cache import cc_delim_re, patch_cache_control

HEADER = "X-Page-Cache"
_ALL = "pagecache:gen:*"
# Response headers kept with a cached page (never Set-Cookie, Vary or per-request ones).
_KEPT_HEADERS = {
    "content-type",
    "content-language",
    "content-disposition",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "content-security-policy",
    "strict-transport-security",
    "link",
}


# Query parameters that only tell analytics where a visitor came from (the newsletter's links
# carry utm_*; Mailchimp, Facebook, Google and Bing add their own): dropped before the key is
# made and before the view sees the request, so every click from one newsletter is one copy,
# not one per link variant, and no cached page repeats them in its own links.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = {"mc_cid", "mc_eid", "fbclid", "gclid", "msclkid"}


def without_tracking(query: str) -> str:
    kept = []
    for part in query.split("&"):
        name = part.split("=", 1)[0].lower()
        if part and not (name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)):
            kept.append(part)
    return "&".join(kept)


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _generation_key(path: str) -> str:
    return "pagecache:gen:" + hashlib.sha256(path.encode()).hexdigest()[:40]


def _page_key(origin: str, path: str, query: str, generations: tuple[str, str]) -> str:
    digest = hashlib.sha256(f"{origin}{path}?{query}".encode()).hexdigest()[:40]
    return f"pagecache:page:{generations[0]}:{generations[1]}:{digest}"


def _generations(path: str) -> tuple[str, str]:
    """The site's and the path's current generations. One that is missing (never set, or
    evicted: a full file cache culls, Redis may evict) starts afresh rather than at a fixed
    value: copies kept under an older generation, from before a purge, must stay unreachable."""
    cache = _cache()
    gen_key = _generation_key(path)
    found = cache.get_many([_ALL, gen_key])
    missing = [key for key in (_ALL, gen_key) if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_generation(), None if key == _ALL else _generation_timeout())
        found.update(cache.get_many(missing))
    return str(found.get(_ALL) or _new_generation()), str(found.get(gen_key) or _new_generation())


def _generation_timeout() -> int:
    # Longer than any copy made under it lives.
    return max(seconds(), 1) * 2 + 60


def _new_generation() -> str:
    return f"{time.time_ns():x}"


def purge_paths(paths) -> None:
    """Drop the cached copies of these paths (with any query string)."""
    generations = {_generation_key(p): _new_generation() for p in set(paths)}
    _cache().set_many(generations, _generation_timeout())


def purge_all() -> None:
    """Drop every cached page (site settings or a snippet shown on many pages changed)."""
    _cache().set(_ALL, _new_generation(), None)


def is_excluded(path: str) -> bool:
    return path.startswith(tuple(getattr(settings, "PAGE_CACHE_EXCLUDE", ())))


def _origin(request) -> str | None:
    """Scheme and host of the request, part of the key: a page names its own host (absolute
    URLs, the sitemap in robots.txt) and each Wagtail site has its own pages at the same paths.
    None for a host ALLOWED_HOSTS does not list: such a request is never answered from (or
    stored in) the cache, so the stack refuses it as it would without the cache."""
    try:
        return f"{request.scheme}://{request.get_host().lower()}"
    except DisallowedHost:
        return None


def _request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or is_excluded(request.path):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False  # a client that authenticates itself gets its own answer
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _response_is_cacheable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token: it belongs to one visitor
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    return not control & {"private", "no-cache", "no-store"}


def _public_headers(response) -> None:
    """What a CDN needs to keep the page: public, short for browsers (they cannot be purged),
    longer for shared caches (they are purged on publish). Vary only on what the page varies
    on for an anonymous visitor: a CDN must bypass requests that carry the session cookie, and
    with one language the page does not vary on Accept-Language."""
    patch_cache_control(
        response,
        public=True,
        max_age=getattr(settings, "PAGE_CACHE_BROWSER_SECONDS", 60),
        s_maxage=seconds(),
    )
    ignored = {"cookie"}
    if len(settings.LANGUAGES) == 1:
        # LocaleMiddleware adds it, but with one language every visitor gets the same page (and
        # this cache's key ignores it): a CDN or Varnish would keep a copy per browser setting.
        ignored.add("accept-language")
    vary = [
        v for v in cc_delim_re.split(response.get("Vary", "")) if v and v.lower() not in ignored
    ]
    if vary:
        response["Vary"] = ", ".join(vary)
    elif response.has_header("Vary"):
        del response["Vary"]


class PageCacheMiddleware:
    """Placed right after WhiteNoise: a hit skips sessions, CSRF, auth and the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if seconds() <= 0 or not _request_is_cacheable(request):
            response = self.get_response(request)
            if (
                seconds() > 0
                and request.method in ("GET", "HEAD")
                and not is_excluded(request.path)
            ):
                # An editor's or a form-filler's copy: never kept by a shared cache.
                patch_cache_control(response, private=True)
            return response
        origin = _origin(request)
        if origin is None:
            return self.get_response(request)
        path, query = request.path, request.META.get("QUERY_STRING", "")
        if query and (cleaned := without_tracking(query)) != query:
            query = request.META["QUERY_STRING"] = cleaned
            request.GET = QueryDict(cleaned)
        generations = _generations(path)
        key = _page_key(origin, path, query, generations)
        cached = _cache().get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["Content-Length"] = str(len(content))
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not _response_is_cacheable(request, response):
            # One visitor's page (a CSRF token, a cookie, personal data): no shared cache may
            # keep it either.
            patch_cache_control(response, private=True)
        elif request.method == "GET" and _response_is_cacheable(request, response):
            _public_headers(response)
            headers = [(k, v) for k, v in response.items() if k.lower() in _KEPT_HEADERS]
            headers += [(k, response[k]) for k in ("Cache-Control", "Vary") if k in response]
            _cache().set(key, (response.status_code, headers, response.content), seconds())
            response[HEADER] = "miss"
        return response
