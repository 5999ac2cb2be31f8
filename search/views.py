"""/search/: site search with type filter, highlighted excerpts, promotions and suggestions."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page
from wagtail.search.utils import normalise_query_string

from cms.visibility import public
from home.models import ArticlePage, EventPage, Municipality, StandardPage
from newsletter.models import NewsletterIssuePage

from .excerpts import excerpt, object_text
from .query import (
    MAX_QUERY_LENGTH,
    RankedResults,
    autocomplete,
    clean_query,
    normalize_query,
    query_terms,
    search,
)
from .tasks import log_search

PER_PAGE = 10
MUNICIPALITIES_SHOWN = 5
SUGGESTIONS = 8
MIN_SUGGEST_LENGTH = 2

# ?type= value → (label, model)
TYPES = {
    "article": (_("News"), ArticlePage),
    "event": (_("Events"), EventPage),
    "newsletter": (_("Newsletters"), NewsletterIssuePage),
    "page": (_("Pages"), StandardPage),
    "municipality": (_("Member municipalities"), Municipality),
}
PAGE_MODELS = [model for key, (_label, model) in TYPES.items() if key != "municipality"]
TYPE_LABELS = {model: label for label, model in TYPES.values()}


def _pages():
    return public(Page.objects.live()).type(*PAGE_MODELS)


def _load_pages(ids):
    return Page.objects.filter(pk__in=ids).specific()


def _load_municipalities(ids):
    return Municipality.objects.filter(pk__in=ids)


def _municipalities():
    return Municipality.objects.filter(is_member=True)


def _result(obj, terms):
    model = type(obj)
    is_page = isinstance(obj, Page)
    return {
        "object": obj,
        "title": obj.title if is_page else obj.name,
        "url": obj.get_url() if is_page else obj.website,
        "type_label": TYPE_LABELS.get(model, ""),
        "date": getattr(obj, "date", None) or getattr(obj, "issue_date", None),
        "start": getattr(obj, "start", None),
        "excerpt": excerpt(object_text(obj), terms),
    }


@require_GET
@never_cache
def search_view(request):
    given = request.GET.get("q", "")
    raw = clean_query(given)
    # A query longer than the box allows (a pasted text, a crafted link): the first part is
    # searched and shown, ending at a whole word, and the visitor is told so.
    shortened = len(given.strip()) > MAX_QUERY_LENGTH
    if shortened and " " in raw:
        raw = raw.rsplit(" ", 1)[0].strip()
    query = normalize_query(raw)
    terms = query_terms(raw)
    type_key = request.GET.get("type", "")
    if type_key not in TYPES:
        type_key = ""

    page_obj = None
    municipalities = []
    promotions = []
    total = 0
    if query:
        if type_key == "municipality":
            results = RankedResults(
                search(_municipalities().only("pk"), query), _load_municipalities
            )
        elif type_key:
            model = TYPES[type_key][1]
            pages = public(Page.objects.live()).type(model).only("pk")
            results = RankedResults(search(pages, query), _load_pages)
        else:
            results = RankedResults(search(_pages().only("pk"), query), _load_pages)
        paginator = Paginator(results, PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        total = paginator.count
        first_page = page_obj.number == 1
        if not type_key and first_page:
            municipalities = [
                _result(m, terms) for m in search(_municipalities(), query)[:MUNICIPALITIES_SHOWN]
            ]
        # Count a search once, not again for each further page of its results.
        if first_page and request.GET.get("page", "1") in ("", "1"):
            promotions, total = _log_query(raw, total + len(municipalities))
        page_obj.object_list = [_result(obj, terms) for obj in page_obj.object_list]

    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": raw,
            "query_shortened": shortened,
            "max_query_length": MAX_QUERY_LENGTH,
            "search_type": type_key,
            "types": [(key, label) for key, (label, _model) in TYPES.items()],
            "page_obj": page_obj,
            "municipalities": municipalities,
            "promotions": promotions,
            "total": total,
        },
    )


def _log_query(raw: str, found: int):
    """Fetch the search's promoted results, and have the search counted for the reports."""
    promotions = [
        pick
        for pick in SearchPromotion.objects.filter(query__query_string=normalise_query_string(raw))
        .select_related("page")
        .order_by("sort_order")
        if pick.page_id is None or pick.page.live
    ]
    log_search.enqueue(raw, found + len(promotions))
    return promotions, found


@require_GET
def suggest_view(request):
    """Type-ahead: titles of pages and member municipalities that start with the words typed."""
    query = normalize_query(clean_query(request.GET.get("q", "")))
    suggestions = []
    if len(query) >= MIN_SUGGEST_LENGTH:
        for page in autocomplete(_pages().specific(), query)[:SUGGESTIONS]:
            suggestions.append(
                {
                    "title": page.title,
                    "url": page.get_url(request=request),
                    "type": str(TYPE_LABELS.get(type(page), "")),
                }
            )
        room = SUGGESTIONS - len(suggestions)
        if room > 0:
            for municipality in autocomplete(_municipalities(), query)[:room]:
                suggestions.append(
                    {
                        "title": municipality.name,
                        "url": municipality.website or None,
                        "type": str(TYPE_LABELS[Municipality]),
                    }
                )
    response = JsonResponse({"query": query, "suggestions": suggestions})
    response["Cache-Control"] = "public, max-age=60"
    return response
