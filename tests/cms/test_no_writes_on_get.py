"""No public GET writes to the database (issue 13): the embedded default's database cache used
to store image renditions on every view (`UPDATE cms_cache`, `BEGIN IMMEDIATE`), which
serialised SQLite under load. Checked with the production cache setup (file cache + in-memory
renditions), with the page cache off and on."""

import pytest

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

import cms.settings.base as base_settings
from tests.newsletter.issue_content import make_article, make_event, make_issue

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def test_no_configured_cache_lives_in_the_database():
    for alias, config in base_settings.CACHES.items():
        assert "db.DatabaseCache" not in config["BACKEND"], alias
    renditions = import_string(base_settings.CACHES["renditions"]["BACKEND"])
    assert issubclass(renditions, LocMemCache)


@pytest.fixture
def production_caches(settings, tmp_path):
    settings.CACHES = {
        **base_settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    yield
    for alias in ("default", "renditions"):
        caches[alias].clear()


@pytest.mark.parametrize("page_cache_seconds", [0, 600])
def test_public_gets_never_write(
    client, home_page, production_caches, settings, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    issue = make_issue(home_page)
    article = make_article(home_page, 2)
    event = make_event(home_page, 2)
    urls = [
        "/",
        "/nyheter/",
        article.url,
        "/kalender/",
        event.url,
        f"{event.url}ics/",
        "/nyhetsbrev/",
        issue.url,
        "/feeds/nyheter.rss",
        "/feeds/kalender.ics",
        "/sitemap.xml",
        "/robots.txt",
        "/api/v2/pages/?type=home.ArticlePage&fields=*",
        f"/api/v2/pages/{article.pk}/",
        "/nyhetsbrev/prenumerera/",
        "/nyhetsbrev/prenumerera/formular/",
        "/nyhetsbrev/avsluta/",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url  # the first view makes renditions
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        writes = [
            q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
        ]
        assert not writes, (url, writes)
