"""The page cache: anonymous GETs are served from the cache with headers a CDN may use; editors,
forms and subscriber pages never are; publishing, unpublishing, moving, deleting and a scheduled
go-live purge every URL that shows the page."""

import datetime as dt
import re

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Revision

from home.models import ArticlePage, StandardPage
from tests.newsletter.issue_content import make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def get(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, url
    return response


def test_anonymous_page_is_cached_with_cdn_headers(client, home_page, page_cache):
    first = get(client, "/")
    assert first["X-Page-Cache"] == "miss"
    control = first["Cache-Control"]
    assert "public" in control and "s-maxage=600" in control and "max-age=60" in control
    assert "cookie" not in first.get("Vary", "").lower()
    # One language: a CDN must not keep a copy per Accept-Language.
    assert "accept-language" not in first.get("Vary", "").lower()
    assert not first.cookies
    with CaptureQueriesContext(connection) as queries:
        second = get(client, "/")
    assert len(queries) == 0
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Length"] == str(len(first.content))
    assert second["Cache-Control"] == control
    # The sign-up form holds no visitor's CSRF token or stamp: the browser fetches them.
    html = first.content.decode()
    assert 'name="csrfmiddlewaretoken" value=""' in html
    assert 'name="stamp" value=""' in html
    assert "data-fresh-tokens" in html and "js/signup-form.js" in html


def test_query_variants_are_kept_apart(client, home_page, page_cache):
    assert get(client, "/?a=1")["X-Page-Cache"] == "miss"
    assert get(client, "/?a=2")["X-Page-Cache"] == "miss"
    assert get(client, "/?a=1")["X-Page-Cache"] == "hit"
    assert client.head("/?a=1")["X-Page-Cache"] == "hit"


def test_each_host_has_its_own_copy_and_a_hostile_host_is_refused(
    client, home_page, page_cache, settings
):
    settings.ALLOWED_HOSTS = ["smakom.se", "www.smakom.se"]
    own = get(client, "/robots.txt", HTTP_HOST="www.smakom.se")
    assert "Sitemap: http://www.smakom.se/sitemap.xml" in own.content.decode()
    assert get(client, "/robots.txt", HTTP_HOST="www.smakom.se")["X-Page-Cache"] == "hit"
    other = get(client, "/robots.txt", HTTP_HOST="smakom.se")
    assert "Sitemap: http://smakom.se/sitemap.xml" in other.content.decode()
    assert (
        "Sitemap: https://smakom.se/sitemap.xml"
        in get(client, "/robots.txt", HTTP_HOST="smakom.se", secure=True).content.decode()
    )
    # A cached page is no way around the host check, nor is a hostile host's copy kept.
    get(client, "/", HTTP_HOST="smakom.se")
    assert get(client, "/", HTTP_HOST="smakom.se")["X-Page-Cache"] == "hit"
    for _ in range(2):
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400
        assert client.get("/robots.txt", HTTP_HOST="evil.example").status_code == 400


def test_tracking_parameters_share_one_copy_and_are_not_repeated(client, home_page, page_cache):
    make_issue(home_page)
    first = get(client, "/nyheter/?utm_source=nyhetsbrev&utm_medium=email&sida=1")
    assert first["X-Page-Cache"] == "miss"
    assert "utm_" not in first.content.decode()  # the listing's own links do not carry them
    for url in ("/nyheter/?sida=1", "/nyheter/?sida=1&mc_cid=abc&mc_eid=123&fbclid=x"):
        answer = get(client, url)
        assert answer["X-Page-Cache"] == "hit", url
        assert answer.content == first.content
    # Parameters that choose what is shown still have their own copies.
    assert get(client, "/nyheter/?sida=2&utm_source=x")["X-Page-Cache"] == "miss"
    assert get(client, "/nyheter/?sida=2")["X-Page-Cache"] == "hit"


def test_editors_never_get_or_fill_the_cache(client, admin_user, home_page, page_cache):
    client.force_login(admin_user)
    for _ in range(2):
        response = get(client, "/")
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
    client.logout()
    assert get(Client(), "/")["X-Page-Cache"] == "miss"  # the editor's copy was not kept


def test_subscriber_pages_posts_and_messages_are_never_cached(client, home_page, page_cache):
    for url in ("/nyhetsbrev/prenumerera/", "/nyhetsbrev/avsluta/"):
        for _ in range(2):
            response = get(client, url)
            assert "X-Page-Cache" not in response
            assert "public" not in response.get("Cache-Control", "")
    html = get(client, "/nyhetsbrev/prenumerera/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token  # the sign-up page has its own token: it is never cached
    assert "X-Page-Cache" not in client.post("/", {})
    get(client, "/")
    with_message = Client()
    with_message.cookies["messages"] = "x"
    assert "X-Page-Cache" not in get(with_message, "/")
    # A client that authenticates itself (an API client with credentials) gets its own answer.
    for _ in range(2):
        answer = get(client, "/api/v2/pages/", HTTP_AUTHORIZATION="Bearer a-frontend-token")
        assert "X-Page-Cache" not in answer


def test_sign_up_tokens_are_fresh_and_accepted(home_page, page_cache, settings):
    settings.NEWSLETTER_FORM_MIN_SECONDS = 0
    visitor = Client(enforce_csrf_checks=True)
    get(visitor, "/")  # the cached home page gives no cookie
    assert not visitor.cookies
    response = get(visitor, "/nyhetsbrev/prenumerera/formular/")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    tokens = response.json()
    assert tokens["csrf"] and tokens["stamp"] and "csrftoken" in visitor.cookies
    posted = visitor.post(
        "/nyhetsbrev/prenumerera/",
        {
            "csrfmiddlewaretoken": tokens["csrf"],
            "stamp": tokens["stamp"],
            "email": "ny.besokare@example.se",
            "name": "Ny Besökare",
            "consent": "on",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:500]
    # Without a token the post is refused, as before.
    refused = Client(enforce_csrf_checks=True).post(
        "/nyhetsbrev/prenumerera/", {"email": "x@example.se"}
    )
    assert refused.status_code == 403


def _shown(client, url) -> str:
    return get(client, url).content.decode()


def test_publish_purges_every_url_that_shows_the_page(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    issue = make_issue(home_page)
    article = ArticlePage.objects.get()
    old = article.title
    showing = [
        article.url,
        "/nyheter/",
        "/nyheter/?sida=1",
        "/",
        "/feeds/nyheter.rss",
        "/feeds/nyheter.atom",
        issue.url,
        "/api/v2/pages/?type=home.ArticlePage&fields=title",
        f"/api/v2/pages/{article.pk}/",
    ]
    for url in [*showing, "/sitemap.xml", "/nyhetsbrev/"]:
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit", url
    for url in showing:
        assert old in _shown(client, url), url

    article.title = "Grästorp visar vägen"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()

    for url in showing:
        html = _shown(client, url)
        assert "Grästorp visar vägen" in html, url
    # Listings that show the page without its title were purged too.
    assert get(client, "/sitemap.xml")["X-Page-Cache"] == "miss"
    assert get(client, "/nyhetsbrev/")["X-Page-Cache"] == "miss"


def test_unpublish_and_delete_purge(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    make_issue(home_page)
    article = ArticlePage.objects.get()
    url = article.url
    for u in (url, "/nyheter/", "/"):
        get(client, u)
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    get(client, url, status=404)
    assert article.title not in _shown(client, "/nyheter/")

    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert article.title in _shown(client, "/nyheter/")
    assert article.title in _shown(client, "/nyheter/")  # cached again
    with django_capture_on_commit_callbacks(execute=True):
        ArticlePage.objects.get(pk=article.pk).delete()
    assert article.title not in _shown(client, "/nyheter/")
    get(client, url, status=404)


def test_move_purges_the_old_and_new_place(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    about = home_page.add_child(instance=StandardPage(title="Om oss", slug="om"))
    other = home_page.add_child(instance=StandardPage(title="Annat", slug="annat"))
    sub = about.add_child(instance=StandardPage(title="Styrelsen", slug="styrelsen"))
    assert "Styrelsen" in _shown(client, "/om/styrelsen/")
    assert get(client, "/om/styrelsen/")["X-Page-Cache"] == "hit"
    get(client, "/annat/styrelsen/", status=404)
    with django_capture_on_commit_callbacks(execute=True):
        sub.move(other, pos="last-child")
    # Not the cached page: Wagtail's redirect to its new place.
    moved = get(client, "/om/styrelsen/", status=301)
    assert moved["Location"].endswith("/annat/styrelsen/")
    assert "Styrelsen" in _shown(client, "/annat/styrelsen/")


def test_scheduled_go_live_purges(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    make_issue(home_page)
    article = ArticlePage.objects.get()
    assert article.title in _shown(client, "/nyheter/")
    article.title = "Schemalagd rubrik"
    revision = article.save_revision(approved_go_live_at=timezone.now() + dt.timedelta(hours=1))
    Revision.objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert "Schemalagd rubrik" not in _shown(client, "/nyheter/")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    assert "Schemalagd rubrik" in _shown(client, "/nyheter/")
    assert "Schemalagd rubrik" in _shown(client, "/")


def test_site_settings_change_purges_everything(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    from cms.models import SiteSettings

    get(client, "/")
    assert get(client, "/")["X-Page-Cache"] == "hit"
    settings_row = SiteSettings.for_site(home_page.get_site())
    settings_row.footer_text = "Ny sidfot här"
    with django_capture_on_commit_callbacks(execute=True):
        settings_row.save()
    assert "Ny sidfot här" in _shown(client, "/")


def test_moving_a_section_purges_the_old_urls_of_everything_under_it(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    about = home_page.add_child(instance=StandardPage(title="Om oss", slug="om"))
    other = home_page.add_child(instance=StandardPage(title="Annat", slug="annat"))
    about.add_child(instance=StandardPage(title="Styrelsen", slug="styrelsen"))
    assert "Styrelsen" in _shown(client, "/om/styrelsen/")
    assert get(client, "/om/styrelsen/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        about.move(other, pos="last-child")
    # Not the cached page at its old place: Wagtail's redirect (or nothing).
    assert client.get("/om/styrelsen/").status_code in (301, 404)
    assert "Styrelsen" in _shown(client, "/annat/om/styrelsen/")


def test_a_new_slug_purges_the_old_urls_of_the_page_and_its_children(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    about = home_page.add_child(instance=StandardPage(title="Om oss", slug="om"))
    about.add_child(instance=StandardPage(title="Styrelsen", slug="styrelsen"))
    for url in ("/om/", "/om/styrelsen/"):
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit", url
    about = StandardPage.objects.get(pk=about.pk)
    about.slug = "om-smakom"
    with django_capture_on_commit_callbacks(execute=True):
        about.save_revision().publish()
    for url in ("/om/", "/om/styrelsen/"):
        assert client.get(url).status_code in (301, 404), url
    assert "Styrelsen" in _shown(client, "/om-smakom/styrelsen/")


def test_deleting_a_section_purges_everything_under_it(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    about = home_page.add_child(instance=StandardPage(title="Om oss", slug="om"))
    about.add_child(instance=StandardPage(title="Styrelsen", slug="styrelsen"))
    get(client, "/om/styrelsen/")
    assert get(client, "/om/styrelsen/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        StandardPage.objects.get(pk=about.pk).delete()
    get(client, "/om/styrelsen/", status=404)


def test_an_evicted_generation_does_not_bring_back_a_purged_copy(
    client, home_page, page_cache, django_capture_on_commit_callbacks
):
    """A full cache culls (the file cache) or evicts (Redis) any key, the generations too: the
    copies from before a purge must not answer again."""
    from cms import pagecache

    make_issue(home_page)
    article = ArticlePage.objects.get()
    old = article.title
    get(client, "/nyheter/")
    assert old in _shown(client, "/nyheter/")
    article.title = "Efter rensningen"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert "Efter rensningen" in _shown(client, "/nyheter/")
    cache.delete_many([pagecache._generation_key("/nyheter/"), pagecache._ALL])  # evicted
    assert "Efter rensningen" in _shown(client, "/nyheter/")
    assert old not in _shown(client, "/nyheter/")
