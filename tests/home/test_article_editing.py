"""Less typing when writing an article: dated today, municipalities picked from a searchable list;
and on a subscriber, the municipality picked with a chooser."""

import datetime as dt

import pytest
import time_machine
from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model
from django.urls import reverse

from home.models import ArticleIndexPage, ArticlePage, Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def kommuner():
    return [
        Municipality.objects.create(name=name, slug=name.lower(), county="vastra_gotaland")
        for name in ["Grästorp", "Tranemo", "Åre"]
    ]


def test_a_new_article_is_dated_today_in_stockholm():
    # 23.30 UTC on 31 December is already New Year's Day in Stockholm.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        assert ArticlePage().date == dt.date(2027, 1, 1)


def test_the_article_form_lists_municipalities_as_checkboxes_with_a_search_box(
    editor_client, home_page, kommuner
):
    index = home_page.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
    response = editor_client.get(
        reverse("wagtailadmin_pages:add", args=["home", "articlepage", index.pk])
    )
    assert response.status_code == 200
    doc = BeautifulSoup(response.content, "html.parser")
    widget = doc.select_one("[data-filterable-choices]")
    boxes = widget.select("input[type=checkbox][name=municipalities]")
    assert sorted(b.find_parent("label").get_text(strip=True) for b in boxes) == [
        "Grästorp",
        "Tranemo",
        "Åre",
    ]
    search = widget.select_one("input[type=search]")
    assert doc.select_one(f"label[for={search['id']}]").get_text(strip=True) == "Sök kommun"
    # Without JavaScript the box (which would do nothing) stays hidden: a plain checkbox list.
    assert widget.select_one("[data-filter-controls]").has_attr("hidden")
    assert "js/filterable-checkboxes.js" in response.content.decode()
    # Today's date is filled in.
    assert doc.select_one("#id_date")["value"]


def test_the_subscriber_form_picks_the_municipality_with_a_chooser(editor_client, kommuner):
    response = editor_client.get(reverse("newsletter_subscribers:add"))
    assert response.status_code == 200
    html = response.content.decode()
    doc = BeautifulSoup(html, "html.parser")
    field = doc.select_one("#id_municipality")
    assert field is not None and field.name == "input" and field["type"] == "hidden"
    assert doc.select_one("select#id_municipality") is None
    assert reverse("wagtailsnippetchoosers_home_municipality:choose") in html
    # The chooser searches.
    results = editor_client.get(
        reverse("wagtailsnippetchoosers_home_municipality:choose_results"), {"q": "gräs"}
    )
    assert "Grästorp" in results.content.decode()
    assert "Tranemo" not in results.content.decode()
