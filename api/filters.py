"""Query filters for the v2 endpoints. Every bad value becomes a BadRequestError (HTTP 400)."""

import datetime

from rest_framework.filters import BaseFilterBackend

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone

from taggit.managers import TaggableManager
from wagtail.api.v2.filters import OrderingFilter
from wagtail.api.v2.utils import BadRequestError, parse_boolean
from wagtail.fields import RichTextField, StreamField
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError

from home.models import ArticlePage, EventPage, Municipality
from newsletter.models import NewsletterIssuePage
from search.query import MAX_QUERY_LENGTH, OPERATORS
from search.query import search as run_search

# The date each dated page type is filtered and ordered by.
DATE_FIELDS = {ArticlePage: "date", EventPage: "start", NewsletterIssuePage: "issue_date"}
# Natural order of a listing of one type when the client asks for none.
DEFAULT_ORDER = {ArticlePage: ["-date", "-id"], EventPage: ["start", "id"]}
DEFAULT_ORDER[NewsletterIssuePage] = ["-issue_date", "-id"]


def _clean_text(name: str, value: str) -> str:
    if "\x00" in value:
        raise BadRequestError(f"{name}: null characters are not allowed")
    return value


def parse_date(name: str, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(_clean_text(name, value))
    except ValueError as e:
        raise BadRequestError(f"{name} must be a date as YYYY-MM-DD, got '{value}'") from e


def model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class FieldsFilter(BaseFilterBackend):
    """?<field>=<value> for the database fields an endpoint exposes, with values validated."""

    def filter_queryset(self, request, queryset, view):
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        fields.discard("locale")
        for name, value in request.GET.items():
            if name not in fields:
                continue
            _clean_text(name, value)
            field = model_field(queryset.model, name)
            if isinstance(field, TaggableManager):
                # By id subquery (one per tag: all must match), which the search backend
                # can combine with ?search=, unlike a join on the tag name.
                through = field.through
                for tag in [t for t in value.split(",") if t]:
                    tagged = through.objects.filter(tag__name=tag).values("content_object_id")
                    queryset = queryset.filter(pk__in=tagged)
                continue
            queryset = queryset.filter(**{name: self.to_python(field, name, value)})
        return queryset

    @staticmethod
    def to_python(field, name, value):
        if field is None:
            return value
        target = field.target_field if field.is_relation else field
        try:
            if isinstance(target, models.BooleanField):
                return parse_boolean(value)
            python_value = target.to_python(value)
            if isinstance(target, (models.IntegerField, models.AutoField)) and not (
                -(2**63) <= python_value < 2**63
            ):
                raise ValueError("out of range")
        except (ValidationError, ValueError, TypeError) as e:
            raise BadRequestError(f"'{value}' is not a valid value for {name}") from e
        if field.choices and python_value not in {c[0] for c in field.flatchoices}:
            raise BadRequestError(f"'{value}' is not a valid value for {name}")
        return python_value


class DateRangeFilter(BaseFilterBackend):
    """?date_from=YYYY-MM-DD&date_to=YYYY-MM-DD: articles by date, events by start, issues by
    issue date. Without one of those types, the dated pages of all three in the range; a range
    that ends before it starts is empty."""

    def filter_queryset(self, request, queryset, view):
        params = [p for p in ("date_from", "date_to") if p in request.GET]
        if not params:
            return queryset
        bounds = {p: parse_date(p, request.GET[p]) for p in params}
        if queryset.model in DATE_FIELDS:
            return self.in_range(queryset, queryset.model, bounds)
        dated = [
            self.in_range(model.objects.all(), model, bounds).values("pk") for model in DATE_FIELDS
        ]
        return queryset.filter(
            models.Q(pk__in=dated[0]) | models.Q(pk__in=dated[1]) | models.Q(pk__in=dated[2])
        )

    @staticmethod
    def in_range(queryset, model, bounds):
        field = DATE_FIELDS[model]
        is_datetime = isinstance(model._meta.get_field(field), models.DateTimeField)
        if "date_from" in bounds:
            start = bounds["date_from"]
            if is_datetime:
                start = _start_of_day(start)
            if start is not None:
                queryset = queryset.filter(**{f"{field}__gte": start})
        if "date_to" in bounds:
            end = bounds["date_to"]
            if is_datetime:
                end_of_day = _start_of_day(end, days_after=1)
                if end_of_day is not None:
                    queryset = queryset.filter(**{f"{field}__lt": end_of_day})
            else:
                queryset = queryset.filter(**{f"{field}__lte": end})
        return queryset


def _start_of_day(day: datetime.date, days_after: int = 0) -> datetime.datetime | None:
    """Midnight of the day (`days_after` later), local time; None past the last date."""
    try:
        day = day + datetime.timedelta(days=days_after)
        if day.year < 2:  # local midnight of year 1 is before the first UTC instant
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    except OverflowError:
        return None


class UpcomingFilter(BaseFilterBackend):
    """?upcoming=true: events that have not ended yet (false: those that have); without
    type=home.EventPage it keeps the events among the pages."""

    def filter_queryset(self, request, queryset, view):
        if "upcoming" not in request.GET:
            return queryset
        value = request.GET["upcoming"]
        if value not in ("true", "false"):
            raise BadRequestError("upcoming must be 'true' or 'false'")
        upcoming = value == "true"
        now = timezone.now()
        # An event without an end is over when it starts.
        events = queryset if queryset.model is EventPage else EventPage.objects.all()
        if upcoming:
            events = events.filter(start__gte=now) | events.filter(end__gte=now)
        else:
            events = events.filter(start__lt=now).exclude(end__gte=now)
        if queryset.model is EventPage:
            return events
        # Other types: only events are (or are not) upcoming.
        return queryset.filter(pk__in=events.values("pk"))


class MunicipalityFilter(BaseFilterBackend):
    """?municipality=<slug or id>: articles about a member municipality (with any other type:
    only articles are about one)."""

    def filter_queryset(self, request, queryset, view):
        if "municipality" not in request.GET:
            return queryset
        value = _clean_text("municipality", request.GET["municipality"])
        lookup = {"pk": int(value)} if value.isdigit() and len(value) < 18 else {"slug": value}
        municipality = Municipality.objects.filter(**lookup).first()
        if municipality is None:  # nothing is about a municipality we do not know
            return queryset.none()
        # By id subquery so that ?search= can be combined with it.
        through = ArticlePage.municipalities.through
        about = through.objects.filter(municipality=municipality).values("articlepage_id")
        return queryset.filter(pk__in=about)


class SafeOrderingFilter(OrderingFilter):
    """Wagtail's ?order=, limited to plain columns (no relations, streams or tags)."""

    def filter_queryset(self, request, queryset, view):
        order = request.GET.get("order")
        if not order:
            if "search" not in request.GET and queryset.model in DEFAULT_ORDER:
                return queryset.order_by(*DEFAULT_ORDER[queryset.model])
            return queryset
        _clean_text("order", order)
        for name in order.split(","):
            field = model_field(queryset.model, name.lstrip("-"))
            if field is not None and (
                field.is_relation
                or isinstance(field, (StreamField, RichTextField, TaggableManager))
            ):
                raise BadRequestError(f"cannot order by '{name}'")
        return super().filter_queryset(request, queryset, view)


class SearchFilter(BaseFilterBackend):
    """?search= with the same normalised, bounded query as the site search (must be last)."""

    def filter_queryset(self, request, queryset, view):
        operator = request.GET.get("search_operator", "and")
        if operator not in OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")
        if "search" not in request.GET:
            return queryset
        query = _clean_text("search", request.GET["search"])
        if len(query) > MAX_QUERY_LENGTH:
            raise BadRequestError(f"search must be at most {MAX_QUERY_LENGTH} characters")
        try:
            return run_search(
                queryset, query, operator=operator, order_by_relevance="order" not in request.GET
            )
        except (FilterFieldError, OrderByFieldError):
            # The index cannot filter or order by a field asked for: search the whole model,
            # then keep the hits among this filtered, ordered queryset in the database.
            hits = run_search(
                queryset.model.objects.all(), query, operator=operator, order_by_relevance=False
            )
            return queryset.filter(pk__in=[hit.pk for hit in hits])


class TagsFilter(BaseFilterBackend):
    """?tags=a,b: articles with all these tags, with any type (other types have none)."""

    def filter_queryset(self, request, queryset, view):
        value = request.GET.get("tags")
        if value is None or isinstance(model_field(queryset.model, "tags"), TaggableManager):
            return queryset  # FieldsFilter filters a type with its own tags
        tagged = ArticlePage.objects.all()
        through = ArticlePage.tags.through
        for tag in [t for t in _clean_text("tags", value).split(",") if t]:
            tagged = tagged.filter(
                pk__in=through.objects.filter(tag__name=tag).values("content_object_id")
            )
        return queryset.filter(pk__in=tagged.values("pk"))


class TreeFilter(BaseFilterBackend):
    """Wagtail's ?child_of=, ?descendant_of= (a page id or `root`) and ?ancestor_of= (a page
    id), combinable; a page that does not exist (or is not public) has no relatives: an empty
    list, not an error."""

    def filter_queryset(self, request, queryset, view):
        for name in ("child_of", "descendant_of", "ancestor_of"):
            if name not in request.GET:
                continue
            value = _clean_text(name, request.GET[name])
            if value == "root" and name != "ancestor_of":
                page = view.get_root_page()
            elif value.isdigit() and len(value) < 18 and int(value) > 0:
                page = view.get_base_queryset().filter(pk=int(value)).first()
            else:
                accepted = "a page id" if name == "ancestor_of" else "a page id or root"
                raise BadRequestError(f"{name} must be {accepted}")
            if page is None:
                return queryset.none()
            queryset = getattr(queryset, name)(page)
        return queryset
