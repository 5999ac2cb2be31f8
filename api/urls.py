"""/api/v2/: Wagtail's API v2 with our endpoints, and its OpenAPI description."""

from django.http import JsonResponse
from django.urls import path, re_path

from wagtail.api.v2.router import WagtailAPIRouter

from .endpoints import DocumentsEndpoint, ImagesEndpoint, MunicipalitiesEndpoint, PagesEndpoint
from .openapi import openapi_view
from .preview import PreviewView

router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", PagesEndpoint)
router.register_endpoint("images", ImagesEndpoint)
router.register_endpoint("documents", DocumentsEndpoint)
router.register_endpoint("municipalities", MunicipalitiesEndpoint)


class PagePreviewEndpoint(PreviewView, PagesEndpoint):
    """GET /api/v2/preview/?token=…: the draft a preview token names."""


preview_view = router.wrap_view(PagePreviewEndpoint.as_view({"get": "preview_view"}))


def not_found(request, *args, **kwargs):
    # API clients get JSON for any unknown address under /api/, not the site's HTML 404 page.
    return JsonResponse({"message": "not found"}, status=404)


# No app_name: the router reverses its own "wagtailapi:…" names.
urlpatterns = [
    path("v2/openapi.json", openapi_view, name="api_openapi"),
    path("v2/preview/", preview_view, name="api_preview"),
    path("v2/", router.urls),
    re_path(r"^.*$", not_found),
]
