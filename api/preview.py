"""Draft previews for a headless frontend.

The editor's preview mode "Preview in the site's frontend" shows the frontend configured in
HEADLESS_PREVIEW_URL with `?token=…` added: a signed token, valid for HEADLESS_PREVIEW_MAX_AGE
seconds, bound to one page and one revision (the draft last saved). The frontend fetches
`/api/v2/preview/?token=…` and gets that revision in the same shape as the page's
`/api/v2/pages/<id>/`. A token that is expired answers 410, one that is forged or altered 403:
never the draft. Previews are never stored by any cache.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from rest_framework import status
from rest_framework.response import Response

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Page, Revision

from .caching import private

SALT = "api.preview"
MODE = "headless"
MODE_LABEL = _("Preview in the site's frontend")


def preview_url() -> str:
    return getattr(settings, "HEADLESS_PREVIEW_URL", "")


def max_age() -> int:
    return int(getattr(settings, "HEADLESS_PREVIEW_MAX_AGE", 30 * 60))


def preview_modes() -> list[tuple[str, str]]:
    """The headless preview mode, offered only when a frontend is configured."""
    return [(MODE, MODE_LABEL)] if preview_url() else []


class PreviewTokenError(Exception):
    status_code = status.HTTP_403_FORBIDDEN


class PreviewTokenExpired(PreviewTokenError):
    status_code = status.HTTP_410_GONE


def make_token(page_id: int, revision_id: int) -> str:
    return signing.dumps({"page": page_id, "revision": revision_id}, salt=SALT)


def read_token(token: str) -> tuple[int, int]:
    """(page id, revision id) of a valid token; PreviewTokenExpired or PreviewTokenError."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as e:
        raise PreviewTokenExpired("the preview token has expired") from e
    except signing.BadSignature as e:
        raise PreviewTokenError("the preview token is not valid") from e
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), int) for k in ("page", "revision")
    ):
        raise PreviewTokenError("the preview token is not valid")
    return data["page"], data["revision"]


def frontend_url(token: str, page) -> str:
    """HEADLESS_PREVIEW_URL with the token, the page id and type added to its query."""
    parts = urlsplit(preview_url())
    extra = urlencode({"token": token, "id": page.pk, "type": page.specific_class._meta.label})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def serve_headless_preview(page, request):
    """The editor's preview panel in headless mode: the frontend in a frame, with a token for
    the draft last saved. A page never saved has no revision to show yet."""
    context = {"page": page, "max_age_minutes": max_age() // 60}
    saved = Page.objects.filter(pk=page.pk).values_list("latest_revision_id", flat=True).first()
    if page.pk and saved:
        context["frontend_url"] = frontend_url(make_token(page.pk, saved), page)
    response = TemplateResponse(request, "api/headless_preview.html", context)
    return private(response)


class PreviewView:
    """Mixed into the pages endpoint: its detail view, for the revision a token names."""

    def preview_view(self, request):
        token = request.GET.get("token", "")
        if not token:
            raise BadRequestError("token is required")
        try:
            page_id, revision_id = read_token(token)
        except PreviewTokenError as e:
            return private(Response({"message": str(e)}, status=e.status_code))
        revision = Revision.page_revisions.filter(pk=revision_id, object_id=str(page_id)).first()
        if revision is None or not Page.objects.filter(pk=page_id).exists():
            raise Http404("the previewed page no longer exists")
        self._cached_object = revision.as_object()
        serializer = self.get_serializer(self._cached_object)
        return private(Response(serializer.data))
