"""The per-process rendition cache keeps what it holds: a page view reads an article's renditions
from it without storing them again (Wagtail writes back what it read from the cache)."""

import pickle

import pytest

from django.core.cache import caches

from cms.renditioncache import RenditionCache
from tests.home.helpers import add_articles, news_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def renditions(settings):
    settings.CACHES = {
        **settings.CACHES,
        "renditions": {"BACKEND": "cms.renditioncache.RenditionCache", "LOCATION": "test-r"},
    }
    cache = caches["renditions"]
    assert isinstance(cache, RenditionCache)
    cache.clear()
    yield cache
    cache.clear()


def test_set_and_set_many_add_only_missing_keys(renditions):
    renditions.set("kept", "first")
    renditions.set("kept", "again")
    renditions.set_many({"kept": "second", "new": "third"})
    assert renditions.get_many(["kept", "new"]) == {"kept": "first", "new": "third"}
    renditions.delete("kept")  # Wagtail's purge when a rendition is deleted
    renditions.set_many({"kept": "fourth"})
    assert renditions.get("kept") == "fourth"


def test_an_article_view_stores_its_renditions_once(client, home_page, renditions, monkeypatch):
    (article,) = add_articles(news_index(home_page), 1)
    assert client.get(article.url).status_code == 200  # makes and caches the renditions
    stored = len(renditions._cache)
    assert stored >= 6  # the hero's picture sources and the sharing image
    pickled = []
    real_dumps = pickle.dumps
    monkeypatch.setattr(
        "django.core.cache.backends.locmem.pickle.dumps",
        lambda value, *a, **k: pickled.append(value) or real_dumps(value, *a, **k),
    )
    for _ in range(2):
        assert client.get(article.url).status_code == 200
    assert pickled == []
    assert len(renditions._cache) == stored
