"""An editor logs in to the Wagtail admin (in Swedish) and publishes an article."""

import pytest

from django.contrib.auth import get_user_model

from home.models import ArticleIndexPage, ArticlePage

pytestmark = [
    pytest.mark.browser,
    # Transactional (a live server); tests/fixtures/pages.py restores Wagtail's roots after
    # an earlier test's flush.
    pytest.mark.django_db(transaction=True),
]


def test_editor_creates_and_publishes_an_article(page, live_server, home_page):
    index = home_page.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
    get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "hemligt-123")

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("redaktor")
    page.locator("#id_password").fill("hemligt-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"{live_server.url}/admin/pages/add/home/articlepage/{index.pk}/")
    page.locator("#id_title").fill("Rapport från styrelsemöte")
    page.locator("#id_date").fill("2022-03-25")
    page.keyboard.press("Escape")  # close the date picker
    # Publish from the footer's action menu.
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_url(f"**/admin/pages/{index.pk}/")

    article = ArticlePage.objects.get(title="Rapport från styrelsemöte")
    assert article.live
    assert str(article.date) == "2022-03-25"
    page.goto(live_server.url + "/nyheter/")
    page.get_by_role("link", name="Rapport från styrelsemöte").wait_for()
