"""Production start-up pieces: gunicorn's master warms up without touching the database, and
static URLs are worked out once per process, the same as WhiteNoise's manifest storage."""

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from django.core.management import call_command
from django.db import connections
from django.template import engines

from cms.staticstorage import StaticStorage
from cms.warmup import warm_up


def test_warm_up_compiles_the_sites_templates_without_a_database_connection(monkeypatch):
    for connection in connections.all():
        connection.close()
    opened = []
    monkeypatch.setattr(
        "django.db.backends.base.base.BaseDatabaseWrapper.connect",
        lambda self: opened.append(self.alias),
    )
    loader = engines["django"].engine.template_loaders[0]
    assert loader.__class__.__name__ == "Loader"  # Django's cached loader
    loader.reset()  # what earlier tests rendered in this process
    compiled = warm_up()
    assert compiled > 20
    assert opened == []
    names = set(map(str, loader.get_template_cache))
    assert "home/article_page.html" in names and "components/footer.html" in names
    assert not any("/admin/" in name for name in names)


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "cms.staticstorage.StaticStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_static_urls_are_the_manifests_and_kept(collected, monkeypatch):
    ours, whitenoise = StaticStorage(), CompressedManifestStaticFilesStorage()
    url = ours.url("css/site.css")
    assert url == whitenoise.url("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"  # hashed
    with pytest.raises(ValueError):
        ours.url("css/finns-inte.css")  # a missing file still fails loudly
    monkeypatch.setattr(
        CompressedManifestStaticFilesStorage, "url", lambda *a, **k: pytest.fail("looked up")
    )
    assert ours.url("css/site.css") == url
