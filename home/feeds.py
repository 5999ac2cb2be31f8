"""The news as RSS 2.0 and Atom 1.0 (linked from every page's <head>)."""

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from wagtail.models import Site

from cms.visibility import public

from .models import ArticlePage

FEED_SIZE = 20


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed
    title = _("SmåKom – news")
    description = _("News from SmåKom, the association of Sweden's small municipalities.")
    language = "sv"

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return Site.find_for_request(request)

    def link(self, site):
        return site.root_url + "/" if site else settings.SITE_BASE_URL + "/"

    def items(self, site):
        articles = (
            public(ArticlePage.objects.live())
            .select_related("byline_person")
            .prefetch_related("tags")
        )
        if site:
            articles = articles.descendant_of(site.root_page, inclusive=True)
        return articles.order_by("-date", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.listing_summary

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        # Articles carry a date; publish them at noon Swedish time on that day.
        return timezone.make_aware(dt.datetime.combine(item.date, dt.time(12)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
