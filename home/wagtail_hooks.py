"""Wagtail admin for the site's snippets: people and municipalities, under one menu item.

Search uses the models' own search_fields (index.SearchField/AutocompleteField); a viewset
`search_fields` list would restrict the query to named FTS columns, which the SQLite backend
rejects ("no such column")."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from cms.exports import SafeSpreadsheetExportMixin

from .models import Municipality, Person


class SafeIndexView(SafeSpreadsheetExportMixin, IndexView):
    pass


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_label = _("People")
    list_display = ["name", "role", "organisation", "email", "phone"]
    list_filter = ["organisation"]
    ordering = ["name"]
    list_per_page = 50


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "globe"
    menu_label = _("Municipalities")
    list_display = [
        "name",
        Column("county", label=_("county"), accessor="get_county_display", sort_key="county"),
        "population",
        BooleanColumn("is_member", label=_("member")),
        "member_since",
    ]
    list_filter = ["county", "is_member"]
    ordering = ["name"]
    list_per_page = 100
    list_export = ["name", "county", "population", "area_km2", "member_since", "is_member"]
    index_view_class = SafeIndexView


class SiteSnippetsGroup(SnippetViewSetGroup):
    items = (MunicipalityViewSet, PersonViewSet)
    menu_icon = "group"
    menu_label = _("Members and people")
    menu_name = "members"


register_snippet(SiteSnippetsGroup)
