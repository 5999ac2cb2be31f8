"""Every page type renders the demo content, in Swedish, with the site chrome around it."""

import pytest
from bs4 import BeautifulSoup

from home.models import ArticlePage, EventPage, Municipality

pytestmark = pytest.mark.django_db


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return BeautifulSoup(response.content, "html.parser")


def test_home_page(client, demo):
    soup = get_html(client, "/")
    assert soup.html["lang"] == "sv"
    assert soup.select_one("a.skip-link")["href"] == "#main"
    assert soup.select_one("main#main")
    nav = [a.get_text(strip=True) for a in soup.select("nav.main-nav a")]
    assert nav == ["Nyheter", "Kalender", "Medlemmar", "Nyhetsbrev", "Om SmåKom", "Sök"]
    assert "70 medlemskommuner" in soup.select_one(".member-count").get_text(" ", strip=True)
    featured = soup.select_one(".featured h3").get_text(strip=True)
    assert featured == "Vad händer i Grästorp? Från ord till handling på sex dagar"
    assert len(soup.select(".home-grid .teaser:not(.teaser--event)")) == 3
    # The demo events are in 2022: the home page shows the latest ones under their own heading,
    # never "no upcoming events" above a list of events.
    assert soup.select_one("#events-heading").get_text() == "Senaste evenemangen"
    assert soup.select(".teaser--event")
    assert "Inga kommande evenemang just nu." not in soup.get_text()
    assert soup.select_one("#signup-cta-heading").get_text() == "Prenumerera på nyhetsbrevet"
    footer = soup.select_one("footer").get_text(" ", strip=True)
    assert "charlotta@smakom.se" in footer and "0706 725 649" in footer
    assert soup.select_one('link[rel=alternate][type="application/rss+xml"]')["href"] == (
        "/feeds/nyheter.rss"
    )
    assert soup.select_one("link[rel=canonical]")["href"] == "http://testserver/"


def test_member_count_follows_the_municipalities(client, demo):
    Municipality.objects.filter(slug="tranemo").update(is_member=False)
    soup = get_html(client, "/")
    assert soup.select_one(".member-count strong").get_text() == "69"


def test_article_page(client, demo):
    soup = get_html(client, "/nyheter/fran-ord-till-handling-pa-sex-dagar/")
    assert soup.h1.get_text() == (
        "Från ord till handling på sex dagar - empati som ett kraftfullt verktyg"
    )
    meta = soup.select_one(".article__meta").get_text(" ", strip=True)
    assert "1 april 2022" in meta
    assert "Av Sophia Vikström, kommunchef Grästorps kommun" in meta
    assert "72 ukrainska flyktingar" in soup.select_one(".stream").get_text()
    assert soup.select_one("blockquote")
    assert soup.select_one("a.button").get_text() == "Mer info här"
    # Hero image through renditions: <picture> with a WebP source and a srcset.
    picture = soup.select_one(".article__hero picture")
    assert picture.select_one('source[type="image/webp"]')["srcset"].count(",") == 2
    assert picture.img["alt"]
    assert soup.select_one('meta[property="og:type"]')["content"] == "article"
    assert soup.select_one('meta[property="og:image"]')["content"].startswith("http://testserver/")
    assert "Grästorp" in [li.get_text() for li in soup.select(".chip-list li")]


def test_article_index(client, demo):
    soup = get_html(client, "/nyheter/")
    titles = [a.get_text(strip=True) for a in soup.select(".teaser__title a")]
    assert len(titles) == ArticlePage.objects.live().count() == 8
    # Newest first.
    assert titles[0] in {
        "Vad händer i Grästorp? Från ord till handling på sex dagar",
        "SmåKom tipsar: välfärdsteknik, SNS, Sbo och Adda Kompetens",
    }
    assert titles[-1] == "Riksdagen 15-17 mars: åtta partier på två dagar"
    assert soup.select_one(".tag-filter")


def test_event_page(client, demo):
    soup = get_html(client, "/kalender/varmote-2022/")
    facts = soup.select_one("dl.facts").get_text(" ", strip=True)
    assert "27–29 april 2022" in facts
    assert "Lerdalshöjden, Rättvik" in facts
    assert "2 195 kr/person" in facts
    assert "8 april 2022 (förlängd anmälan)" in facts
    assert soup.select_one('a[href="/kalender/varmote-2022/ics/"]')

    soup = get_html(client, "/kalender/webbinarium-2g-3g-naten-stangs-ned/")
    facts = soup.select_one("dl.facts").get_text(" ", strip=True)
    assert "5 maj 2022 kl. 10.00–11.00" in facts
    assert "Digitalt" in facts
    assert "kostnadsfritt för medlemmar" in facts
    assert "Endast medlemmar" in facts


def test_event_index(client, demo):
    soup = get_html(client, "/kalender/")
    assert "Inga kommande evenemang just nu." in soup.get_text()
    past = [a.get_text(strip=True) for a in soup.select("#past-heading ~ .teaser-list a")]
    # Newest first: the welfare-technology workshop (11 May) before the SNS seminar (8 April).
    assert past[0] == "Erfarenhetsutbyte om välfärdsteknik"
    assert past[-1] == "Bör bostadsbidraget reformeras?"
    assert len(past) == EventPage.objects.count() == 4


def test_municipality_index(client, demo):
    soup = get_html(client, "/medlemmar/")
    assert len(soup.select(".municipality")) == 70
    vargarda = soup.select_one("#vargarda").get_text(" ", strip=True)
    assert "Västra Götalands län" in vargarda
    assert "ca 12 000" in vargarda.replace("\xa0", " ")
    assert "440 km²" in vargarda
    assert "18 mars 2022" in vargarda
    assert "24 februari 2022" in soup.select_one("#habo").get_text()


def test_standard_pages_and_newsletter_index(client, demo):
    from newsletter.models import NewsletterIndexPage

    soup = get_html(client, "/om-smakom/")
    assert soup.h1.get_text() == "Om SmåKom"
    assert soup.select_one('a.button[href="/kontakt/"]')
    assert soup.select_one("meta[name=viewport]")["content"] == (
        "width=device-width, initial-scale=1"
    )
    soup = get_html(client, "/kontakt/")
    assert "0706 725 649" in soup.select_one("main").get_text()
    assert NewsletterIndexPage.objects.get().url == "/nyhetsbrev/"
    assert client.get("/nyhetsbrev/").status_code == 200


@pytest.mark.parametrize(
    ("page", "url", "error"),
    [
        (False, "", "Choose a page or enter a link."),
        (True, "", None),
        (True, "https://x.se/", None),
    ],
)
def test_button_block_needs_a_page_or_a_link(home_page, page, url, error):
    from django.utils import translation

    from wagtail.blocks.struct_block import StructBlockValidationError

    from cms.blocks import CallToActionBlock

    block = CallToActionBlock()
    value = block.to_python({"text": "Mer", "page": home_page.pk if page else None, "url": url})
    with translation.override("en"):
        if error is None:
            block.clean(value)
            return
        with pytest.raises(StructBlockValidationError) as caught:
            block.clean(value)
        assert [str(m) for m in caught.value.block_errors["url"].messages] == [error]
