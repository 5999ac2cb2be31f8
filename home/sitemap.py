"""/sitemap.xml: Wagtail's sitemap, read as plain pages (no page type here changes its sitemap
entry), so it costs a fixed few queries instead of one more per page type."""

from wagtail.contrib.sitemaps import Sitemap

from cms.visibility import public


class PageSitemap(Sitemap):
    def items(self):
        pages = self.get_wagtail_site().root_page.get_descendants(inclusive=True).live()
        return public(pages).order_by("path")
