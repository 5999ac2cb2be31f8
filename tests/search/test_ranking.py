"""Ranked hits read a window at a time: the same order and count as the backend's own query."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

from home.models import ArticlePage
from search.query import RankedResults, search
from search.views import _load_pages, _pages

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="windows of ranked ids are read on PostgreSQL"
)

# Ids read with the count in these tests: fewer than the hits, so later pages are new windows.
WINDOW = 4


@pytest.fixture
def ranked(content, monkeypatch):
    """Eleven articles that mention "kommunbesök" a different number of times, some tied."""
    monkeypatch.setattr(RankedResults, "FIRST_IDS", WINDOW)
    for n in range(11):
        mentions = " ".join(["kommunbesök"] * (n % 4 + 1))
        content.articles.add_child(
            instance=ArticlePage(
                title=f"Rapport {n}",
                slug=f"rapport-{n}",
                date="2022-05-01",
                body=[("paragraph", f"<p>{mentions} i Dalarna och fjällen.</p>")],
            )
        )


def backend_order(queryset, query, operator="and"):
    """The hits' ids as the search backend orders them, all in one query."""
    return [obj.pk for obj in search(queryset, query, operator=operator)]


def read_in_pages(results, per_page):
    ids = []
    for start in range(0, results.count(), per_page):
        ids += [obj.pk for obj in results[start : start + per_page]]
    return ids


@pytest.mark.parametrize(
    ("make_queryset", "query", "operator"),
    [
        (lambda: _pages().only("pk"), "kommunbesök", "and"),
        (lambda: Page.objects.live().type(ArticlePage).only("pk"), "kommunbesök Dalarna", "and"),
        (lambda: ArticlePage.objects.live(), "kommunbesök Grästorp", "or"),
    ],
)
@pytest.mark.parametrize("per_page", [3, WINDOW, 10])
def test_pages_of_hits_follow_the_backends_order(ranked, make_queryset, query, operator, per_page):
    expected = backend_order(make_queryset(), query, operator)
    assert len(expected) >= 11
    results = RankedResults(search(make_queryset(), query, operator=operator), _load_pages)
    assert results.count() == len(expected)
    assert read_in_pages(results, per_page) == expected
    # A page that starts inside one window and ends in the next.
    assert [obj.pk for obj in results[2 : 2 + WINDOW]] == expected[2 : 2 + WINDOW]


def test_no_hits_cost_one_query(ranked):
    pages = _pages().only("pk")
    with CaptureQueriesContext(connection) as queries:
        results = RankedResults(search(pages, "xyzzyfinnsinte"), _load_pages)
        assert results.count() == 0
        assert results[0:10] == []
    assert len(queries) == 1


@postgres_only
def test_count_and_first_ids_come_from_one_query(ranked):
    pages = _pages().only("pk")
    with CaptureQueriesContext(connection) as queries:
        results = RankedResults(search(pages, "kommunbesök"), _load_pages)
        assert results.count() == 11
    assert len(queries) == 1
    # A later page reads its own window of ranked ids, not every hit up front.
    with CaptureQueriesContext(connection) as queries:
        later = results[8:11]
    ranking, loading = queries.captured_queries[0], queries.captured_queries[1:]
    assert "wagtailsearch_indexentry" in ranking["sql"]
    assert not any("wagtailsearch_indexentry" in q["sql"] for q in loading)
    assert [obj.pk for obj in later] == backend_order(_pages().only("pk"), "kommunbesök")[8:11]


def test_api_search_pages_follow_the_backends_order(client, ranked):
    expected = backend_order(ArticlePage.objects.live(), "kommunbesök")
    listed = []
    for offset in range(0, len(expected), 3):
        response = client.get(
            "/api/v2/pages/",
            {"type": "home.ArticlePage", "search": "kommunbesök", "limit": 3, "offset": offset},
        )
        assert response.status_code == 200
        data = response.json()
        assert data["meta"]["total_count"] == len(expected)
        listed += [item["id"] for item in data["items"]]
    assert listed == expected


@postgres_only
def test_body_vectors_are_stored_in_the_index_rows():
    # Search reads every matching entry's body vector: in the row, not from the TOAST table.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'wagtailsearch_indexentry'::regclass AND attname = 'body'"
        )
        assert cursor.fetchone()[0] == "m"
