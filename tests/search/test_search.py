"""/search/ and /search/suggest/ on the demo-like content, on SQLite and PostgreSQL."""

import pytest

from django.db import connection
from django.urls import reverse

from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from search.excerpts import excerpt
from search.models import ZeroResultHits

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish stemming needs PostgreSQL"
)


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def result_titles(response):
    return [r["title"] for r in response.context["page_obj"].object_list]


def test_whole_word_finds_story_by_body_text(client, content):
    response = search(client, q="Polen")
    assert result_titles(response) == [content.grastorp.title]


def test_prefix_finds_inflected_forms(client, content):
    # "flykting" is the start of "flyktingarna"/"flyktingar" in the body: both backends find it.
    assert content.grastorp.title in result_titles(search(client, q="flykting"))


@postgres_only
def test_swedish_stemming_finds_other_inflections(client, content):
    # The body says "flyktingarna" and "flyktingar"; the search word is another form.
    assert content.grastorp.title in result_titles(search(client, q="flyktingen"))
    # "kommuner" in the welcome story; searched as "kommunen".
    assert content.welcome.title in result_titles(search(client, q="kommunen"))


def test_type_filter(client, content):
    everything = result_titles(search(client, q="Rättvik"))
    assert content.spring_meeting.title in everything and content.board.title in everything
    events = result_titles(search(client, q="Rättvik", type="event"))
    assert events == [content.spring_meeting.title]
    municipalities = search(client, q="Tranemo", type="municipality")
    assert [r["title"] for r in municipalities.context["page_obj"].object_list] == ["Tranemo"]


def test_municipalities_shown_with_all_types(client, content):
    response = search(client, q="Tranemo")
    assert [m["title"] for m in response.context["municipalities"]] == ["Tranemo"]
    assert content.welcome.title in result_titles(response)


def test_newsletter_issues_and_standard_pages_are_found(client, content):
    assert result_titles(search(client, q="flyktingmottagandet", type="newsletter")) == [
        content.issue.title
    ]
    assert result_titles(search(client, q="nätverk", type="page")) == [content.about.title]


def test_excerpt_marks_terms(client, content):
    response = search(client, q="Polen")
    html = response.content.decode()
    assert "<mark>Polen</mark>" in html


def test_excerpt_escapes_before_marking():
    text = 'Grästorp <script>alert("x")</script> & flyktingarna'
    html = str(excerpt(text, ["flyktingar", "script"]))
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "<mark>flyktingarna</mark>" in html
    assert "&amp;" in html


def test_pagination(client, content):
    from home.models import ArticlePage

    for n in range(12):
        content.articles.add_child(
            instance=ArticlePage(
                title=f"Nyhet om kommunbesök {n}", slug=f"kommunbesok-{n}", date="2022-05-01"
            )
        )
    first = search(client, q="kommunbesök")
    assert first.context["total"] == 12
    assert len(first.context["page_obj"].object_list) == 10
    second = search(client, q="kommunbesök", page=2)
    assert len(second.context["page_obj"].object_list) == 2
    assert 'rel="next"' in first.content.decode()
    # A junk page number falls back to a real page.
    assert search(client, q="kommunbesök", page="x").context["page_obj"].number == 1


def test_promoted_results_come_first(client, content):
    query = Query.get("årsmöte")
    SearchPromotion.objects.create(
        query=query, page=content.spring_meeting, description="Vårmötet 2022", sort_order=0
    )
    response = search(client, q="Årsmöte")
    assert [p.page_id for p in response.context["promotions"]] == [content.spring_meeting.pk]
    html = response.content.decode()
    assert (
        html.index("Vårmötet 2022") < html.index("search-empty") if "search-empty" in html else True
    )


def test_queries_are_logged_and_zero_results_counted(client, content):
    search(client, q="Grästorp")
    search(client, q="Grästorp")
    search(client, q="xyzzyfinnsinte")
    assert Query.get("grästorp").hits == 2
    assert not ZeroResultHits.objects.filter(query__query_string="grästorp").exists()
    zero = ZeroResultHits.objects.get(query__query_string="xyzzyfinnsinte")
    assert zero.hits == 1
    # Paging further does not count the search again.
    search(client, q="Grästorp", page=2)
    assert Query.get("grästorp").hits == 2


def test_zero_result_report_for_editors(client, content, django_user_model):
    search(client, q="xyzzyfinnsinte")
    admin = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)
    response = client.get(reverse("search_zero_results"))
    assert response.status_code == 200
    assert "xyzzyfinnsinte" in response.content.decode()
    assert client.get(reverse("search_popular")).status_code == 200


def test_zero_result_report_refused_without_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("search_zero_results"))
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "a" * 10_000,
        "\"'; DROP TABLE wagtailcore_page; --",
        'kommun" OR "x',
        "NEAR(a b) AND * ^ : ( ) {}",
        "<script>alert(1)</script>",
        "%00\x00null",
        "😀 🇸🇪",
        "! & | : * ~",
    ],
)
def test_hostile_queries_are_safe(client, content, q):
    response = search(client, q=q)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    suggest = client.get("/search/suggest/", {"q": q})
    assert suggest.status_code == 200
    assert isinstance(suggest.json()["suggestions"], list)


def test_long_query_is_capped(client, content):
    response = search(client, q="Grästorp " + "x" * 5000)
    assert len(response.context["search_query"]) <= 200


def test_suggestions_prefix(client, content):
    data = client.get("/search/suggest/", {"q": "Väl"}).json()
    titles = [s["title"] for s in data["suggestions"]]
    assert content.welcome.title in titles
    municipalities = client.get("/search/suggest/", {"q": "Tran"}).json()["suggestions"]
    assert "Tranemo" in [s["title"] for s in municipalities]
    assert client.get("/search/suggest/", {"q": "V"}).json()["suggestions"] == []


def test_a_query_longer_than_the_box_is_cut_at_a_word_and_the_visitor_told(client, content):
    """The box allows 200 characters; a 3,000-character query (a crafted link, a pasted text)
    is searched and echoed only up to a whole word within them, with a polite note."""
    long_query = ("Grästorp kommun " * 200)[:3000]
    response = search(client, q=long_query)
    echoed = response.context["search_query"]
    assert 0 < len(echoed) <= 200 and long_query.startswith(echoed)
    assert echoed.split()[-1] in ("Grästorp", "kommun")
    html = response.content.decode()
    assert html.count("Grästorp kommun") < 3 * 14
    assert "bara de första 200 tecknen användes" in html
    assert "tecknen användes" not in search(client, q="Grästorp").content.decode()
