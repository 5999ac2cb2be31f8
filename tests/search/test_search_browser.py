"""The search page in a real browser: type-ahead suggestions and marked excerpts."""

import pytest

from tests.api.content import build_content
from tests.fixtures.pages import make_home_page


@pytest.mark.browser
def test_type_ahead_and_highlighted_results(page, live_server, transactional_db):
    content = build_content(make_home_page())
    page.goto(f"{live_server.url}/search/")
    page.fill("#search-q", "Välk")
    suggestion = page.get_by_role("option", name=content.welcome.title)
    suggestion.wait_for()
    assert page.locator("#search-suggestions").is_visible()
    # An ARIA combobox: expanded, and the arrow keys move the active option.
    combobox = page.get_by_role("combobox", name="Sök på webbplatsen")
    assert combobox.get_attribute("aria-expanded") == "true"
    combobox.press("ArrowDown")
    active = combobox.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    # Escape closes the list.
    combobox.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false"
    assert not page.locator("#search-suggestions").is_visible()

    page.fill("#search-q", "Polen")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector(".search-result__excerpt mark")
    assert page.locator(".search-result__excerpt mark").first.inner_text() == "Polen"
    assert "1 träff" in page.locator(".search-summary").inner_text()
