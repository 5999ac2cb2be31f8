"""The issue and the archive as pages: web rendering, editor previews, checklist panel, command."""

import io

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from tests.newsletter.issue_content import archive, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        "redaktor", "redaktor@smakom.se", "lösenord-123"
    )
    client.force_login(user)
    return client


def test_page_tree_rules(home_page):
    assert NewsletterIndexPage.can_create_at(home_page)
    assert NewsletterIssuePage.parent_page_types == ["newsletter.NewsletterIndexPage"]
    assert not NewsletterIssuePage.can_create_at(home_page)
    index = archive(home_page)
    assert NewsletterIssuePage.can_create_at(index)
    assert not NewsletterIndexPage.can_create_at(index)  # max_count = 1 and parent rules
    assert HomePage in NewsletterIndexPage.allowed_parent_page_models()


def test_archive_lists_issues_by_year_newest_first(home_page, client):
    import datetime as dt

    make_issue(home_page, body=[], slug="2022-04", title="April 2022")
    make_issue(
        home_page, body=[], slug="2022-09", title="September 2022", issue_date=dt.date(2022, 9, 1)
    )
    make_issue(
        home_page, body=[], slug="2023-02", title="Februari 2023", issue_date=dt.date(2023, 2, 1)
    )
    make_issue(home_page, body=[], slug="utkast", title="Utkast", live=False)
    response = client.get("/nyhetsbrev/")
    assert response.status_code == 200
    doc = BeautifulSoup(response.content, "html.parser")
    years = [h.get_text(strip=True) for h in doc.select(".newsletter-archive h2")]
    assert years[:2] == ["2023", "2022"]
    titles = [a.get_text(strip=True) for a in doc.select(".newsletter-archive__list a")]
    assert titles == ["Februari 2023", "September 2022", "April 2022"]
    assert "9 september 2022" in doc.get_text() or "1 september 2022" in doc.get_text()
    assert "Utkast" not in titles


def test_issue_web_page_shows_every_section(home_page, client):
    issue = make_issue(home_page)
    response = client.get(issue.url)
    assert response.status_code == 200
    doc = BeautifulSoup(response.content, "html.parser")
    text = doc.get_text(" ")
    for expected in [
        "Från ord till handling på sex dagar",
        "Sophia Vikström, kommunchef Grästorps kommun",
        "Artikel 1",
        "Evenemang 1",
        "PROGRAM & ANMÄLAN",
        "SmåKom tipsar!",
        "Bostadsbidraget",
        "Charlotta Haskovec",
    ]:
        assert expected in text, expected
    # The web version carries no UTM tags and no merge tags in links.
    hrefs = [a["href"] for a in doc.find_all("a", href=True)]
    assert not any("utm_" in h for h in hrefs)
    assert "*|UNSUB|*" not in response.content.decode()


def _preview(admin_client, issue, mode):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[issue.pk])
    data = nested_form_data(
        {
            "title": issue.title,
            "slug": issue.slug,
            "issue_date": "2022-04-01",
            "subject": "Ämne i förhandsvisningen",
            "preheader": "Förhandstext",
            "intro": rich_text("<p>Ingress</p>"),
            "body": streamfield(
                [
                    (
                        "text",
                        {
                            "heading": "Förhandsvisad rubrik",
                            "text": rich_text("<p>Hej *|FNAME|*!</p>"),
                        },
                    ),
                    ("divider", ""),
                ]
            ),
        }
    )
    posted = admin_client.post(url, data)
    assert posted.status_code == 200
    assert posted.json()["is_valid"] is True, posted.json()
    return admin_client.get(url, {"mode": mode})


def test_preview_modes_render_in_the_editor(home_page, admin_client):
    issue = make_issue(home_page)
    assert [m for m, _label in issue.preview_modes] == ["", "email", "email_phone", "text"]

    web = _preview(admin_client, issue, "")
    assert web.status_code == 200
    assert "Förhandsvisad rubrik" in web.content.decode()

    email = _preview(admin_client, issue, "email")
    html = email.content.decode()
    assert email.status_code == 200
    assert html.startswith("<!doctype html>") and 'lang="sv"' in html
    assert "Förhandsvisad rubrik" in html and "Hej *|FNAME|*!" in html
    assert "SmåKom\nBox 1" not in html and "Box 1" in html  # the preview shows the real address

    phone = _preview(admin_client, issue, "email_phone")
    doc = BeautifulSoup(phone.content, "html.parser")
    frame = doc.find("iframe")
    assert frame["width"] == "375"
    assert "Förhandsvisad rubrik" in frame["srcdoc"]

    text = _preview(admin_client, issue, "text")
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert body.startswith("Ämne i förhandsvisningen\nFörhandstext")
    assert "FÖRHANDSVISAD RUBRIK" in body


def test_edit_view_shows_the_checklist_from_the_last_save(home_page, admin_client):
    issue = make_issue(home_page, subject="", preheader="")
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
    assert response.status_code == 200
    doc = BeautifulSoup(response.content, "html.parser")
    panel = doc.select_one("[data-issue-checklist]")
    assert panel is not None
    assert panel.select_one('[data-level="error"] [data-code="subject_missing"]')
    assert panel.select_one('[data-level="warning"] [data-code="preheader_missing"]')
    assert "Ämnesraden är tom." in panel.get_text()


def test_saving_a_draft_in_the_editor_stores_the_checklist_in_the_revision(home_page, admin_client):
    issue = make_issue(home_page, body=[{"type": "divider", "value": None}])
    url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    data = nested_form_data(
        {
            "title": issue.title,
            "slug": issue.slug,
            "issue_date": "2022-04-01",
            "subject": "",
            "preheader": "Förhandstext",
            "intro": rich_text(""),
            "body": streamfield(
                [("text", {"heading": "Rubrik", "text": rich_text("<p>Text</p>")})]
            ),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = NewsletterIssuePage.objects.get(pk=issue.pk).get_latest_revision_as_object()
    # (The 2022 test issue is also far from today: issue_date_far, test_checklist_stale.py.)
    codes = [i.code for i in draft.checklist.items if i.code != "issue_date_far"]
    assert codes == ["subject_missing"]
    doc = BeautifulSoup(admin_client.get(url).content, "html.parser")
    assert doc.select_one('[data-issue-checklist] [data-code="subject_missing"]')


def test_newsletter_render_command_prints_html_and_text(home_page):
    issue = make_issue(home_page)
    out = io.StringIO()
    call_command("newsletter_render", issue.slug, stdout=out)
    assert out.getvalue().startswith("<!doctype html>")
    assert "*|UNSUB|*" in out.getvalue()
    out = io.StringIO()
    call_command("newsletter_render", str(issue.pk), "--format", "text", stdout=out)
    assert "FRÅN ORD TILL HANDLING PÅ SEX DAGAR" in out.getvalue()


def test_newsletter_render_command_sends_the_published_version(home_page):
    issue = make_issue(
        home_page, body=[{"type": "text", "value": {"heading": "Publicerad", "text": "<p>x</p>"}}]
    )
    issue.body = [{"type": "text", "value": {"heading": "Bara utkast", "text": "<p>x</p>"}}]
    issue.save_revision()
    out = io.StringIO()
    call_command("newsletter_render", issue.slug, "--format", "text", stdout=out)
    assert "PUBLICERAD" in out.getvalue()
    assert "BARA UTKAST" not in out.getvalue()


def test_newsletter_render_command_rejects_unknown_issue(home_page):
    with pytest.raises(CommandError, match="hittades inte"):
        call_command("newsletter_render", "finns-inte")


@pytest.mark.parametrize(
    ("block_name", "expected"),
    [
        ("lead_story", "Från ord till handling på sex dagar"),
        ("article_teaser", "Artikel 1"),
        ("event_teaser", "Evenemang 1"),
        ("upcoming_events", "På gång i SmåKom"),
        ("text", "Välkommen Tranemo och Vårgårda kommuner!"),
        ("tips", "Bör bostadsbidraget reformeras?"),
        ("contact", "Kontakt"),
        ("divider", "<hr"),
        ("image", 'alt="Beskrivning av bild 1"'),
        ("button", "PROGRAM &amp; ANMÄLAN"),
    ],
)
def test_block_previews_render_in_the_block_picker(home_page, admin_client, block_name, expected):
    from newsletter.models import NewsletterIssuePage
    from tests.newsletter.issue_content import make_article, make_event

    make_article(home_page, 1)
    make_event(home_page, 1)
    block = NewsletterIssuePage.body.field.stream_block.child_blocks[block_name]
    assert block.meta.description
    assert block.is_previewable
    response = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    )
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize("mode", ["", "email", "email_phone", "text"])
def test_preview_of_a_new_unsaved_issue(home_page, admin_client, mode):
    index = archive(home_page)
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["newsletter", "newsletterissuepage", index.pk]
    )
    data = nested_form_data(
        {
            "title": "Nytt nummer",
            "slug": "nytt-nummer",
            "issue_date": "2022-05-01",
            "subject": "Maj",
            "preheader": "",
            "intro": rich_text(""),
            "body": streamfield(
                [("text", {"heading": "Majrubrik", "text": rich_text("<p>Text</p>")})]
            ),
        }
    )
    assert admin_client.post(url, data).json()["is_valid"] is True
    response = admin_client.get(url, {"mode": mode})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Majrubrik" in content or "MAJRUBRIK" in content
    assert not NewsletterIssuePage.objects.filter(slug="nytt-nummer").exists()


@pytest.mark.parametrize(
    ("block_name", "page", "url", "error"),
    [
        ("button", False, "", "Choose a page or enter a link."),
        ("button", True, "https://www.smakom.se/", "Choose a page or enter a link, not both."),
        ("button", True, "", None),
        ("lead_story", False, "", None),
        ("lead_story", True, "https://www.smakom.se/", "Choose a page or enter a link, not both."),
    ],
)
def test_issue_link_fields_are_validated(home_page, block_name, page, url, error):
    from django.utils import translation

    from wagtail.blocks.struct_block import StructBlockValidationError

    from newsletter.blocks import IssueStreamBlock

    block = IssueStreamBlock().child_blocks[block_name]
    raw = {"heading": "Rubrik", "text": "<p>Text</p>", "link_text": "Mer"}
    raw |= {"link_page": home_page.pk if page else None, "link_url": url}
    value = block.to_python(raw)
    with translation.override("en"):
        if error is None:
            block.clean(value)
            return
        with pytest.raises(StructBlockValidationError) as caught:
            block.clean(value)
        assert [str(m) for m in caught.value.block_errors["link_url"].messages] == [error]
