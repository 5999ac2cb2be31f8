"""An OpenAPI 3.1 description of our v2 endpoints, built from the endpoint and field configuration.

Wagtail 8's API v3 preview (django-ninja) publishes OpenAPI for its own read/write v3
endpoints, not for v2, so we describe v2 here. It is generated from the same tables the
endpoints use (fields.API_FIELDS, the known query parameters) so it cannot drift far.
"""

from rest_framework import serializers as drf

from django.db import models
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from taggit.managers import TaggableManager
from wagtail.api import APIField
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from home.models import COUNTIES, ArticlePage, EventPage, Municipality, StandardPage
from newsletter.models import NewsletterIssuePage

from .endpoints import (
    MAX_OFFSET,
    DocumentsEndpoint,
    ImagesEndpoint,
    MunicipalitiesEndpoint,
    PagesEndpoint,
)
from .exposed import API_FIELDS
from .fields import (
    ImageDataField,
    MunicipalityRefField,
    PropertyField,
    RegistrationStateField,
    RichTextHTMLField,
    StreamDataField,
)

PAGE_TYPES = [ArticlePage, EventPage, NewsletterIssuePage, StandardPage]
LIMIT_MAX = 100

ERROR = {"$ref": "#/components/responses/BadRequest"}
NOT_FOUND = {"$ref": "#/components/responses/NotFound"}
NOT_MODIFIED = {"$ref": "#/components/responses/NotModified"}
TOO_MANY = {"$ref": "#/components/responses/TooManyRequests"}


def _param(name, schema, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


# Free text: anything but a NUL character (which no database column can hold).
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}


def _text(**extra):
    return {**TEXT, **extra}


def _common_params(endpoint, model) -> list[dict]:
    """limit, offset, search and, from the endpoint's own configuration, the `fields` and
    `order` values it accepts for every item type (type-specific ones need ?type=)."""
    listed = [
        name
        for name in endpoint.get_body_fields_names(model) + endpoint.get_meta_fields_names(model)
        if name not in endpoint.detail_only_fields
    ]
    names = "|".join(dict.fromkeys(listed))
    name = f"({names})"
    # `*` then removals, `_` then additions, or a list of additions and removals.
    fields_pattern = f"^(\\*(,-{name})*|_(,{name})*|-?{name}(,-?{name})*)?$"
    orderable = endpoint().get_available_fields(model, db_fields_only=True)
    order = [""]  # empty: the default order
    for name in orderable:
        field = model._meta.get_field(name)
        if not field.is_relation:
            order += [name, f"-{name}"]
    return [
        COMMON_PARAMS[0],
        COMMON_PARAMS[1],
        _param(
            "fields",
            {"type": "string", "maxLength": 200, "pattern": fields_pattern},
            "Fields to include, e.g. `title,slug` or `*` or `-title`; with ?type= also that "
            "type's own fields (see its schema).",
        ),
        _param(
            "order",
            {"type": "string", "enum": order},
            "Field to order by, `-` for descending. With ?type= also that type's own fields "
            "(e.g. `-date` for articles, `name` for municipalities); `random` (without offset).",
        ),
        *COMMON_PARAMS[2:],
    ]


COMMON_PARAMS = [
    _param(
        "limit",
        {"type": "integer", "minimum": 0, "maximum": LIMIT_MAX},
        "Items per page (default 20).",
    ),
    _param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, "Items to skip."),
    _param(
        "search",
        _text(maxLength=200),
        "Full-text search (Swedish stemming on PostgreSQL).",
    ),
    _param(
        "search_operator", {"type": "string", "enum": ["and", "or"]}, "How search terms combine."
    ),
]

PAGE_PARAMS = [
    _param(
        "type",
        {"type": "string", "enum": [m._meta.label for m in PAGE_TYPES]},
        "Page type; needed for type-specific fields, filters and ordering. "
        "Several types can be given comma-separated.",
    ),
    _param(
        "tags",
        _text(),
        "Articles with all these tags (comma-separated); other types have no tags.",
    ),
    _param(
        "upcoming",
        {"type": "string", "enum": ["true", "false"]},
        "Events not yet over (`false`: those over); other types are neither.",
    ),
    _param(
        "date_from",
        {"type": "string", "format": "date"},
        "From this date (articles: date, events: start, issues: issue date; other types have "
        "no date and are left out).",
    ),
    _param(
        "date_to",
        {"type": "string", "format": "date"},
        "Up to and including this date (before date_from: nothing).",
    ),
    _param(
        "municipality",
        _text(),
        "Articles about a municipality (slug or id); an unknown one: nothing.",
    ),
    _param(
        "child_of",
        {"type": "string", "pattern": "^(root|[1-9][0-9]{0,16})$"},
        "Children of a page id (or `root`); a page that does not exist has none.",
    ),
    _param(
        "descendant_of",
        {"type": "string", "pattern": "^(root|[1-9][0-9]{0,16})$"},
        "Descendants of a page id (or `root`).",
    ),
    _param(
        "ancestor_of",
        {"type": "integer", "minimum": 1, "maximum": 10**17 - 1},
        "Ancestors of a page id.",
    ),
]

MUNICIPALITY_PARAMS = [
    _param("county", {"type": "string", "enum": [c[0] for c in COUNTIES]}, "Län."),
    _param("slug", _text(), "The municipality's slug."),
]

META = {"type": "object", "additionalProperties": True}

NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
REGISTRATION_STATE = {
    "type": "object",
    "description": "Registration on the site: open or closed, places and counts (never people).",
    "required": ["enabled", "open", "registered", "places_left", "waiting_list"],
    "properties": {
        "enabled": {"type": "boolean"},
        "open": {"type": "boolean"},
        "closed_reason": {"type": "string", "enum": ["", "not_enabled", "deadline", "past"]},
        "capacity": NULLABLE_INT,
        "registered": {"type": "integer", "minimum": 0},
        "places_left": NULLABLE_INT,
        "waiting_list": {"type": "integer", "minimum": 0},
        "deadline": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        "extended_deadline": {"type": "boolean"},
        "options": {"type": "array", "items": {"type": "object"}},
    },
}


def _nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def _field_schema(model, api_field: APIField):
    serializer = api_field.serializer
    if isinstance(serializer, StreamDataField):
        return {"type": "array", "items": {"type": "object", "required": ["type", "value"]}}
    if isinstance(serializer, ImageDataField):
        return _nullable({"$ref": "#/components/schemas/Image"})
    if isinstance(serializer, MunicipalityRefField):
        return {"type": "array", "items": {"type": "object"}}
    if isinstance(serializer, RegistrationStateField):
        return _nullable(REGISTRATION_STATE)
    if isinstance(serializer, (RichTextHTMLField, PropertyField, drf.CharField)):
        return _nullable({"type": "string"})
    if isinstance(serializer, drf.DateField):
        return _nullable({"type": "string", "format": "date"})
    if isinstance(serializer, drf.FloatField):
        return _nullable({"type": "number"})
    field = model._meta.get_field(api_field.name)
    if isinstance(field, TaggableManager):
        return {"type": "array", "items": {"type": "string"}}
    if isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, (models.IntegerField, models.AutoField)):
        schema = {"type": "integer"}
    elif isinstance(field, models.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, models.DateField):
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
    return _nullable(schema) if field.null or isinstance(field, models.CharField) else schema


def _model_schema(model):
    properties = {"id": {"type": "integer"}, "meta": META}
    if model is not Municipality:
        properties["title"] = {"type": "string"}
    for api_field in API_FIELDS[model]:
        if not isinstance(api_field, APIField):
            api_field = APIField(api_field)
        properties[api_field.name] = _field_schema(model, api_field)
    return {
        "type": "object",
        "required": ["id"],
        "properties": properties,
        "description": f"{model._meta.label}: {model._meta.verbose_name}",
    }


def _listing(item_ref):
    return {
        "200": {
            "description": "A page of results.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["meta", "items"],
                        "properties": {
                            "meta": {
                                "type": "object",
                                "required": ["total_count"],
                                "properties": {"total_count": {"type": "integer", "minimum": 0}},
                            },
                            "items": {"type": "array", "items": item_ref},
                        },
                    }
                }
            },
        },
        "304": NOT_MODIFIED,
        "400": ERROR,
        "429": TOO_MANY,
    }


def _detail(item_ref):
    return {
        "200": {
            "description": "One object.",
            "content": {"application/json": {"schema": item_ref}},
        },
        "304": NOT_MODIFIED,
        "400": ERROR,
        "404": NOT_FOUND,
        "429": TOO_MANY,
    }


def _endpoint(name, summary, params, item_ref, endpoint, model):
    id_param = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
    return {
        f"/api/v2/{name}/": {
            "get": {
                "operationId": f"list_{name}",
                "summary": summary,
                "parameters": _common_params(endpoint, model) + params,
                "responses": _listing(item_ref),
            }
        },
        f"/api/v2/{name}/{{id}}/": {
            "get": {
                "operationId": f"get_{name}",
                "summary": f"{summary}: one by id",
                "parameters": [id_param],
                "responses": _detail(item_ref),
            }
        },
    }


def build_openapi() -> dict:
    schemas = {m.__name__: _model_schema(m) for m in [*PAGE_TYPES, Municipality]}
    item = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "meta": META},
    }
    schemas["Item"] = item
    schemas["Image"] = {
        "type": "object",
        "required": ["id", "renditions"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "alt": {"type": "string"},
            "renditions": {"type": "object", "additionalProperties": _nullable({"type": "object"})},
        },
    }
    page_ref = {
        "anyOf": [{"$ref": f"#/components/schemas/{m.__name__}"} for m in PAGE_TYPES]
        + [{"$ref": "#/components/schemas/Item"}]
    }
    paths = {}
    paths.update(
        _endpoint(
            "pages",
            "Pages (articles, events, newsletter issues, standard pages)",
            PAGE_PARAMS,
            page_ref,
            PagesEndpoint,
            Page,
        )
    )
    item_ref = {"$ref": "#/components/schemas/Item"}
    paths.update(_endpoint("images", "Images", [], item_ref, ImagesEndpoint, get_image_model()))
    paths.update(
        _endpoint("documents", "Documents", [], item_ref, DocumentsEndpoint, get_document_model())
    )
    paths.update(
        _endpoint(
            "municipalities",
            "Member municipalities",
            MUNICIPALITY_PARAMS,
            {"$ref": "#/components/schemas/Municipality"},
            MunicipalitiesEndpoint,
            Municipality,
        )
    )
    message = {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            # ASCII: client generators derive package names from it (smakom_api_client).
            "title": "Smakom API",
            "version": "2",
            "description": "SmåKom's news, events, newsletter issues, pages and member "
            "municipalities (Wagtail API v2). Rich text is HTML with absolute URLs; images "
            "come with WebP rendition URLs.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "BadRequest": {
                    "description": "The query is not valid; `message` says why.",
                    "content": {"application/json": {"schema": message}},
                },
                "NotFound": {
                    "description": "No such object.",
                    "content": {"application/json": {"schema": message}},
                },
                "NotModified": {
                    "description": "The `If-None-Match` ETag still matches: use your copy.",
                },
                "TooManyRequests": {
                    "description": "Rate limit for anonymous clients reached; `Retry-After` "
                    "says in how many seconds to try again.",
                    "headers": {
                        "Retry-After": {"schema": {"type": "integer", "minimum": 1}},
                    },
                    "content": {"application/json": {"schema": message}},
                },
            },
        },
    }


@require_GET
@cache_control(max_age=300, public=True)
def openapi_view(request):
    return JsonResponse(build_openapi(), json_dumps_params={"ensure_ascii": False})
