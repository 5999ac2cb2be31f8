"""Site-wide URLs outside the page tree: feeds, sitemap.xml, robots.txt."""

from django.urls import path

from wagtail.contrib.sitemaps.views import sitemap

from . import views
from .feeds import NewsAtomFeed, NewsFeed
from .sitemap import PageSitemap

app_name = "home"
urlpatterns = [
    path("feeds/nyheter.rss", NewsFeed(), name="news_rss"),
    path("feeds/nyheter.atom", NewsAtomFeed(), name="news_atom"),
    path("feeds/kalender.ics", views.events_ics, name="events_ics"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PageSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
