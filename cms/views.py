"""Wagtail's page view with faster routing (see `home.models.pages.route_below`)."""

from django.http import Http404

from wagtail import views as wagtail_views
from wagtail.models import Site


def serve(request, path):
    """Route below the site root without loading the home page as its own type first (Wagtail
    asks `site.root_page.specific.route(...)`); Wagtail's view then serves the cached route. The
    Site, its home page and its settings come from the per-process copies (`cms.sitecache`)."""
    from cms import sitecache
    from home.models.pages import route_below

    sitecache.use_for_request(request)
    components = [part for part in path.split("/") if part]
    if components and not hasattr(request, "_wagtail_route_for_request"):
        site = Site.find_for_request(request)
        if site is not None:
            try:
                request._wagtail_route_for_request = route_below(
                    site.root_page, request, components
                )
            except Http404:
                request._wagtail_route_for_request = None
    return wagtail_views.serve(request, path)
