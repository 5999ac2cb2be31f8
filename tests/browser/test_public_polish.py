"""Public polish (issue 14, point 12), seen in a browser on the demo site: one border on quotes,
member cards without placeholder shields, event facts that fit a phone, no "no upcoming events"
above a list of events, and the footer at the bottom of a short page."""

import pytest

from home.demo.loader import Loader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORDERED = """(selector) => [...document.querySelectorAll(selector)].flatMap(
    (el) => [el, ...el.querySelectorAll('*')]
).filter((el) => parseFloat(getComputedStyle(el).borderLeftWidth) > 0).length"""


def test_public_pages_polish(browser, live_server, home_page):
    Loader().run()
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # The quote block: one border, not the wrapper's and the figure's.
        page.goto(live_server.url + "/nyheter/fran-ord-till-handling-pa-sex-dagar/")
        assert page.locator(".stream blockquote").count() == 1
        assert page.evaluate(BORDERED, ".stream .block-quote") == 1

        # Member cards: no drawn shields; a neutral mark where no coat of arms is known.
        page.goto(live_server.url + "/medlemmar/")
        cards = page.locator(".municipality")
        assert cards.count() >= 15
        assert page.locator(".municipality img[src*='vapen']").count() == 0
        assert page.locator(".municipality__arms--none").count() == cards.count()

        # Home page: the demo's events are past, so the list is of recent events, without
        # a "no upcoming events" line above it.
        page.goto(live_server.url + "/")
        section = page.locator("section[aria-labelledby='events-heading']")
        assert section.locator(".teaser--event").count() > 0
        assert "Inga kommande evenemang" not in section.inner_text()

        # A short page: the footer reaches the bottom of the window.
        page.goto(live_server.url + "/finns-inte/")
        bottom = page.evaluate(
            "() => document.querySelector('.site-footer').getBoundingClientRect().bottom"
        )
        assert bottom >= 900 - 1
    finally:
        context.close()

    # Event facts on a phone: nothing wider than the screen.
    phone = browser.new_context(locale="sv-SE", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    try:
        page.goto(live_server.url + "/kalender/varmote-2022/")
        assert page.locator(".facts dd").count() > 0
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('.facts dd')]"
            ".filter((dd) => dd.scrollWidth > dd.clientWidth + 1).map((dd) => dd.textContent)"
        )
        assert overflowing == []
    finally:
        phone.close()
