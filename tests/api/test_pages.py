"""The pages endpoint: our page types, their fields, filters, ordering and paging."""

import datetime

import pytest

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from home.models import ArticlePage

from .content import add_article

API = "/api/v2/pages/"

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")


def get(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(data):
    return [item["title"] for item in data["items"]]


def test_article_detail_has_plain_data_with_absolute_urls(client, content):
    data = client.get(f"{API}{content.welcome.pk}/").json()
    assert data["meta"]["type"] == "home.ArticlePage"
    assert data["date"] == "2022-03-18"
    assert data["summary"].startswith("Två nya medlemmar")
    assert data["tags"] == ["medlemmar"]
    assert [m["slug"] for m in data["municipalities"]] == ["tranemo", "vargarda"]
    paragraph = data["body"][0]
    assert paragraph["type"] == "paragraph"
    # Internal links are expanded to the page's absolute URL.
    base = settings.WAGTAILAPI_BASE_URL.rstrip("/")
    assert f'href="{base}/nyheter/vad-hander-i-grastorp/"' in paragraph["value"]
    assert "linktype" not in paragraph["value"]


def test_article_hero_image_has_webp_renditions(client, content):
    data = client.get(f"{API}{content.grastorp.pk}/").json()
    card = data["hero_image"]["renditions"]["card"]
    assert card["width"] == 800 and card["height"] == 450
    assert card["url"].startswith(("http://", "https://")) and card["url"].endswith(".webp")
    assert data["byline"] == "Sophia Vikström, kommunchef Grästorps kommun"


def test_event_fields(client, content):
    data = client.get(f"{API}{content.spring_meeting.pk}/").json()
    assert data["location"] == "Lerdalshöjden, Rättvik"
    assert data["price_text"] == "2 195 kr/person"
    assert 'href="http' in data["intro"]


def test_newsletter_issue_sections_resolved(client, content):
    data = client.get(f"{API}{content.issue.pk}/").json()
    assert data["meta"]["type"] == "newsletter.NewsletterIssuePage"
    assert data["issue_date"] == "2022-04-05"
    sections = {section["type"]: section["value"] for section in data["body"]}
    assert "/nyheter/vad-hander-i-grastorp/" in sections["text"]["text"]
    # A teaser carries its target's title, absolute URL and summary.
    article = sections["article_teaser"]["article"]
    assert article["title"] == content.welcome.title
    assert article["url"].endswith("/nyheter/valkommen-tranemo-och-vargarda/")
    assert article["url"].startswith("http")
    assert article["summary"] == content.welcome.listing_summary
    assert sections["event_teaser"]["event"]["type"] == "home.EventPage"
    assert sections["tips"]["items"][0]["link_url"] == "https://www.sns.se/"
    assert sections["divider"] is None


def test_standard_page(client, content):
    data = client.get(f"{API}{content.about.pk}/").json()
    assert data["intro"].startswith("<p>SmåKom är")
    assert data["body"][0]["type"] == "paragraph"


def test_listing_by_type_defaults_to_newest_first_with_listing_fields(client, content):
    data = get(client, type="home.ArticlePage")
    assert data["meta"]["total_count"] == 3
    assert titles(data) == [
        "Vad händer i Grästorp?",
        "Rapport från styrelsemöte",
        "Välkommen Tranemo och Vårgårda kommuner!",
    ]
    first = data["items"][0]
    assert {"date", "summary", "teaser_title"} <= first.keys()
    assert "body" not in first


def test_filter_by_tag(client, content):
    assert titles(get(client, type="home.ArticlePage", tags="ukraina")) == [content.grastorp.title]
    assert get(client, type="home.ArticlePage", tags="finns-inte")["items"] == []


def test_filter_by_municipality_slug_and_id(client, content):
    by_slug = get(client, type="home.ArticlePage", municipality="tranemo")
    assert titles(by_slug) == [content.welcome.title]
    by_id = get(client, type="home.ArticlePage", municipality=str(content.grastorp_kommun.pk))
    assert titles(by_id) == [content.grastorp.title]


def test_article_date_range(client, content):
    data = get(client, type="home.ArticlePage", date_from="2022-03-20", date_to="2022-03-31")
    assert titles(data) == [content.board.title]
    assert get(client, type="home.ArticlePage", date_from="2022-04-01")["meta"]["total_count"] == 1


def test_upcoming_events(client, content):
    upcoming = get(client, type="home.EventPage", upcoming="true")
    assert titles(upcoming) == [content.webinar.title, content.spring_meeting.title]
    past = get(client, type="home.EventPage", upcoming="false")
    assert titles(past) == [content.past_event.title]


def test_event_date_range_uses_start(client, content):
    # The filter's days are Swedish calendar days (around midnight the UTC date is another).
    day = timezone.localtime(content.webinar.start).date().isoformat()
    assert titles(get(client, type="home.EventPage", date_from=day, date_to=day)) == [
        content.webinar.title
    ]


def test_ordering(client, content):
    data = get(client, type="home.ArticlePage", order="title")
    assert titles(data) == sorted(titles(data))
    data = get(client, type="home.ArticlePage", order="-title")
    assert titles(data) == sorted(titles(data), reverse=True)


def test_pagination(client, content):
    first = get(client, type="home.ArticlePage", limit=2)
    second = get(client, type="home.ArticlePage", limit=2, offset=2)
    assert first["meta"]["total_count"] == second["meta"]["total_count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not set(titles(first)) & set(titles(second))


def test_page_titles_are_indexed_by_the_migrations():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "wagtailcore_page")
    assert constraints["home_page_title_idx"]["index"]
    assert constraints["home_page_title_idx"]["columns"] == ["title"]


@postgres_only
def test_ordering_by_title_can_read_the_title_index(content):
    # The index must give the order ?order=title asks for (same column, same collation), so
    # a page of a long listing is read from it instead of sorting every article.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = ArticlePage.objects.order_by("title")[:50].explain()
    assert "home_page_title_idx" in plan


def _add_articles(content, numbers):
    for n in numbers:
        add_article(
            content.articles,
            tags=["rapport", f"rapport-{n}"],
            municipalities=[content.tranemo],
            title=f"Kommunrapport {n}",
            slug=f"kommunrapport-{n}",
            date=datetime.date(2022, 1, n),
            listing_image=content.image,
            hero_image=content.image,
            body=[("paragraph", "<p>Ett kort referat.</p>")],
        )


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = get(client, **params)
    return len(queries), len(data["items"])


@pytest.mark.parametrize(
    "params",
    [
        # Every field with a relation: images, municipalities, locale and tags.
        {"type": "home.ArticlePage", "fields": "*"},
        {"type": "home.ArticlePage", "fields": "*", "search": "Kommunrapport"},
        {"type": "home.ArticlePage", "fields": "tags", "order": "title", "limit": "50"},
        {"type": "home.EventPage", "fields": "*"},
        {"type": "newsletter.NewsletterIssuePage", "fields": "*"},
        {},
    ],
)
def test_listing_queries_do_not_grow_with_items(client, content, params):
    _add_articles(content, [1, 2])
    get(client, **params)  # warm caches (site root, content types)
    few, few_items = _queries(client, params)
    _add_articles(content, range(3, 9))
    many, many_items = _queries(client, params)
    assert many_items >= few_items
    assert many == few


def test_listed_tags_are_the_detail_views_tags(client, content):
    _add_articles(content, [1, 2])
    listed = get(client, type="home.ArticlePage", fields="tags", limit=10)["items"]
    assert len(listed) == 5
    for item in listed:
        detail = client.get(f"{API}{item['id']}/").json()
        assert item["tags"] == detail["tags"]
    by_title = {item["title"]: item["tags"] for item in listed}
    # By name, as Wagtail's TagsField orders them, not in the order they were added.
    assert by_title[content.grastorp.title] == ["integration", "ukraina"]
    assert by_title["Kommunrapport 2"] == ["rapport", "rapport-2"]
    assert by_title[content.board.title] == ["styrelsen"]


def test_image_listing_tags_in_one_query(client, content):
    content.image.tags.add("rättvik", "fjäll")
    client.get("/api/v2/images/")  # warm caches
    few = _queries_at(client, "/api/v2/images/")
    for n in range(4):
        image = Image.objects.create(title=f"Bild {n}", file=get_test_image_file())
        image.tags.add(f"bild-{n}", "bild")
    many = _queries_at(client, "/api/v2/images/")
    assert many == few
    items = client.get("/api/v2/images/").json()["items"]
    assert items[0]["meta"]["tags"] == ["fjäll", "rättvik"]
    assert items[1]["meta"]["tags"] == ["bild", "bild-0"]


def _queries_at(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_search_in_api(client, content):
    data = get(client, type="home.ArticlePage", search="Ukraina")
    assert titles(data)[0] == content.grastorp.title


def test_filters_combine_with_search(client, content):
    by_tag = get(client, type="home.ArticlePage", tags="medlemmar", search="styrelsemötet")
    assert titles(by_tag) == [content.welcome.title]
    assert get(client, type="home.ArticlePage", tags="styrelsen", search="SmåKom")["items"] == []
    about = get(client, type="home.ArticlePage", municipality="grastorp", search="Polen")
    assert titles(about) == [content.grastorp.title]


def test_municipalities_endpoint(client, content):
    data = client.get("/api/v2/municipalities/", {"county": "vastra_gotaland"}).json()
    assert [m["name"] for m in data["items"]] == ["Grästorp", "Tranemo", "Vårgårda"]
    assert data["items"][0]["county_name"] == "Västra Götalands län"
    # Former members are not listed.
    everyone = client.get("/api/v2/municipalities/", {"limit": 100}).json()
    assert "Gamla kommunen" not in [m["name"] for m in everyone["items"]]
    ordered = client.get("/api/v2/municipalities/", {"order": "-population"}).json()
    assert ordered["items"][0]["name"] == "Vårgårda"
    found = client.get("/api/v2/municipalities/", {"search": "Tranemo"}).json()
    assert [m["name"] for m in found["items"]] == ["Tranemo"]
    detail = client.get(f"/api/v2/municipalities/{content.tranemo.pk}/").json()
    assert detail["area_km2"] == 780.0


def test_images_and_documents_endpoints(client, content):
    images = client.get("/api/v2/images/").json()
    assert images["meta"]["total_count"] == 1
    assert client.get("/api/v2/documents/").json()["meta"]["total_count"] == 0


def test_unpublished_pages_are_not_exposed(client, content):
    content.board.unpublish()
    assert client.get(f"{API}{content.board.pk}/").status_code == 404
    assert content.board.title not in titles(get(client, type="home.ArticlePage"))


def test_date_today_range_is_inclusive(client, content):
    today = datetime.date(2022, 3, 18).isoformat()
    assert titles(get(client, type="home.ArticlePage", date_from=today, date_to=today)) == [
        content.welcome.title
    ]


@pytest.mark.parametrize(
    "endpoint", ["/api/v2/pages/", "/api/v2/images/", "/api/v2/municipalities/"]
)
def test_fields_underscore_still_gives_each_item_its_id(client, content, endpoint):
    # `?fields=_` starts from no fields (Wagtail's syntax); the id stays, as the OpenAPI says.
    response = client.get(endpoint, {"fields": "_"})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert items and all(set(item) == {"id"} for item in items)
    added = client.get(
        endpoint, {"fields": "_,title" if "municipalities" not in endpoint else "_,name"}
    )
    assert all("id" in item for item in added.json()["items"])
