"""Admin report: searches that found nothing, so editors can add content or promotions."""

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.contrib.search_promotions.models import Query
from wagtail.contrib.search_promotions.views.reports import (
    SearchTermsReportFilterSet,
    SearchTermsReportView,
)

PERMISSION = "wagtailsearchpromotions.add_searchpromotion"


class ZeroResultFilterSet(SearchTermsReportFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["hit_date"].field_name = "zero_result_hits__date"


class ZeroResultSearchesReportView(SearchTermsReportView):
    page_title = _("Searches without results")
    header_icon = "warning"
    filterset_class = ZeroResultFilterSet
    index_url_name = "search_zero_results"
    index_results_url_name = "search_zero_results_results"
    columns = [
        Column("query_string", label=_("Search term(s)"), sort_key="query_string"),
        NumberColumn("_hits", label=_("Searches without results"), sort_key="_hits"),
        Column("_last", label=_("Last searched"), sort_key="_last"),
    ]
    export_headings = {
        "query_string": _("Search term(s)"),
        "_hits": _("Searches without results"),
        "_last": _("Last searched"),
    }
    list_export = ["query_string", "_hits", "_last"]

    def get_base_queryset(self):
        return (
            Query.objects.filter(zero_result_hits__isnull=False)
            .annotate(_hits=Sum("zero_result_hits__hits"), _last=Max("zero_result_hits__date"))
            .distinct()
        )

    def dispatch(self, request, *args, **kwargs):
        # Editors who manage promoted results see it, not only administrators.
        if not (request.user.is_superuser or request.user.has_perm(PERMISSION)):
            return permission_denied(request)
        return super(SearchTermsReportView, self).dispatch(request, *args, **kwargs)


class PopularSearchesReportView(SearchTermsReportView):
    """Wagtail's popular search terms, open to the same editors as the zero-result report."""

    index_url_name = "search_popular"
    index_results_url_name = "search_popular_results"

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.has_perm(PERMISSION)):
            return permission_denied(request)
        return super(SearchTermsReportView, self).dispatch(request, *args, **kwargs)
