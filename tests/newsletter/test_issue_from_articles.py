"""Less typing: the lead story and the teasers take what the editor leaves empty from the chosen
article (as it is when the issue is rendered), and whatever the editor writes wins."""

import pytest
from bs4 import BeautifulSoup

from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.rich_text import RichText

from newsletter.blocks import ArticleTeaserBlock, IssueStreamBlock, LeadStoryBlock
from newsletter.rendering import render_email
from newsletter.rendering.sections import prepare
from tests.newsletter.issue_content import full_body, make_article, make_image, make_issue

pytestmark = pytest.mark.django_db


def lead(**value):
    return {"type": "lead_story", "value": value}


def teaser(article, **value):
    return {"type": "article_teaser", "value": {"article": article.pk, **value}}


def email_doc(issue):
    return BeautifulSoup(render_email(issue, backend="preview").html, "html.parser")


def web_doc(client, issue):
    response = client.get(issue.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_lead_story_from_an_article_alone_shows_its_title_summary_image_and_link(home_page, client):
    article = make_article(home_page, 7)
    issue = make_issue(home_page, body=[lead(article=article.pk, link_text="Läs hela")])

    [section] = prepare(issue, utm=False).sections
    assert section.heading == "Artikel 7"
    assert section.html == "<p>Sammanfattning av artikel 7.</p>"
    assert section.image.image_id == article.listing_image_id
    assert section.image.alt == "Beskrivning av bild 7"
    assert section.link.text == "Läs hela"
    assert section.link.url.endswith(article.url)

    for doc in (email_doc(issue), web_doc(client, issue)):
        text = doc.get_text(" ", strip=True)
        assert "Artikel 7" in text
        assert "Sammanfattning av artikel 7." in text
        assert doc.find("img", alt="Beskrivning av bild 7") is not None
        link = doc.find("a", string=lambda s: s and "Läs hela" in s)
        assert link is not None and link["href"].startswith("http")
        assert article.url in link["href"]


def test_what_the_editor_writes_replaces_the_articles_values(home_page, client):
    article = make_article(home_page, 8)
    own_image = make_image("Eget", description="Bussarna i Grästorp")
    issue = make_issue(
        home_page,
        body=[
            lead(
                article=article.pk,
                heading="Egen rubrik",
                text="<p>Egen text.</p>",
                image=own_image.pk,
                author="Redaktionen",
                link_url="https://www.skr.se/",
                link_text="Till SKR",
            )
        ],
    )
    [section] = prepare(issue, utm=False).sections
    assert section.heading == "Egen rubrik"
    assert section.html == "<p>Egen text.</p>"
    assert section.image.image_id == own_image.pk
    assert section.image.alt == "Bussarna i Grästorp"
    assert section.author == "Redaktionen"
    assert section.link.url == "https://www.skr.se/"
    doc = email_doc(issue)
    assert "Artikel 8" not in doc.get_text()
    assert "Sammanfattning av artikel 8" not in doc.get_text()


def test_the_issue_follows_later_edits_of_the_article(home_page):
    article = make_article(home_page, 9)
    issue = make_issue(home_page, body=[lead(article=article.pk), teaser(article, show_image=True)])
    article.title = "Rättad rubrik"
    article.listing_summary = "Rättad sammanfattning."
    article.save_revision().publish()

    sections = prepare(issue, utm=False).sections
    assert [s.heading for s in sections] == ["Rättad rubrik", "Rättad rubrik"]
    assert all(s.html == "<p>Rättad sammanfattning.</p>" for s in sections)


def test_teaser_overrides_title_summary_and_image_each_on_its_own(home_page, client):
    article = make_article(home_page, 10)
    own_image = make_image("Eget", description="En egen bild")
    issue = make_issue(
        home_page,
        body=[
            teaser(article, heading="Kortare rubrik"),
            teaser(article, summary="Egen ingress för brevet."),
            teaser(article, image=own_image.pk),
            teaser(article, image=own_image.pk, show_image=False),
        ],
    )
    first, second, third, hidden = prepare(issue, utm=False).sections
    assert (first.heading, first.html) == ("Kortare rubrik", "<p>Sammanfattning av artikel 10.</p>")
    assert (second.heading, second.html) == ("Artikel 10", "<p>Egen ingress för brevet.</p>")
    assert first.image.image_id == second.image.image_id == article.listing_image_id
    assert third.image.image_id == own_image.pk
    assert third.image.alt == "En egen bild"
    assert hidden.image is None

    web = web_doc(client, issue).get_text(" ", strip=True)
    assert "Kortare rubrik" in web and "Egen ingress för brevet." in web


def test_overrides_are_escaped_not_markup(home_page, client):
    article = make_article(home_page, 11)
    issue = make_issue(
        home_page,
        body=[
            teaser(
                article,
                heading='<img src=x onerror="alert(1)">Rubrik',
                summary="<script>alert(1)</script> & mer",
            )
        ],
    )
    html = render_email(issue, backend="preview").html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'onerror="alert(1)"' not in html
    web = client.get(issue.url).content.decode()
    assert "<script>alert(1)</script>" not in web
    assert "<img src=x" not in web


def test_a_draft_article_lends_nothing_to_the_lead_story(home_page):
    draft = make_article(home_page, 12, live=False)
    issue = make_issue(home_page, body=[lead(article=draft.pk)], live=False)
    prepared = prepare(issue, utm=False)
    [section] = prepared.sections
    assert section.heading == ""
    assert section.html == ""
    assert section.link is None
    assert section.is_empty
    assert draft.pk in prepared.hidden_page_ids
    assert "Artikel 12" not in render_email(issue, backend="preview").html


def test_existing_content_without_the_new_fields_loads_and_renders_as_before(home_page):
    # Stored before the article field and the overrides existed: no such keys in the JSON.
    body = full_body(home_page)
    assert "article" not in body[0]["value"]
    assert set(body[1]["value"]) == {"article", "show_image", "full_text", "link_text"}
    issue = make_issue(home_page, body=body)
    issue.refresh_from_db()
    assert issue.body[0].value["article"] is None
    assert not issue.body[1].value["heading"]

    lead_section, teaser_section = prepare(issue, utm=False).sections[:2]
    assert lead_section.heading == "Från ord till handling på sex dagar"
    assert lead_section.author == "Sophia Vikström, kommunchef Grästorps kommun"
    assert teaser_section.heading == "Artikel 1"
    assert teaser_section.html == "<p>Sammanfattning av artikel 1.</p>"
    # The stored stream is still valid for the editor's form.
    stream = IssueStreamBlock()
    stream.clean(stream.to_python(body))


def test_a_lead_story_needs_an_article_or_its_own_heading_and_text(home_page):
    block = LeadStoryBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"heading": "", "text": "<p></p>"}))
    assert set(error.value.block_errors) == {"heading", "text"}

    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"heading": "Bara rubrik"}))
    assert set(error.value.block_errors) == {"text"}

    written = block.clean(block.to_python({"heading": "Rubrik", "text": "<p>Text.</p>"}))
    assert isinstance(written["text"], RichText)

    article = make_article(home_page, 13)
    chosen = block.clean(block.to_python({"article": article.pk}))
    assert chosen["article"].specific == article


def test_teasers_take_only_articles(home_page):
    from tests.newsletter.issue_content import make_event

    event = make_event(home_page, 1)
    block = ArticleTeaserBlock()
    with pytest.raises((StructBlockValidationError, StreamBlockValidationError)):
        block.clean(block.to_python({"article": event.pk}))


def test_the_editor_asks_what_a_chosen_article_fills_in(client, home_page):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    article = make_article(home_page, 14)
    url = reverse("newsletter_article_fill", args=[article.pk])
    assert client.get(url).status_code == 302  # the admin's login first
    client.force_login(get_user_model().objects.create_superuser("r", "r@smakom.se", "pw"))
    assert client.get(url).json() == {
        "title": "Artikel 14",
        "summary": "Sammanfattning av artikel 14.",
        "image": "Bild 14",
    }
    # Only articles.
    other = reverse("newsletter_article_fill", args=[home_page.pk])
    assert client.get(other).status_code == 404
