"""Uncached page views cost a fixed number of SQL queries, however many teasers they show."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.demo.images import draw_shield, get_or_create_image
from home.models import Municipality, MunicipalityIndexPage

from .helpers import add_articles, add_event, calendar, news_index

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    client.get(url)  # first view creates the image renditions; later views only read them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_news_index_and_home(client, home_page):
    index = news_index(home_page)
    add_articles(index, 2, tags=["A"])
    small = {url: queries_for(client, url) for url in ("/", "/nyheter/")}
    add_articles(index, 8, start=2, tags=["A", "B"])
    large = {url: queries_for(client, url) for url in ("/", "/nyheter/")}
    assert large == small
    assert max(large.values()) <= 25


def test_article_page(client, home_page):
    index = news_index(home_page)
    (article,) = add_articles(index, 1, tags=["A"])
    small = queries_for(client, article.url)
    article.tags.add("B", "C", "D")
    article.municipalities = [
        Municipality.objects.create(name=f"K{n}", slug=f"k{n}", county="jamtland") for n in range(5)
    ]
    article.save_revision().publish()
    assert queries_for(client, article.url) == small
    assert small <= 25


def test_calendar(client, home_page):
    index = calendar(home_page)
    now = timezone.now()
    for n in range(2):
        add_event(index, f"fore-{n}", now - dt.timedelta(days=n + 1))
        add_event(index, f"efter-{n}", now + dt.timedelta(days=n + 1))
    small = queries_for(client, "/kalender/")
    for n in range(2, 8):
        add_event(index, f"fore-{n}", now - dt.timedelta(days=n + 1))
        add_event(index, f"efter-{n}", now + dt.timedelta(days=n + 1))
    assert queries_for(client, "/kalender/") == small
    assert small <= 25


def test_member_list(client, home_page):
    home_page.add_child(instance=MunicipalityIndexPage(title="Medlemmar", slug="medlemmar"))

    def add(n):
        m = Municipality.objects.create(
            name=f"Kommun {n}",
            slug=f"kommun-{n}",
            county="jamtland",
            coat_of_arms=get_or_create_image(f"Vapen {n}", draw_shield, f"v{n}.png"),
        )
        m.visits.create(date=dt.date(2022, 2, 24))

    for n in range(2):
        add(n)
    small = queries_for(client, "/medlemmar/")
    for n in range(2, 12):
        add(n)
    assert queries_for(client, "/medlemmar/") == small
    assert small <= 25
