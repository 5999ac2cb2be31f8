"""GET /healthz: what a load balancer probes, on SQLite and PostgreSQL."""

import json

import pytest
from django_tasks_db.models import DBTaskResult

from django.db import connection

from cms.settings.base import TASKS as DB_TASKS
from newsletter.tasks.audience import apply_webhook_events
from tests.fixtures.nodes import free_port

pytestmark = pytest.mark.django_db


def probe(client, **extra):
    response = client.get("/healthz", **extra)
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response and not response.cookies
    return response, json.loads(response.content)


def test_healthy_node_answers_200_with_the_queue_depth(client, settings):
    settings.TASKS = DB_TASKS
    apply_webhook_events.enqueue()
    response, body = probe(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert (body["database"], body["cache"]) == ("ok", "ok")
    assert body["queue"]["ready"] == DBTaskResult.objects.filter(status="READY").count() == 1
    assert body["queue"]["oldest_ready_seconds"] >= 0


def test_probe_by_address_over_http_is_answered_not_redirected(client, settings):
    # Production: only the public host names, and HTTPS enforced; the balancer probes the node's
    # address over plain HTTP.
    settings.ALLOWED_HOSTS = ["smakom.se"]
    settings.SECURE_SSL_REDIRECT = True
    response, body = probe(client, HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200 and body["status"] == "ok"
    # Every other URL still refuses the unknown host.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000", secure=True).status_code == 400


def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code != 200


def test_cache_down_is_degraded_but_serving(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }
    response, body = probe(client)
    assert response.status_code == 200
    assert (body["status"], body["cache"], body["database"]) == ("degraded", "error", "ok")


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503(client, monkeypatch):
    connection.close()
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/dir/db.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "PORT", str(free_port()))
    try:
        response, body = probe(client)
    finally:
        connection.close()
    assert response.status_code == 503
    assert body == {"status": "down", "database": "error", "cache": "ok", "queue": None}


def _production_cache_for(monkeypatch, redis_url: str) -> dict:
    """CACHES["default"] as the settings make it when REDIS_URL is set."""
    import runpy

    import cms.settings.base as base

    monkeypatch.setenv("REDIS_URL", redis_url)
    return runpy.run_path(base.__file__)["CACHES"]["default"]


def test_with_the_cache_down_pages_api_and_publishing_still_work(
    client, home_page, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A Redis outage makes the site slower, not down: "degraded" must mean serving."""
    from django.core.cache import caches

    from home.models import ArticlePage
    from tests.newsletter.issue_content import make_article

    article = make_article(home_page, 1)
    settings.PAGE_CACHE_SECONDS = 600
    # Nothing listens there.
    settings.CACHES = {
        "default": _production_cache_for(monkeypatch, f"redis://127.0.0.1:{free_port()}/0")
    }
    try:
        for url in ("/", "/nyheter/", article.url, "/api/v2/pages/", "/robots.txt"):
            for _ in range(2):
                assert client.get(url).status_code == 200, url
        article = ArticlePage.objects.get(pk=article.pk)
        article.title = "Nytt under avbrottet"
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        assert "Nytt under avbrottet" in client.get(article.url).content.decode()
        response, body = probe(client)
        assert response.status_code == 200
        assert (body["status"], body["cache"], body["database"]) == ("degraded", "error", "ok")
    finally:
        caches["default"].close()
