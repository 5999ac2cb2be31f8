"""Less typing for the editor: municipalities found by typing, new articles dated today, a new
issue made from what was published since the last one."""

import datetime as dt

import pytest

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import override

from home.models import ArticleIndexPage, ArticlePage, Municipality
from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from tests.browser.axe import serious_violations
from tests.newsletter.issue_content import archive, make_article, make_issue

pytestmark = [
    pytest.mark.browser,
    # Transactional (a live server); tests/fixtures/pages.py restores Wagtail's roots after
    # an earlier test's flush.
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server):
    get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "hemligt-123")
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("redaktor")
    page.locator("#id_password").fill("hemligt-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/admin/")


def test_municipalities_are_found_by_typing_and_a_new_article_is_dated_today(
    page, live_server, home_page
):
    index = home_page.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
    names = ["Grästorp", "Tranemo", "Vårgårda", "Åre", "Öckerö"] + [
        f"Kommun {n}" for n in range(65)
    ]
    Municipality.objects.bulk_create(
        Municipality(name=name, slug=f"k{n}", county="vastra_gotaland")
        for n, name in enumerate(names)
    )
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/pages/add/home/articlepage/{index.pk}/")

    # 7d: the date is today's already.
    assert page.locator("#id_date").input_value() == timezone.localdate().isoformat()

    search = page.get_by_label("Sök kommun")
    status = page.locator("[data-filter-status]")
    assert status.inner_text() == "70 av 70 kommuner visas"
    boxes = page.locator("#id_municipalities input[type=checkbox]")
    assert boxes.count() == 70

    # Typed without the accent, in lower case: Grästorp is found, nothing else.
    search.fill("grast")
    assert status.inner_text() == "1 av 70 kommuner visas"
    page.get_by_label("Grästorp").check()
    search.fill("ÖCKER")
    page.get_by_label("Öckerö").check()
    assert not page.get_by_label("Grästorp").is_visible()
    # The hidden choice is still listed as chosen, and Enter in the box submits nothing.
    assert page.locator("[data-filter-chosen]").inner_text() == "Valda: Grästorp, Öckerö"
    search.press("Enter")
    assert "/add/" in page.url
    search.fill("finns inte")
    assert status.inner_text() == "0 av 70 kommuner visas"
    search.fill("")
    assert status.inner_text() == "70 av 70 kommuner visas"
    assert serious_violations(page, ".filterable-choices") == []

    page.locator("#id_title").fill("Nytt från Grästorp")
    page.locator("#id_title").blur()
    # Wagtail fills the slug from the title after a short delay: publish once it has.
    page.wait_for_function("document.querySelector('#id_slug').value !== ''")
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_url(f"**/admin/pages/{index.pk}/")
    article = ArticlePage.objects.get(title="Nytt från Grästorp")
    assert article.date == timezone.localdate()
    assert sorted(m.name for m in article.municipalities.all()) == ["Grästorp", "Öckerö"]


def test_a_new_issue_from_what_was_published_since_the_last_one(page, live_server, home_page):
    # Not published here (publishing would start a Mailchimp sync): only its campaign matters.
    sent = make_issue(home_page, body=[], slug="forra", title="Förra numret", live=False)
    Campaign.objects.update_or_create(
        page=sent,
        defaults={
            "status": CampaignStatus.SENT,
            "sent_at": timezone.now() - dt.timedelta(days=10),
        },
    )
    older = make_article(home_page, 1)
    ArticlePage.objects.filter(pk=older.pk).update(
        first_published_at=timezone.now() - dt.timedelta(days=12)
    )
    newer = make_article(home_page, 2)
    ArticlePage.objects.filter(pk=newer.pk).update(
        first_published_at=timezone.now() - dt.timedelta(days=2)
    )
    index = archive(home_page)
    log_in(page, live_server)

    page.goto(f"{live_server.url}/admin/pages/{index.pk}/")
    # The archive's page menu in the header ("…").
    page.locator("header [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("link", name="Nytt nummer från det som publicerats sedan förra numret").click()
    page.get_by_role("heading", name="1 artikel").wait_for()
    assert page.get_by_text("Artikel 2").is_visible()
    assert page.get_by_text("Artikel 1").count() == 0
    assert serious_violations(page, "main") == []

    page.get_by_role("button", name="Skapa utkast").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    with override("sv"):
        title = f"Nyhetsbrev {date_format(timezone.localdate(), 'F Y')}"
    assert page.locator("#id_title").input_value() == title
    issue = NewsletterIssuePage.objects.get(title=title)
    assert not issue.live
    assert [b.block_type for b in issue.body] == ["article_teaser"]
    page.get_by_text("Utkastet").first.wait_for()


def test_a_lead_story_picked_from_an_article_shows_what_it_fills_in(page, live_server, home_page):
    article = make_article(home_page, 5)
    index = archive(home_page)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/pages/add/newsletter/newsletterissuepage/{index.pk}/")
    page.locator("#id_title").fill("Nummer med huvudartikel")

    # Add a lead story to the (empty) sections.
    page.locator("[data-streamfield-stream-container] button[title]").first.click()
    page.get_by_role("option", name="Huvudartikel").click()
    page.get_by_role("button", name="Välj en sida").first.click()
    modal = page.locator(".modal")
    # The chooser opens where the articles are.
    modal.get_by_role("link", name="Artikel 5").click()

    heading = page.locator("input[name$='-value-heading']").first
    hint = page.locator(".issue-article-fill").first
    hint.get_by_text("Tomma fält fylls i från artikeln").wait_for()
    assert "Artikel 5" in hint.inner_text()
    assert "Sammanfattning av artikel 5." in hint.inner_text()
    assert heading.get_attribute("placeholder") == "Artikel 5"
    assert heading.input_value() == ""  # nothing copied: the issue keeps following the article
    assert serious_violations(page, ".issue-article-fill") == []

    # Saved as a draft with only the article: valid, and the article's title is the heading.
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    issue = NewsletterIssuePage.objects.get(
        title="Nummer med huvudartikel"
    ).get_latest_revision_as_object()
    [block] = issue.body
    assert block.block_type == "lead_story"
    assert block.value["article"].pk == article.pk
    assert not block.value["heading"]
    # Reopened, the placeholder is there again.
    page.locator(".issue-article-fill").first.get_by_text("Artikel 5").wait_for()
