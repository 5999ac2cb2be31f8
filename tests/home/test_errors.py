"""Swedish 404 and 500 pages."""

import pytest

from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_404_is_swedish_with_the_site_around_it(client, home_page):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Sidan hittades inte" in html
    assert 'href="/nyheter/"' in html  # a way on
    assert 'class="skip-link"' in html


@override_settings(DEBUG=False)
def test_500_is_swedish_and_self_contained(client, home_page, monkeypatch):
    from home import views
    from home.models import HomePage

    # Fault injection, not a mock: no real page fails on demand, so make one raise and let
    # Django take the real handler500 path.

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomePage, "serve", boom)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Något gick fel" in html
    assert "<style>" in html and "/static/" not in html
    # Rendering it needs no database.
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        views.server_error(RequestFactory().get("/"))
    assert len(ctx.captured_queries) == 0
