"""Issue 13's query budgets with generated content: at most 10 queries for any uncached public
page and 15 for an API listing of any length (SQLite and PostgreSQL), so an N+1 shows."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.models import ArticlePage, Municipality, MunicipalityIndexPage, StandardPage
from tests.newsletter.issue_content import make_issue

from .helpers import add_articles, add_event, calendar, news_index

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 10
API_BUDGET = 15


@pytest.fixture
def content(home_page):
    issue = make_issue(home_page)  # every section type, with chosen articles, events, people
    index = news_index(home_page)
    municipalities = [
        Municipality.objects.create(name=f"Kommun {n}", slug=f"kommun-{n}", county="jamtland")
        for n in range(6)
    ]
    for n, article in enumerate(add_articles(index, 24, tags=["rapport", "kommun"])):
        article.tags.add(f"tagg-{n % 5}")
        article.municipalities = municipalities[: n % 4]
        article.byline_text = "Redaktionen"
        article.save_revision().publish()
    events = calendar(home_page)
    now = timezone.now()
    for n in range(6):
        add_event(events, f"fore-{n}", now - dt.timedelta(days=n + 1))
        add_event(events, f"efter-{n}", now + dt.timedelta(days=n + 1))
    home_page.add_child(instance=MunicipalityIndexPage(title="Medlemmar", slug="medlemmar"))
    about = home_page.add_child(instance=StandardPage(title="Om SmåKom", slug="om-smakom"))
    return {"issue": issue, "about": about, "article": ArticlePage.objects.live().last()}


def count(client, url) -> int:
    client.get(url)  # the first view makes the image renditions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_public_pages_stay_within_the_budget(client, content):
    urls = [
        "/",
        "/nyheter/",
        "/nyheter/?sida=2",
        "/nyheter/?tag=rapport",
        content["article"].url,
        "/kalender/",
        "/kalender/fore-1/",
        "/kalender/efter-1/",
        "/medlemmar/",
        "/nyhetsbrev/",
        content["issue"].url,
        content["about"].url,
        "/feeds/nyheter.rss",
        "/feeds/nyheter.atom",
        "/sitemap.xml",
    ]
    counts = {url: count(client, url) for url in urls}
    over = {url: n for url, n in counts.items() if n > PAGE_BUDGET}
    assert not over, counts


@pytest.mark.parametrize(
    "params",
    [
        "type=home.ArticlePage&fields=*&limit=100",
        "type=home.ArticlePage&fields=*&limit=5",
        "type=home.EventPage&fields=*&limit=100",
        "type=newsletter.NewsletterIssuePage&fields=*",
        "limit=100",
    ],
)
def test_api_listings_stay_within_the_budget(client, content, params):
    assert count(client, f"/api/v2/pages/?{params}") <= API_BUDGET
