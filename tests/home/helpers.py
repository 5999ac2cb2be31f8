"""Small content builders for tests that do not need the whole demo."""

import datetime as dt

from django.utils import timezone

from home.demo.images import draw_landscape, get_or_create_image
from home.models import ArticleIndexPage, ArticlePage, EventIndexPage, EventPage


def news_index(home):
    index = ArticleIndexPage.objects.first()
    return index or home.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))


def calendar(home):
    index = EventIndexPage.objects.first()
    return index or home.add_child(instance=EventIndexPage(title="Kalender", slug="kalender"))


def add_articles(index, count, start=0, tags=(), with_images=True):
    pages = []
    for n in range(start, start + count):
        image = (
            get_or_create_image(f"Testbild {n}", lambda t: draw_landscape(t, 320, 200), f"t{n}.jpg")
            if with_images
            else None
        )
        page = ArticlePage(
            title=f"Nyhet {n}",
            slug=f"nyhet-{n}",
            date=dt.date(2022, 1, 1) + dt.timedelta(days=n),
            listing_summary=f"Sammanfattning {n}",
            listing_image=image,
            hero_image=image,
        )
        page.tags.add(*tags)
        index.add_child(instance=page)
        pages.append(page)
    return pages


def add_event(index, slug, start, hours=1, **fields):
    start = timezone.localtime(start) if timezone.is_aware(start) else timezone.make_aware(start)
    page = EventPage(
        title=fields.pop("title", slug),
        slug=slug,
        start=start,
        end=start + dt.timedelta(hours=hours),
        **fields,
    )
    index.add_child(instance=page)
    return page
