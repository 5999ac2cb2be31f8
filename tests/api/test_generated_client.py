"""A client generated from the served schema with openapi-python-client works: its package name
is ASCII, it imports, and it lists articles and fetches an issue with its sections.

Offline: the generator runs locally without post-hooks; the generated package is imported from
where it was generated, and its httpx client talks to the app through a WSGI transport."""

import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from django.core.wsgi import get_wsgi_application

from .test_openapi_fuzz import keep_db_connection  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated_client(client, tmp_path, monkeypatch):
    schema = tmp_path / "openapi.json"
    schema.write_bytes(client.get("/api/v2/openapi.json").content)
    config = tmp_path / "config.yml"
    config.write_text("post_hooks: []\n")
    out = tmp_path / "client"
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--config", str(config)]
        + ["--output-path", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert 'name = "smakom-api-client"' in (out / "pyproject.toml").read_text()
    monkeypatch.syspath_prepend(str(out))
    for name in [m for m in sys.modules if m.startswith("smakom_api_client")]:
        del sys.modules[name]
    return importlib.import_module("smakom_api_client")


def test_generated_client_lists_articles_and_fetches_an_issue(
    generated_client,
    content,
    keep_db_connection,  # noqa: F811
):
    package = generated_client
    list_pages = importlib.import_module("smakom_api_client.api.default.list_pages")
    get_pages = importlib.import_module("smakom_api_client.api.default.get_pages")
    models = importlib.import_module("smakom_api_client.models")

    transport = httpx.WSGITransport(app=get_wsgi_application())
    api = package.Client(base_url="http://testserver", httpx_args={"transport": transport})

    listing = list_pages.sync(
        client=api,
        type_=models.ListPagesType("home.ArticlePage"),
        order=models.ListPagesOrder("-first_published_at"),
        fields="title",
        limit=10,
    )
    assert listing.meta.total_count == 3
    assert {
        item.additional_properties.get("title") or getattr(item, "title", None)
        for item in listing.items
    } == {
        content.grastorp.title,
        content.welcome.title,
        content.board.title,
    }

    response = get_pages.sync_detailed(client=api, id=content.issue.pk)
    assert response.status_code == 200
    issue = response.parsed.to_dict()
    assert issue["title"] == content.issue.title
    assert issue["meta"]["type"] == "newsletter.NewsletterIssuePage"
    sections = {section["type"]: section["value"] for section in issue["body"]}
    assert sections["article_teaser"]["article"]["title"] == content.welcome.title
    assert response.headers["ETag"]
