"""The v2 endpoints: pages, images, documents and member municipalities."""

import math

from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from django.db.models import prefetch_related_objects

from taggit.managers import TaggableManager
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.search.backends.base import BaseSearchResults

from home.models import Municipality
from search.query import RankedResults

from .caching import conditional
from .exposed import LISTING_DEFAULTS, api_fields_for
from .fields import LoadedTagsField, load_tag_names
from .filters import (
    DateRangeFilter,
    FieldsFilter,
    MunicipalityFilter,
    SafeOrderingFilter,
    SearchFilter,
    TagsFilter,
    TreeFilter,
    UpcomingFilter,
    model_field,
)
from .ratelimit import AnonymousRateThrottle

# Deeper than anyone pages by hand; keeps OFFSET within what every database accepts.
MAX_OFFSET = 10_000

COMMON_PARAMETERS = frozenset(["limit", "offset", "fields", "order", "search", "search_operator"])


class BoundedPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        raw = request.GET.get("offset", "0")
        if raw.isdigit() and int(raw) > MAX_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        if isinstance(queryset, BaseSearchResults):
            # One ranked full-text query for both the page and the total count.
            queryset = RankedResults(queryset)
        return super().paginate_queryset(queryset, request, view)


class SafeQueryMixin:
    """JSON only, bounded paging, any value the database rejects answers 400, not 500;
    conditional GETs (ETag, 304, Cache-Control) and the anonymous clients' rate limit."""

    renderer_classes = [JSONRenderer]
    pagination_class = BoundedPagination
    throttle_classes = [AnonymousRateThrottle]

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return conditional(request, response, getattr(self, "last_modified", None))

    def handle_exception(self, exc):
        if isinstance(exc, Throttled):
            wait = math.ceil(exc.wait or 1)
            return Response(
                {"message": f"too many requests: try again in {wait} seconds"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        if isinstance(exc, (ValidationError, ValueError, OverflowError, DataError, FieldError)):
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return Response(
                {"message": f"invalid query: {message}"}, status=status.HTTP_400_BAD_REQUEST
            )
        return super().handle_exception(exc)

    def get_serializer_class(self):
        # Built from the request's ?fields=; asked for again by paginate_queryset below.
        if not hasattr(self, "_serializer_class"):
            self._serializer_class = super().get_serializer_class()
        return self._serializer_class

    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        # `?fields=_` starts from no fields; every item still carries its id (the schema requires
        # it, and a client cannot follow up on an item without one).
        if not nested and fields_config and fields_config[0][0] == "_":
            fields_config = [fields_config[0], ("id", False, None), *fields_config[1:]]
        return super()._get_serializer_class(
            router, model, fields_config, show_details=show_details, nested=nested
        )

    def paginate_queryset(self, queryset):
        # Load the related objects a listing shows (images, municipalities, locale, tags) for
        # the whole page at once, not one query per item; search hits arrive as a list, so
        # this runs after paging.
        items = super().paginate_queryset(queryset)
        if items:
            related, tags = self.related_fields(type(items[0]))
            prefetch_related_objects(items, *related)
            for field in tags:
                load_tag_names(items, field)
        return items

    def related_fields(self, model) -> tuple[list[str], list[TaggableManager]]:
        """The relations among the fields this request shows, and its tag fields apart:
        Wagtail's TagsField would query prefetched tags again."""
        related, tags = [], []
        for name in self.get_serializer_class().Meta.fields:
            field = model_field(model, name)
            if isinstance(field, TaggableManager):
                tags.append(field)
            elif field is not None and (field.many_to_one or field.many_to_many):
                related.append(name)
        return related, tags

    @classmethod
    def get_field_serializer_overrides(cls, model):
        overrides = super().get_field_serializer_overrides(model)
        for name in cls.get_body_fields_names(model) + cls.get_meta_fields_names(model):
            if name not in overrides and isinstance(model_field(model, name), TaggableManager):
                overrides[name] = LoadedTagsField(read_only=True)
        return overrides

    @classmethod
    def get_body_fields(cls, model):
        return cls._convert_api_fields(cls.body_fields + list(api_fields_for(model)))

    @classmethod
    def get_listing_default_fields(cls, model):
        defaults = super().get_listing_default_fields(model)
        return defaults + [f for f in LISTING_DEFAULTS.get(model, []) if f not in defaults]


class PagesEndpoint(SafeQueryMixin, PagesAPIViewSet):
    filter_backends = [
        FieldsFilter,
        TagsFilter,
        TreeFilter,
        DateRangeFilter,
        UpcomingFilter,
        MunicipalityFilter,
        SafeOrderingFilter,
        SearchFilter,  # last: search results cannot be filtered further
    ]
    known_query_parameters = COMMON_PARAMETERS.union(
        [
            "type",
            "child_of",
            "ancestor_of",
            "descendant_of",
            "site",
            "date_from",
            "date_to",
            "upcoming",
            "municipality",
            "tags",
            "_",
        ]
    )

    def get_base_queryset(self):
        # Wagtail asks for the visible pages three times per request, each time querying the
        # view restrictions and the site again; once is enough.
        if not hasattr(self, "_base_queryset"):
            self._base_queryset = super().get_base_queryset()
        return self._base_queryset.all()

    def detail_view(self, request, pk):
        response = super().detail_view(request, pk)
        # When the page was last published; only informative (see api.caching).
        self.last_modified = getattr(self.get_object(), "last_published_at", None)
        return response


class ImagesEndpoint(SafeQueryMixin, ImagesAPIViewSet):
    filter_backends = [FieldsFilter, SafeOrderingFilter, SearchFilter]
    known_query_parameters = COMMON_PARAMETERS.union(["_"])


class DocumentsEndpoint(SafeQueryMixin, DocumentsAPIViewSet):
    filter_backends = [FieldsFilter, SafeOrderingFilter, SearchFilter]
    known_query_parameters = COMMON_PARAMETERS.union(["_"])


class MunicipalitiesEndpoint(SafeQueryMixin, BaseAPIViewSet):
    """SmåKom's member municipalities: ?county=<län>, ?search=, ?order=name|-population …"""

    filter_backends = [FieldsFilter, SafeOrderingFilter, SearchFilter]
    known_query_parameters = COMMON_PARAMETERS.union(["_"])
    name = "municipalities"
    model = Municipality

    def get_queryset(self):
        return Municipality.objects.filter(is_member=True).order_by("name", "id")
