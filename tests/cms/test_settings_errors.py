"""Production configuration mistakes stop the process at start with a message that names the
variable, instead of failing on every request (or with a bare KeyError)."""

import runpy

import pytest

from django.core.exceptions import ImproperlyConfigured

import cms.settings.base as base


def load_settings(monkeypatch, **env) -> dict:
    for name in ("REDIS_URL", "MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base.__file__)


@pytest.mark.parametrize("url", ["127.0.0.1:6379", "localhost", "http://redis:6379/0"])
def test_a_redis_url_without_its_scheme_is_refused_at_start(monkeypatch, url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        load_settings(monkeypatch, REDIS_URL=url)


def test_a_good_redis_url_selects_the_shared_cache(monkeypatch):
    caches = load_settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")["CACHES"]
    assert caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert "Redis" in caches["default"]["BACKEND"]


def test_s3_media_without_a_bucket_names_the_missing_variable(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        load_settings(monkeypatch, MEDIA_STORAGE="s3")
