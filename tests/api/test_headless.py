"""Headless frontends: conditional GETs and caching, the anonymous rate limit, draft previews."""

import datetime
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.test import RequestFactory

from api.caching import api_urls_for_page
from api.preview import MODE, make_token, serve_headless_preview

pytestmark = pytest.mark.django_db

API = "/api/v2/pages/"
PREVIEW = "/api/v2/preview/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


# -- conditional GETs -----------------------------------------------------------------------------


def test_detail_has_etag_last_modified_and_answers_304(client, content):
    content.welcome.save_revision().publish()
    url = f"{API}{content.welcome.pk}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert first.headers["Last-Modified"]
    cache_control = first.headers["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control
    assert "s-maxage=300" in cache_control

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    # A proxy that compressed the body weakens the tag; still a match.
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_etag_changes_when_a_page_it_shows_changes(client, content):
    # The issue's body shows the article's title in a teaser: retitling the article changes
    # the issue's answer though the issue itself was not published again.
    url = f"{API}{content.issue.pk}/"
    content.issue.save_revision().publish()
    before = client.get(url)
    content.welcome.title = "Välkommen, nya medlemmar"
    content.welcome.save_revision().publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=before.headers["ETag"])
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    # If-Modified-Since alone never gives 304: the issue's own date says nothing of the teaser.
    stale = client.get(url, HTTP_IF_MODIFIED_SINCE=before.headers["Last-Modified"])
    assert stale.status_code == 200


def test_listing_etag_and_304(client, content):
    params = {"type": "home.ArticlePage"}
    first = client.get(API, params)
    assert "Last-Modified" not in first.headers
    assert client.get(API, params, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 304
    content.board.unpublish()
    assert client.get(API, params, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 200


def test_errors_are_not_cached(client, content):
    response = client.get(API, {"limit": "ten"})
    assert response.status_code == 400
    assert "ETag" not in response.headers and "public" not in response.get("Cache-Control", "")


def test_api_urls_for_page_name_detail_and_listings(content, settings):
    settings.WAGTAILAPI_BASE_URL = "https://smakom.se"
    urls = api_urls_for_page(content.welcome)
    base = "https://smakom.se/api/v2/pages/"
    assert urls[0] == f"{base}{content.welcome.pk}/"
    assert base in urls
    assert f"{base}?type=home.ArticlePage" in urls
    assert f"{base}?child_of={content.articles.pk}" in urls


# -- rate limit --------------------------------------------------------------------------------


def test_anonymous_clients_get_429_with_retry_after(client, content, settings):
    settings.API_RATE_LIMIT = (3, 60)
    start = datetime.datetime(2026, 5, 1, 12, 0, 10, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert client.get(API).status_code == 200
        limited = client.get(API)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "50"
        assert "too many requests" in limited.json()["message"]
        # Another address has its own allowance.
        assert client.get(API, REMOTE_ADDR="192.0.2.7").status_code == 200
    # The next window.
    with time_machine.travel(start + datetime.timedelta(seconds=51), tick=False):
        assert client.get(API).status_code == 200


def test_exempt_networks_and_logged_in_users_are_not_limited(client, content, settings):
    settings.API_RATE_LIMIT = (1, 60)
    settings.API_RATE_LIMIT_EXEMPT = ["10.1.0.0/16"]
    for _ in range(3):
        assert client.get(API, REMOTE_ADDR="10.1.2.3").status_code == 200
    user = get_user_model().objects.create_superuser("ed", "ed@example.se", "x")
    client.force_login(user)
    for _ in range(3):
        assert client.get(API).status_code == 200


# -- draft previews ----------------------------------------------------------------------------


def draft(page, title):
    page.title = title
    return page.save_revision()


def test_preview_returns_the_draft_in_the_pages_shape(client, content):
    revision = draft(content.welcome, "Utkast: välkommen")
    token = make_token(content.welcome.pk, revision.pk)
    response = client.get(PREVIEW, {"token": token})
    assert response.status_code == 200, response.content
    data = response.json()
    published = client.get(f"{API}{content.welcome.pk}/").json()
    assert data["title"] == "Utkast: välkommen" and published["title"] != data["title"]
    assert set(data) == set(published)
    assert data["meta"]["type"] == "home.ArticlePage"
    assert "no-store" in response.headers["Cache-Control"]
    assert "ETag" not in response.headers


def test_preview_token_is_bound_to_its_revision(client, content):
    first = draft(content.welcome, "Första utkastet")
    token = make_token(content.welcome.pk, first.pk)
    draft(content.welcome, "Andra utkastet")
    assert client.get(PREVIEW, {"token": token}).json()["title"] == "Första utkastet"


def test_forged_or_altered_tokens_get_403(client, content):
    revision = draft(content.welcome, "Hemligt utkast")
    token = make_token(content.welcome.pk, revision.pk)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    # The same signature over another page's id: a token we never signed.
    other = make_token(content.grastorp.pk, revision.pk)
    payload = signing.b64_encode(
        json.dumps({"page": content.grastorp.pk, "revision": revision.pk}).encode()
    ).decode()
    swapped = ":".join([payload, *token.split(":")[1:]])
    for bad in (tampered, "not-a-token", swapped):
        response = client.get(PREVIEW, {"token": bad})
        assert response.status_code == 403, bad
        assert "Hemligt" not in response.content.decode()
    # A correctly signed token whose revision is not this page's finds nothing.
    assert client.get(PREVIEW, {"token": other}).status_code == 404
    assert client.get(PREVIEW).status_code == 400


def test_expired_token_gets_410(client, content, settings):
    settings.HEADLESS_PREVIEW_MAX_AGE = 600
    revision = draft(content.welcome, "Gammalt utkast")
    start = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        token = make_token(content.welcome.pk, revision.pk)
    with time_machine.travel(start + datetime.timedelta(seconds=599), tick=False):
        assert client.get(PREVIEW, {"token": token}).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=601), tick=False):
        response = client.get(PREVIEW, {"token": token})
        assert response.status_code == 410
        assert "Gammalt" not in response.content.decode()


def test_preview_mode_offered_only_with_a_frontend(content, settings):
    settings.HEADLESS_PREVIEW_URL = ""
    assert MODE not in dict(content.welcome.preview_modes)
    settings.HEADLESS_PREVIEW_URL = "https://app.example.se/preview?site=smakom"
    modes = dict(content.welcome.preview_modes)
    assert str(modes[MODE]) == "Förhandsgranska i webbplatsens frontend"
    # The issue keeps its email modes and gets the frontend too.
    assert {"", "email", MODE} <= set(dict(content.issue.preview_modes))
    assert MODE in dict(content.spring_meeting.preview_modes)


def test_editor_preview_sends_the_frontend_a_token_for_the_saved_draft(client, content, settings):
    settings.HEADLESS_PREVIEW_URL = "https://app.example.se/preview?site=smakom"
    revision = draft(content.spring_meeting, "Vårmöte (utkast)")
    request = RequestFactory().get("/admin/")
    response = content.spring_meeting.serve_preview(request, MODE)
    response.render()
    html = response.content.decode()
    url = re.search(r'<iframe[^>]+src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert url.startswith("https://app.example.se/preview?site=smakom&token=")
    query = parse_qs(urlsplit(url).query)
    assert query["id"] == [str(content.spring_meeting.pk)]
    assert query["type"] == ["home.EventPage"]
    data = client.get(PREVIEW, {"token": query["token"][0]}).json()
    assert data["title"] == "Vårmöte (utkast)"
    assert revision.pk
    assert "no-store" in response.headers["Cache-Control"]


def test_unsaved_page_has_nothing_to_preview_yet(content, settings):
    from home.models import ArticlePage

    settings.HEADLESS_PREVIEW_URL = "https://app.example.se/preview"
    response = serve_headless_preview(ArticlePage(title="Ny"), RequestFactory().get("/"))
    response.render()
    assert "Spara ett utkast först" in response.content.decode()
