from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "SmåKom"

    def ready(self):
        from cms import purge, sitecache

        purge.connect()
        sitecache.connect()
        name_the_admin_page_search()


def name_the_admin_page_search():
    """Wagtail 8's admin page search names no model: its results read "1–3 av 3 None" (every
    other page listing says "sidor"). Give it the names the explorer uses."""
    from wagtail.admin.views.pages.search import SearchView

    SearchView.verbose_name = _("page")
    SearchView.verbose_name_plural = _("pages")
