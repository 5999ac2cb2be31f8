"""The search page in a real browser: type-ahead suggestions and marked excerpts."""

import pytest

from tests.api.content import build_content
from tests.fixtures.pages import make_home_page


@pytest.mark.browser
def test_type_ahead_and_highlighted_results(page, live_server, transactional_db):
    content = build_content(make_home_page())
    page.goto(f"{live_server.url}/search/")
    page.fill("#search-q", "Välk")
    suggestion = page.locator("#search-suggestions a", has_text=content.welcome.title)
    suggestion.wait_for()
    assert page.locator("#search-suggestions").is_visible()

    page.fill("#search-q", "Polen")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector(".search-result__excerpt mark")
    assert page.locator(".search-result__excerpt mark").first.inner_text() == "Polen"
    assert "1 träff" in page.locator(".search-summary").inner_text()
