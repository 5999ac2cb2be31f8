from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock

from .mixins import BasePage

RICH_TEXT_INTRO = ["bold", "italic", "link"]


class HomePage(BasePage):
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)
    featured_article = models.ForeignKey(
        "home.ArticlePage",
        verbose_name=_("utvald artikel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signup_title = models.CharField(
        _("rubrik för nyhetsbrevsanmälan"), max_length=120, default="Prenumerera på nyhetsbrevet"
    )
    signup_text = models.TextField(_("text för nyhetsbrevsanmälan"), blank=True)

    content_panels = [
        *Page.content_panels,
        "intro",
        "featured_article",
        MultiFieldPanel(["signup_title", "signup_text"], heading=_("Nyhetsbrev")),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.ArticleIndexPage",
        "home.EventIndexPage",
        "home.MunicipalityIndexPage",
        "home.StandardPage",
        "newsletter.NewsletterIndexPage",
    ]

    class Meta:
        verbose_name = _("startsida")


class StandardPage(BasePage):
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)

    content_panels = [*Page.content_panels, "intro", "body"]
    search_fields = [*BasePage.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standardsida")


class ArticleIndexPage(BasePage):
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ArticlePage"]

    class Meta:
        verbose_name = _("nyhetslista")


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "home.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(BasePage):
    date = models.DateField(_("datum"))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("huvudbild"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("bildtext"), max_length=255, blank=True)
    hero_credit = models.CharField(_("fotograf"), max_length=120, blank=True)
    byline_person = models.ForeignKey(
        "home.Person",
        verbose_name=_("skribent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    byline_text = models.CharField(
        _("skribent (fritext)"),
        max_length=255,
        blank=True,
        help_text=_(
            "T.ex. ”Sophia Vikström, kommunchef Grästorps kommun”. Används om ingen person är vald."
        ),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("taggar"))
    municipalities = ParentalManyToManyField(
        "home.Municipality", blank=True, related_name="articles", verbose_name=_("kommuner")
    )

    content_panels = [
        *Page.content_panels,
        "date",
        MultiFieldPanel(["hero_image", "hero_caption", "hero_credit"], heading=_("Huvudbild")),
        MultiFieldPanel(["byline_person", "byline_text"], heading=_("Skribent")),
        "body",
        "tags",
        "municipalities",
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("body"),
        index.SearchField("byline_text"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    parent_page_types = ["home.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artiklar")

    @property
    def byline(self) -> str:
        if self.byline_person_id:
            return self.byline_person.byline
        return self.byline_text


class EventIndexPage(BasePage):
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.EventPage"]

    class Meta:
        verbose_name = _("kalender")


class EventPage(BasePage):
    class Audience(models.TextChoices):
        MEMBERS = "members", _("Endast medlemmar")
        OPEN = "open", _("Öppet för alla")

    start = models.DateTimeField(_("börjar"))
    end = models.DateTimeField(_("slutar"), null=True, blank=True)
    location_name = models.CharField(
        _("plats"), max_length=160, blank=True, help_text=_("T.ex. Lerdalshöjden")
    )
    location_city = models.CharField(
        _("ort"), max_length=120, blank=True, help_text=_("T.ex. Rättvik")
    )
    is_online = models.BooleanField(_("digitalt (webbinarium)"), default=False)
    organiser = models.CharField(
        _("arrangör"),
        max_length=160,
        default="SmåKom",
        help_text=_("T.ex. SmåKom, SNS, SKR, TechSverige"),
    )
    audience = models.CharField(
        _("målgrupp"), max_length=16, choices=Audience.choices, default=Audience.OPEN
    )
    price_text = models.CharField(
        _("pris"),
        max_length=160,
        blank=True,
        help_text=_("T.ex. ”2 195 kr/person” eller ”kostnadsfritt för medlemmar”"),
    )
    registration_url = models.URLField(_("anmälningslänk"), blank=True)
    registration_deadline = models.DateField(_("sista anmälningsdag"), null=True, blank=True)
    extended_deadline = models.DateField(_("förlängd anmälan till"), null=True, blank=True)
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel(["start", "end"], heading=_("Tid")),
        MultiFieldPanel(["location_name", "location_city", "is_online"], heading=_("Plats")),
        MultiFieldPanel(["organiser", "audience", "price_text"], heading=_("Arrangör och pris")),
        MultiFieldPanel(
            ["registration_url", "registration_deadline", "extended_deadline"],
            heading=_("Anmälan"),
        ),
        "intro",
        "body",
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("location_name"),
        index.SearchField("location_city"),
        index.SearchField("organiser"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]

    parent_page_types = ["home.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("Slutet kan inte ligga före starten.")
        if (
            self.registration_deadline
            and self.extended_deadline
            and self.extended_deadline < self.registration_deadline
        ):
            errors["extended_deadline"] = _(
                "Den förlängda anmälan måste vara efter sista anmälningsdag."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def effective_deadline(self):
        return self.extended_deadline or self.registration_deadline

    @property
    def location(self) -> str:
        if self.is_online:
            return _("Digitalt")
        return ", ".join(p for p in [self.location_name, self.location_city] if p)


class MunicipalityIndexPage(BasePage):
    intro = RichTextField(_("ingress"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("medlemskommuner")


__all__ = [
    "ArticleIndexPage",
    "ArticlePage",
    "ArticlePageTag",
    "EventIndexPage",
    "EventPage",
    "FieldPanel",
    "HomePage",
    "MunicipalityIndexPage",
    "StandardPage",
]
