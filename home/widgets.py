"""Admin form widgets for the site's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FilterableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """A checkbox per choice with a search box that narrows the list as you type (70 municipalities
    are too many to scroll, and a multiple <select> needs Ctrl-click). Without JavaScript it is a
    plain checkbox list; the box, the count and the list of chosen items are announced to screen
    readers."""

    # In the app's templates/: Django's form renderer reads app directories, not TEMPLATES DIRS.
    template_name = "home/widgets/filterable_checkboxes.html"

    def __init__(self, attrs=None, choices=(), *, search_label=None, noun_plural=None):
        super().__init__(attrs, choices)
        self.search_label = search_label or _("Search")
        self.noun_plural = noun_plural or _("choices")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_label"] = self.search_label
        context["widget"]["noun_plural"] = self.noun_plural
        return context

    @property
    def media(self):
        return forms.Media(
            js=["js/filterable-checkboxes.js"], css={"all": ["css/admin-widgets.css"]}
        )
