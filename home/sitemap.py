"""/sitemap.xml: Wagtail's sitemap, read as plain pages (no page type here changes its sitemap
entry), so it costs a fixed few queries instead of one more per page type."""

from wagtail.contrib.sitemaps import Sitemap


class PageSitemap(Sitemap):
    def items(self):
        return (
            self.get_wagtail_site()
            .root_page.get_descendants(inclusive=True)
            .live()
            .public()
            .order_by("path")
        )
