"""A visitor in a real browser: home → news → article → calendar → event → the .ics file;
and the layout holds on a 375 px phone."""

import icalendar
import pytest

from home.demo.loader import Loader

pytestmark = [
    pytest.mark.browser,
    # Transactional (a live server); tests/fixtures/pages.py restores Wagtail's roots after
    # an earlier test's flush.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_site(home_page):
    return Loader().run()


def test_home_news_article_calendar_event_ics(page, live_server, demo_site):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Nyheter").click()
    page.get_by_role("heading", level=1, name="Nyheter").wait_for()

    page.get_by_role("link", name="Välkommen Tranemo och Vårgårda kommuner!").click()
    page.get_by_role("heading", level=1, name="Välkommen Tranemo och Vårgårda kommuner!").wait_for()
    assert "drygt 12 000 invånare" in page.locator("main").inner_text()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kalender").click()
    page.get_by_role("heading", level=2, name="Tidigare evenemang").wait_for()
    page.get_by_role("link", name="Vårmöte 27-29 april 2022").click()
    page.get_by_role("heading", level=1, name="Vårmöte 27-29 april 2022").wait_for()
    assert "Lerdalshöjden, Rättvik" in page.locator("dl.facts").first.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Lägg till i kalendern (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "varmote-2022.ics"
    with open(download.path(), "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Vårmöte 27-29 april 2022"


def test_phone_width_has_no_sideways_scrolling(browser, live_server, demo_site):
    context = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 740})
    phone = context.new_page()
    try:
        for path in (
            "/",
            "/nyheter/",
            "/nyheter/fran-ord-till-handling-pa-sex-dagar/",
            "/kalender/",
            "/kalender/varmote-2022/",
            "/medlemmar/",
        ):
            phone.goto(live_server.url + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width}px wide"
        # The skip link appears on focus and leads to the main content.
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.className") == "skip-link"
    finally:
        context.close()
