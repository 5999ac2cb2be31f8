from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import PERMISSION, PopularSearchesReportView, ZeroResultSearchesReportView


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path(
            "reports/searches-without-results/",
            ZeroResultSearchesReportView.as_view(),
            name="search_zero_results",
        ),
        path(
            "reports/searches-without-results/results/",
            ZeroResultSearchesReportView.as_view(results_only=True),
            name="search_zero_results_results",
        ),
        path(
            "reports/popular-searches/", PopularSearchesReportView.as_view(), name="search_popular"
        ),
        path(
            "reports/popular-searches/results/",
            PopularSearchesReportView.as_view(results_only=True),
            name="search_popular_results",
        ),
    ]


class EditorReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_zero_results_menu_item():
    return EditorReportMenuItem(
        _("Searches without results"),
        reverse("search_zero_results"),
        name="searches-without-results",
        icon_name="warning",
        order=1310,
    )


@hooks.register("register_reports_menu_item")
def register_popular_searches_menu_item():
    return EditorReportMenuItem(
        _("Popular searches"),
        reverse("search_popular"),
        name="popular-searches",
        icon_name="search",
        order=1305,
    )
