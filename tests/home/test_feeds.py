"""RSS, Atom, iCalendar, sitemap.xml and robots.txt, read back with real parsers."""

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import icalendar
import pytest

from django.utils import timezone

from .helpers import add_articles, add_event, calendar, news_index

pytestmark = pytest.mark.django_db


def test_rss_and_atom_list_the_news_newest_first(client, home_page):
    index = news_index(home_page)
    add_articles(index, 3, tags=["Medlemskommuner"], with_images=False)
    for url in ("/feeds/nyheter.rss", "/feeds/nyheter.atom"):
        response = client.get(url)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title == "SmåKom – nyheter"
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Nyhet 2", "Nyhet 1", "Nyhet 0"]
        entry = feed.entries[0]
        assert entry.link == "http://testserver/nyheter/nyhet-2/"
        assert entry.summary == "Sammanfattning 2"
        assert entry.published_parsed[:3] == (2022, 1, 3)
        assert [t.term for t in entry.tags] == ["Medlemskommuner"]


def test_feed_leaves_out_unpublished_articles(client, home_page):
    index = news_index(home_page)
    draft, live = add_articles(index, 2, with_images=False)
    draft.unpublish()
    feed = feedparser.parse(client.get("/feeds/nyheter.rss").content)
    assert [e.title for e in feed.entries] == [live.title]


def test_every_page_links_its_feed(client, home_page):
    html = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html


def test_event_ics_parses_with_times_and_place(client, home_page):
    event = add_event(
        calendar(home_page),
        "varmote-2022",
        dt.datetime(2022, 4, 27, 10, 0),
        hours=51,
        title="Vårmöte 27-29 april 2022",
        location_name="Lerdalshöjden",
        location_city="Rättvik",
        price_text="2 195 kr/person",
        extended_deadline=dt.date(2022, 4, 8),
    )
    response = client.get("/kalender/varmote-2022/ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="varmote-2022.ics"' in response["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(response.content)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Vårmöte 27-29 april 2022"
    assert str(vevent["LOCATION"]) == "Lerdalshöjden, Rättvik"
    # 10.00 Swedish summer time is 08.00 UTC.
    assert vevent.decoded("DTSTART") == dt.datetime(2022, 4, 27, 8, 0, tzinfo=dt.UTC)
    assert vevent.decoded("DTEND") == event.end.astimezone(dt.UTC)
    assert "Pris: 2 195 kr/person" in str(vevent["DESCRIPTION"])
    assert "Sista anmälningsdag: 2022-04-08" in str(vevent["DESCRIPTION"])
    assert str(vevent["URL"]) == "http://testserver/kalender/varmote-2022/"
    assert str(vevent["UID"]) == f"event-{event.pk}@smakom.se"


def test_upcoming_events_feed_has_only_upcoming_events(client, home_page):
    index = calendar(home_page)
    now = timezone.now()
    add_event(index, "forr", now - dt.timedelta(days=30), title="Förr")
    add_event(index, "snart", now + dt.timedelta(days=3), title="Snart")
    add_event(index, "sedan", now + dt.timedelta(days=30), title="Sedan")
    for url in ("/feeds/kalender.ics", "/kalender/ics/"):
        cal = icalendar.Calendar.from_ical(client.get(url).content)
        assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Snart", "Sedan"], url


def test_sitemap_lists_live_pages_only(client, home_page):
    index = news_index(home_page)
    draft, live = add_articles(index, 2, with_images=False)
    draft.unpublish()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.fromstring(response.content)  # noqa: S314 (our own response)
    locs = {el.text for el in tree.findall("s:url/s:loc", ns)}
    assert "http://testserver/" in locs
    assert "http://testserver/nyheter/" in locs
    assert f"http://testserver/nyheter/{live.slug}/" in locs
    assert f"http://testserver/nyheter/{draft.slug}/" not in locs


def test_robots_txt_points_at_the_sitemap(client, home_page):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
