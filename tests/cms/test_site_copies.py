"""The per-process copies of the Site, its home page, its settings, routing and the home page's
sections (cms.sitecache): used by later views, and dropped the moment any of them changes, in
this process (signals) or in another one (the shared version key). With the page cache off, so
every view is rendered."""

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, Site

from cms import sitecache
from cms.models import SiteSettings
from home.models import ArticleIndexPage, Person, StandardPage

from ..home.helpers import add_articles, news_index

pytestmark = pytest.mark.django_db


def shown(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def article(home_page):
    (page,) = add_articles(news_index(home_page), 1, with_images=False)
    return page


def test_later_views_read_the_copies_until_another_process_drops_the_version(
    client, home_page, article
):
    shown(client, article.url)
    settings_row = SiteSettings.objects.get()
    cold = queries(client, article.url)
    # A change the way another machine makes it: the row changes here without a signal in this
    # process, and the other process drops the shared version key.
    SiteSettings.objects.filter(pk=settings_row.pk).update(footer_text="Från en annan nod")
    Page.objects.filter(pk=home_page.pk).update(title="Annan titel")
    assert "Från en annan nod" not in shown(client, article.url)  # the copy is in use
    assert queries(client, article.url) == cold
    cache.delete(sitecache.VERSION_KEY)
    assert "Från en annan nod" in shown(client, article.url)
    assert "Annan titel" in shown(client, "/")


def test_a_cleared_cache_is_a_new_version(client, home_page, article):
    shown(client, "/")
    Page.objects.filter(pk=home_page.pk).update(title="Efter tömning")
    cache.clear()
    assert "Efter tömning" in shown(client, "/")


def test_home_page_edits_show_at_once(client, home_page, article):
    assert "SmåKom" in shown(client, "/")
    home = home_page.specific
    home.title = "Välkommen till SmåKom"
    home.intro = "<p>Ny ingress om småkommunerna</p>"
    home.save_revision().publish()
    html = shown(client, "/")
    assert "Välkommen till SmåKom" in html and "Ny ingress om småkommunerna" in html


def test_site_settings_and_contact_person_show_at_once(client, home_page, article):
    person = Person.objects.create(name="Karin Kontakt", role="kansli")
    shown(client, article.url)
    settings_row = SiteSettings.for_site(Site.objects.get())
    settings_row.footer_text = "Sidfot efter ändring"
    settings_row.contact_person = person
    settings_row.save()
    for url in (article.url, "/", "/nyheter/"):
        html = shown(client, url)
        assert "Sidfot efter ändring" in html and "Karin Kontakt" in html, url
    person.name = "Karin Nytt-Namn"
    person.save()
    assert "Karin Nytt-Namn" in shown(client, article.url)
    person.delete()
    assert "Karin Nytt-Namn" not in shown(client, article.url)


def test_routing_follows_unpublish_slug_change_and_move(client, home_page, article):
    url = article.url
    shown(client, url)
    article.unpublish()
    shown(client, url, status=404)
    article.save_revision().publish()
    shown(client, url)

    article.slug = "nytt-namn"
    article.save_revision().publish()
    article.refresh_from_db()
    assert "Nyhet 0" in shown(client, "/nyheter/nytt-namn/")
    assert client.get(url).status_code in (301, 404)  # Wagtail may redirect the old URL

    about = home_page.add_child(instance=StandardPage(title="Om oss", slug="om"))
    other = home_page.add_child(instance=StandardPage(title="Annat", slug="annat"))
    board = about.add_child(instance=StandardPage(title="Styrelsen", slug="styrelsen"))
    shown(client, "/om/styrelsen/")
    board.move(other, pos="last-child")
    assert "Styrelsen" in shown(client, "/annat/styrelsen/")
    assert client.get("/om/styrelsen/").status_code in (301, 404)
    Page.objects.get(pk=board.pk).delete()
    shown(client, "/annat/styrelsen/", status=404)


def test_home_page_sections_follow_their_index_pages(client, home_page, article):
    link = 'class="more-link" href="/nyheter/"'  # "All news"
    assert link in shown(client, "/")
    ArticleIndexPage.objects.get().unpublish()
    assert link not in shown(client, "/")


def test_a_new_site_for_a_host_is_used_at_once(client, home_page, article):
    other_root = Page.get_first_root_node().add_child(
        instance=StandardPage(title="Andra webbplatsen", slug="andra")
    )
    response = client.get("/", HTTP_HOST="andra.example")
    assert "Andra webbplatsen" not in response.content.decode()  # the default site answers
    Site.objects.create(hostname="andra.example", port=80, root_page=other_root)
    response = client.get("/", HTTP_HOST="andra.example")
    assert response.status_code == 200
    assert "Andra webbplatsen" in response.content.decode()
    assert "Andra webbplatsen" not in shown(client, "/")  # the default site is unchanged


def test_urls_from_visitors_cannot_grow_the_copies_without_bound(
    client, home_page, article, monkeypatch
):
    monkeypatch.setattr(sitecache, "MAX_ITEMS", 5)
    for n in range(20):
        client.get(f"{article.url}?n={n}")
        client.get(f"/nyheter/finns-inte-{n}/")
        client.get(f"/om/{n}/{n}/")
    assert len(sitecache._kept["items"]) <= 5
    shown(client, article.url)  # still served, from the database past the bound


def test_paths_that_name_no_page_are_not_kept(client, home_page, article):
    shown(client, article.url)
    kept_before = len(sitecache._kept["items"])
    for n in range(10):
        shown(client, f"/finns-inte-{n}/sida/", status=404)
    assert len(sitecache._kept["items"]) == kept_before
