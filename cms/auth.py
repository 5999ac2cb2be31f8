"""Admin login and password-reset throttling (django-axes for logins, our cache limiter for
password-reset mails), with Swedish responses."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from cms.clientip import client_ip


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login through a web request.

    Without a request (Django's test client `login()`, management commands) there is no visitor
    to throttle: axes would refuse outright, so the check is skipped and the next backend decides.
    Every web login (Wagtail's login form, the API) passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same client address as everywhere else."""
    return client_ip(request)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a Swedish page, status 429."""
    cool_off = get_cool_off(request)
    context = {
        "cooloff_timedelta": cool_off,
        "cooloff_minutes": max(1, int(cool_off.total_seconds() // 60)) if cool_off else None,
    }
    return TemplateResponse(request, "cms/login_throttled.html", context, status=429).render()


class PasswordResetThrottleMiddleware:
    """Wagtail's "forgot password" form sends a mail per request: limit it per client network
    and per address, so nobody can flood an editor's inbox or probe addresses at speed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse("wagtailadmin_password_reset"):
            from newsletter import ratelimit

            email = (request.POST.get("email") or "").strip().lower()[:254]
            if not ratelimit.hit("password_reset_ip", ratelimit.ip_key(request)) or (
                email and not ratelimit.hit("password_reset_email", email)
            ):
                return TemplateResponse(
                    request, "cms/login_throttled.html", {"password_reset": True}, status=429
                ).render()
        return self.get_response(request)
