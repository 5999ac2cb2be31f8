"""The email rendering of an issue, asserted on the real MJML output and plain text."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import NewsletterIssuePage
from newsletter.rendering import render_email
from tests.newsletter.issue_content import ISSUE_DATE, make_article, make_issue, site_settings

pytestmark = pytest.mark.django_db

UTM = {"utm_source": ["nyhetsbrev"], "utm_medium": ["email"], "utm_campaign": ["2022-04"]}


@pytest.fixture
def issue(home_page):
    return make_issue(home_page)


@pytest.fixture
def rendered(issue):
    return render_email(issue)


def soup(html):
    return BeautifulSoup(html, "html.parser")


def test_document_is_swedish_and_uses_presentation_tables(rendered):
    doc = soup(rendered.html)
    assert rendered.html.lower().startswith("<!doctype html>")
    assert doc.html["lang"] == "sv"
    tables = doc.find_all("table")
    assert tables
    assert all(t.get("role") == "presentation" for t in tables)
    assert doc.title.string == "SmåKom nyhetsbrev april 2022"


def test_html_is_under_gmail_clipping_limit(rendered):
    assert len(rendered.html.encode()) < 102 * 1024


def test_every_url_is_absolute(rendered):
    doc = soup(rendered.html)
    urls = [a["href"] for a in doc.find_all("a", href=True)] + [
        i["src"] for i in doc.find_all("img")
    ]
    assert len(urls) > 15
    for url in urls:
        assert re.match(r"^(https?://|mailto:|\*\|[A-Z:]+\|\*$)", url), url


def test_images_are_renditions_for_the_column_with_alt_text(rendered):
    # The content's images (the logo in the header is tests/newsletter/test_mail_logo.py's).
    images = [i for i in soup(rendered.html).find_all("img") if "logo-email" not in i["src"]]
    assert len(images) == 3  # lead story, article teaser, image block
    for img in images:
        assert img["src"].startswith("http://testserver/media/images/")
        assert ".width-1100." in img["src"]
        assert img["width"] == "550"
        assert img["alt"].strip()
    alts = {img["alt"] for img in images}
    assert {"Bussarna lämnar Grästorp", "Beskrivning av bild 1", "Tranemo kyrka"} == alts


def test_utm_on_own_links_only(rendered, issue):
    links = [a["href"] for a in soup(rendered.html).find_all("a", href=True)]
    own = [u for u in links if urlsplit(u).hostname in {"testserver", "www.smakom.se"}]
    external = [
        u
        for u in links
        if urlsplit(u).hostname in {"www.sns.se", "www.migrationsverket.se", "anmalan.example.org"}
    ]
    assert own and external
    for url in own:
        query = parse_qs(urlsplit(url).query)
        assert {k: v for k, v in query.items() if k.startswith("utm_")} == UTM, url
    for url in external:
        assert "utm_" not in url, url


def test_merge_tags_survive_rich_text_and_footer(rendered):
    html = rendered.html
    assert "Hej *|FNAME|*!" in html
    assert 'href="*|UNSUB|*"' in html
    assert "*|LIST:ADDRESSLINE|*" in html
    assert "Hej *|FNAME|*!" in rendered.text
    assert "*|UNSUB|*" in rendered.text
    assert "*|LIST:ADDRESSLINE|*" in rendered.text


def test_preheader_is_hidden_text_at_the_top(rendered):
    doc = soup(rendered.html)
    first_div = doc.body.find("div")
    assert first_div.get_text(strip=True) == "Grästorp, nya medlemmar och Vårmötet"
    assert "display:none" in first_div["style"].replace(" ", "")
    assert rendered.preheader == "Grästorp, nya medlemmar och Vårmötet"


def test_explicit_colours_for_dark_mode(rendered):
    doc = soup(rendered.html)
    assert doc.find("meta", attrs={"name": "color-scheme"})["content"] == "light only"
    assert "background-color:#f2f6f8" in doc.body["style"].replace(" ", "")  # the site palette
    # Every text block and every section states its colours instead of inheriting the client's.
    text_divs = [d for d in doc.find_all("div") if "font-family" in d.get("style", "")]
    assert len(text_divs) > 20
    assert all(re.search(r"(^|;)color:#[0-9a-f]{6}", d["style"]) for d in text_divs)
    assert any("color:#1d2b36" in d["style"] for d in text_divs)
    sections = [d for d in doc.find_all("div") if "max-width:600px" in d.get("style", "")]
    assert sections and all("background" in d["style"] for d in sections)


def test_tips_are_two_columns_on_wide_screens_and_stack_on_phones(rendered):
    doc = soup(rendered.html)
    halves = doc.select("div.mj-column-per-50")
    assert len(halves) == 4  # three tips and one filler in the second row
    # Columns are inline blocks at full width by default; the media query widens them to 50%.
    assert "@media only screen and (min-width:480px)" in rendered.html
    assert ".mj-column-per-50 { width:50% !important" in rendered.html
    assert all("width:100%" in d["style"] for d in halves)


def test_footer_has_contact_reason_view_in_browser_and_unsubscribe(rendered):
    doc = soup(rendered.html)
    text = doc.get_text(" ")
    # The reason line is Mailchimp's permission reminder, pushed from the site settings
    # (tests/newsletter/test_audience_settings.py shows the preview and the delivered footer agree).
    assert "*|LIST:DESCRIPTION|*" in text
    assert "info@smakom.se" in text
    view = doc.find_all("a", string=re.compile("webbläsare"))
    assert view and view[0]["href"].startswith("http://testserver/nyhetsbrev/2022-04/?utm_source=")
    assert doc.find("a", href="*|UNSUB|*").get_text(strip=True) == "Avsluta prenumerationen"


def test_event_teaser_shows_date_place_price_deadline_and_button(rendered):
    text = soup(rendered.html).get_text(" ")
    assert "11 april 2022 kl. 10.00–11.00" in text
    assert "Lerdalshöjden, Rättvik" in text
    assert "2 195 kr/person" in text
    assert "Förlängd anmälan till" in text and "8 april 2022" in text
    button = soup(rendered.html).find("a", string=re.compile("PROGRAM & ANMÄLAN"))
    assert button["href"] == "https://anmalan.example.org/varmote"


def test_plain_text_is_complete(rendered):
    text = rendered.text
    assert "FRÅN ORD TILL HANDLING PÅ SEX DAGAR" in text
    assert "- Två bussar\n- 72 flyktingar" in text
    assert "Migrationsverket (https://www.migrationsverket.se/)" in text
    assert re.search(
        r"agerade Grästorp\s+\(http://testserver/nyheter/artikel-1-\w+/\?utm_source=nyhetsbrev",
        text,
    )
    assert "Information och anmälan: https://www.sns.se/seminarier" in text
    assert "Charlotta Haskovec, verksamhetsledare" in text
    assert "[Tranemo kyrka]" in text
    assert "<" not in text.replace("<<<", "")
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 76


def test_preview_backend_uses_real_address_and_unsubscribe_page(issue):
    rendered = render_email(issue, backend="preview")
    assert "*|" not in rendered.html.replace("*|FNAME|*", "")
    assert "Box 1" in rendered.html and "123 45 Småstad" in rendered.text
    assert "*|UNSUB|*" not in rendered.html
    assert rendered.unsubscribe_url.startswith("http://testserver/")


def test_renders_an_unsaved_page_and_a_revision_object(home_page, issue):
    unsaved = NewsletterIssuePage(
        title="Utkast",
        slug="utkast",
        issue_date=ISSUE_DATE,
        subject="Utkast",
        body=issue.body.raw_data[:3],
    )
    rendered = render_email(unsaved)
    assert "Från ord till handling" in rendered.html
    assert "http://testserver/nyhetsbrev/utkast/?utm_source" in rendered.html

    issue.subject = "Ändrad ämnesrad"
    issue.save_revision().publish()
    live = NewsletterIssuePage.objects.get(pk=issue.pk).live_revision.as_object()
    assert render_email(live).subject == "Ändrad ämnesrad"


def test_full_text_teaser_includes_the_article_body(home_page):
    article = make_article(
        home_page,
        7,
        body=[
            {"type": "paragraph", "value": "<p>Hela texten om kommunbesöken.</p>"},
            {"type": "heading", "value": {"text": "Mellanrubrik", "level": "h2"}},
        ],
    )
    issue = make_issue(
        home_page,
        body=[
            {
                "type": "article_teaser",
                "value": {"article": article.pk, "full_text": True, "show_image": False},
            }
        ],
    )
    rendered = render_email(issue)
    assert "Hela texten om kommunbesöken." in rendered.html
    assert "MELLANRUBRIK" in rendered.text
    assert "Sammanfattning av artikel 7" not in rendered.html


def _teasers(articles):
    return [
        {
            "type": "article_teaser",
            "value": {"article": a.pk, "show_image": True, "full_text": False},
        }
        for a in articles
    ]


def test_query_count_does_not_grow_with_teasers(home_page):
    site_settings()
    articles = [make_article(home_page, n) for n in range(12)]
    small = make_issue(home_page, slug="liten", body=_teasers(articles[:2]))
    large = make_issue(home_page, slug="stor", body=_teasers(articles))
    # Warm up: renditions are created on the first rendering.
    render_email(small)
    render_email(large)
    with CaptureQueriesContext(connection) as few:
        render_email(NewsletterIssuePage.objects.get(pk=small.pk))
    with CaptureQueriesContext(connection) as many:
        rendered = render_email(NewsletterIssuePage.objects.get(pk=large.pk))
    assert rendered.html.count("Läs mer") == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12


def test_document_links_are_absolute_and_merge_tag_links_stay_intact(home_page):
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Program", file=ContentFile(b"%PDF-1.4 program", name="program.pdf")
    )
    issue = make_issue(
        home_page,
        body=[
            {
                "type": "text",
                "value": {
                    "heading": "Vårmötet",
                    "text": (
                        f'<p>Hämta <a linktype="document" id="{document.pk}">programmet</a> eller '
                        'läs <a href="*|ARCHIVE|*">webbversionen</a>.</p>'
                    ),
                },
            }
        ],
    )
    rendered = render_email(issue)
    link = soup(rendered.html).find("a", string="programmet")
    assert link["href"].startswith(f"http://testserver/documents/{document.pk}/program")
    assert "utm_campaign=2022-04" in link["href"]
    assert soup(rendered.html).find("a", string="webbversionen")["href"] == "*|ARCHIVE|*"
    assert "webbversionen (*|ARCHIVE|*)" in rendered.text
