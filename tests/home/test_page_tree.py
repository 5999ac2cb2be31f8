"""Where each page type may live (parent_page_types, subpage_types, max_count)."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import (
    ArticleIndexPage,
    ArticlePage,
    EventIndexPage,
    EventPage,
    HomePage,
    MunicipalityIndexPage,
    StandardPage,
)
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from tests.fixtures.pages import make_home_page


class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_home_page()

    def test_home_page_sits_at_the_root_only_once(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        root = Page.get_first_root_node()
        self.assertFalse(HomePage.can_create_at(root))  # max_count = 1: one exists already
        self.assertCanNotCreateAt(StandardPage, HomePage)

    def test_home_page_children(self):
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                ArticleIndexPage,
                EventIndexPage,
                MunicipalityIndexPage,
                StandardPage,
                NewsletterIndexPage,
            },
        )
        for model in (ArticleIndexPage, EventIndexPage, MunicipalityIndexPage, StandardPage):
            self.assertCanCreateAt(HomePage, model)
        self.assertCanNotCreateAt(HomePage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, EventPage)

    def test_articles_live_under_the_news_index_only(self):
        self.assertAllowedParentPageTypes(ArticlePage, {ArticleIndexPage})
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage})
        self.assertAllowedSubpageTypes(ArticlePage, set())
        self.assertCanNotCreateAt(EventIndexPage, ArticlePage)
        self.assertCanNotCreateAt(StandardPage, ArticlePage)

    def test_events_live_under_the_calendar_only(self):
        self.assertAllowedParentPageTypes(EventPage, {EventIndexPage})
        self.assertAllowedSubpageTypes(EventIndexPage, {EventPage})
        self.assertCanNotCreateAt(ArticleIndexPage, EventPage)

    def test_standard_pages_nest(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanNotCreateAt(StandardPage, ArticleIndexPage)

    def test_index_pages_are_unique(self):
        self.home.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
        self.home.add_child(instance=EventIndexPage(title="Kalender", slug="kalender"))
        self.home.add_child(instance=MunicipalityIndexPage(title="Medlemmar", slug="medlemmar"))
        for model in (ArticleIndexPage, EventIndexPage, MunicipalityIndexPage):
            self.assertFalse(model.can_create_at(self.home), model)
        self.assertAllowedParentPageTypes(NewsletterIssuePage, {NewsletterIndexPage})

    def test_an_editor_can_create_an_article_through_the_admin_form(self):
        from django.contrib.auth import get_user_model

        from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

        user = get_user_model().objects.create_superuser("redaktor", "r@example.com", "pw")
        self.client.force_login(user)
        index = self.home.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
        self.assertCanCreate(
            index,
            ArticlePage,
            nested_form_data(
                {
                    "title": "Välkommen Tranemo och Vårgårda kommuner!",
                    "slug": "valkommen",
                    "date": "2022-03-30",
                    "body": streamfield(
                        [("paragraph", rich_text("<p>På styrelsemötet den 18 mars …</p>"))]
                    ),
                    "tags": "Medlemskommuner",
                    "municipalities": [],
                    "action-publish": "publish",
                }
            ),
        )
        article = ArticlePage.objects.get(slug="valkommen")
        self.assertTrue(article.live)
        self.assertEqual([t.name for t in article.tags.all()], ["Medlemskommuner"])
