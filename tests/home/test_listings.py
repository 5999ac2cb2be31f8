"""Pagination and filters: news by tag, events upcoming/past, municipalities by county."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from django.utils import timezone

from home.models import Municipality, MunicipalityIndexPage

from .helpers import add_articles, add_event, calendar, news_index

pytestmark = pytest.mark.django_db


def titles(response, selector=".teaser__title a"):
    assert response.status_code == 200
    return [
        a.get_text(strip=True)
        for a in BeautifulSoup(response.content, "html.parser").select(selector)
    ]


def test_news_is_paginated_ten_a_page(client, home_page):
    add_articles(news_index(home_page), 12, with_images=False)
    first = titles(client.get("/nyheter/"))
    assert first == [f"Nyhet {n}" for n in range(11, 1, -1)]
    assert titles(client.get("/nyheter/?sida=2")) == ["Nyhet 1", "Nyhet 0"]
    # Out of range falls back to the last page rather than failing.
    assert titles(client.get("/nyheter/?sida=99")) == ["Nyhet 1", "Nyhet 0"]
    soup = BeautifulSoup(client.get("/nyheter/").content, "html.parser")
    assert soup.select_one('.pagination a[rel="next"]')["href"] == "?sida=2"


def test_news_filtered_by_tag(client, home_page):
    index = news_index(home_page)
    add_articles(index, 2, tags=["SNS"], with_images=False)
    add_articles(index, 2, start=2, tags=["SKR"], with_images=False)
    assert titles(client.get("/nyheter/?tag=sns")) == ["Nyhet 1", "Nyhet 0"]
    assert titles(client.get("/nyheter/?tag=skr")) == ["Nyhet 3", "Nyhet 2"]
    assert titles(client.get("/nyheter/?tag=okand")) == []
    soup = BeautifulSoup(client.get("/nyheter/?tag=sns").content, "html.parser")
    assert soup.h1.get_text() == "Nyheter: SNS"
    current = soup.select_one('.tag-filter a[aria-current="page"]')
    assert current.get_text() == "SNS"


def test_tag_filter_keeps_the_tag_across_pages(client, home_page):
    add_articles(news_index(home_page), 11, tags=["Tips"], with_images=False)
    soup = BeautifulSoup(client.get("/nyheter/?tag=tips").content, "html.parser")
    assert soup.select_one('.pagination a[rel="next"]')["href"] == "?tag=tips&sida=2"


def test_calendar_splits_upcoming_and_past(client, home_page):
    index = calendar(home_page)
    now = timezone.now()
    add_event(index, "i-fjol", now - dt.timedelta(days=365), title="I fjol")
    add_event(index, "forra-veckan", now - dt.timedelta(days=7), title="Förra veckan")
    add_event(index, "pagar", now - dt.timedelta(hours=1), hours=3, title="Pågår")
    add_event(index, "nasta-vecka", now + dt.timedelta(days=7), title="Nästa vecka")
    response = client.get("/kalender/")
    upcoming = titles(response, "#upcoming-heading ~ .teaser-list .teaser__title a")
    past = titles(response, "#past-heading ~ .teaser-list .teaser__title a")
    assert upcoming == ["Pågår", "Nästa vecka"]
    assert past == ["Förra veckan", "I fjol"]
    home = titles(client.get("/"), "#events-heading ~ .teaser-list .teaser__title a")
    assert home == ["Pågår", "Nästa vecka"]


def test_municipalities_filtered_by_county(client, home_page):
    home_page.add_child(instance=MunicipalityIndexPage(title="Medlemmar", slug="medlemmar"))
    Municipality.objects.create(name="Berg", slug="berg", county="jamtland")
    Municipality.objects.create(name="Åre", slug="are", county="jamtland")
    Municipality.objects.create(name="Habo", slug="habo", county="jonkoping")
    Municipality.objects.create(name="Gammal", slug="gammal", county="jamtland", is_member=False)
    assert titles(client.get("/medlemmar/"), ".municipality h3") == ["Berg", "Habo", "Åre"]
    assert titles(client.get("/medlemmar/?lan=jamtland"), ".municipality h3") == ["Berg", "Åre"]
    # An unknown county shows everyone rather than nothing.
    assert len(titles(client.get("/medlemmar/?lan=mars"), ".municipality h3")) == 3
    soup = BeautifulSoup(client.get("/medlemmar/?lan=jonkoping").content, "html.parser")
    options = [o["value"] for o in soup.select("#lan option")]
    assert options == ["", "jamtland", "jonkoping"]
    assert soup.select_one("#lan option[selected]")["value"] == "jonkoping"
    assert soup.select_one("label[for=lan]")
