from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .ics import calendar_response
from .models import upcoming_events


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the error may be the database.
    return HttpResponseServerError(loader.get_template("500.html").render())


@require_GET
def events_ics(request):
    """Upcoming events as a calendar to subscribe to."""
    return calendar_response(request, upcoming_events(), filename="smakom-kalender.ics")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /newsletter/webhooks/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('home:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
