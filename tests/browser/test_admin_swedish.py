"""No English in the Swedish admin: an editor walks the pages they work in and meets none of the
Wagtail 8 strings that had no Swedish upstream (locale/fragments/admin_sv.po)."""

import re

import pytest

from django.contrib.auth import get_user_model

from home.demo.loader import Loader
from home.models import ArticleIndexPage, ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Strings editors met in English (issue 14, point 8), as Wagtail or django-taggit write them.
ENGLISH = [
    "A comma-separated list of tags.",
    "Search options",
    "Search terms",
    "Autosave",
    "autosaved",
    "Side panels",
    "Minimap",
    "Date updated",
    "Actions (footer)",
    "Pin toolbar",
    "There are no",
    "across entire site",
    # The header's landmark (every admin page), read by screen readers.
    "Actions",
    # Search picks.
    "Promoted search results are",
    "Recommended search result",
    "Add a recommended result",
    "for this promotion",
    "Applies to internal page",
    # Django's default plural of a Swedish model name ("2 standardsidas").
    "sidas",
]
RANGE_OF = re.compile(r"\b\d+-\d+ of \d+")
# A model name Wagtail did not have ("1–3 av 3 None").
PYTHON_NONE = re.compile(r"\bNone\b")
# Strings the admin's JavaScript translates through /admin/jsi18n/.
JS_STRINGS = [
    "Autosave in progress…",
    "Changes have been autosaved.",
    "Search options…",
    "Pin toolbar",
    "A network error occurred.",
]

# Everything a reader or a screen reader meets: text, labels, placeholders, titles.
VISIBLE_TEXT = """() => {
    const parts = [document.body.innerText];
    for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],[data-label]')) {
        for (const name of ['placeholder', 'aria-label', 'title', 'data-label']) {
            if (el.getAttribute(name)) parts.push(el.getAttribute(name));
        }
    }
    for (const t of document.querySelectorAll('template')) parts.push(t.innerHTML);
    return parts.join('\\n');
}"""


def english_in(text: str) -> list[str]:
    found = [s for s in ENGLISH if s in text]
    found += RANGE_OF.findall(text)
    found += PYTHON_NONE.findall(text)
    return found


def test_the_editor_pages_have_no_english(page, live_server, home_page):
    Loader().run()
    get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "hemligt-123")
    news = ArticleIndexPage.objects.get()
    article = ArticlePage.objects.live().order_by("pk").first()

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("redaktor")
    page.locator("#id_password").fill("hemligt-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/admin/")

    paths = [
        "/admin/",
        f"/admin/pages/{news.pk}/",
        f"/admin/pages/{news.pk}/?q=SmåKom",
        "/admin/pages/search/?q=SmåKom",
        f"/admin/pages/{article.pk}/edit/",
        f"/admin/pages/add/home/articlepage/{news.pk}/",
        f"/admin/pages/{article.pk}/history/",
        "/admin/searchpicks/reports/search-terms/",
        "/admin/images/",
        "/admin/snippets/home/person/",
        "/admin/pages/usage/home/standardpage/",
        "/admin/searchpicks/add/",
        "/admin/reports/aging-pages/",
    ]
    # The Swedish the walk must meet where the English was (so a page that failed to render
    # the field cannot pass).
    expected = {
        f"/admin/pages/{article.pk}/edit/": "Taggar åtskilda med kommatecken.",
        "/admin/searchpicks/reports/search-terms/": "Sökord",
        "/admin/pages/search/?q=SmåKom": re.compile(r"\d+–\d+ av \d+ sid(a|or)\b"),
        "/admin/pages/usage/home/standardpage/": "av 2 standardsidor",
        "/admin/searchpicks/add/": "Lägg till ett rekommenderat resultat",
    }
    problems = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        text = page.evaluate(VISIBLE_TEXT)
        found = english_in(text)
        if found:
            problems[path] = found
        if isinstance(expected.get(path), re.Pattern):
            assert expected[path].search(text), path
        elif path in expected:
            assert expected[path] in text, path
    assert problems == {}

    # The JavaScript catalogue: messages the editor shows later (autosave, errors, search).
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    translated = page.evaluate("(strings) => strings.map((s) => window.gettext(s))", JS_STRINGS)
    untranslated = [s for s, t in zip(JS_STRINGS, translated, strict=True) if s == t]
    assert untranslated == []
    assert "Sparar automatiskt…" in translated


def test_the_walk_finds_english_when_it_is_there():
    # The detector itself: Wagtail's untranslated wording is caught.
    assert english_in("Taggar\nA comma-separated list of tags.") == [
        "A comma-separated list of tags."
    ]
    assert english_in("1-6 of 6 sidor") == ["1-6 of 6"]
    assert english_in("1–3 av 3 None") == ["None"]
    assert english_in('<nav aria-label="Actions">') == ["Actions"]
    assert english_in("1–6 av 6 sidor") == []
