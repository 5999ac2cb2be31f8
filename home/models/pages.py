from collections import defaultdict

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from cms import sitecache
from cms.blocks import BaseStreamBlock

from ..widgets import FilterableCheckboxSelectMultiple
from .mixins import BasePage

RICH_TEXT_INTRO = ["bold", "italic", "link"]
ARTICLES_PER_PAGE = 10
PAST_EVENTS_PER_PAGE = 10


def attach_renditions(images) -> None:
    """Give these images their renditions from one query (Wagtail's `prefetched_renditions`),
    so showing them asks neither the database nor the cache again."""
    wanted = {image.pk: image for image in images if image is not None}
    if not wanted:
        return
    found = defaultdict(list)
    for rendition in get_image_model().get_rendition_model().objects.filter(image_id__in=wanted):
        found[rendition.image_id].append(rendition)
    for pk, image in wanted.items():
        for rendition in found[pk]:
            rendition.image = image  # a rendition's HTML reads its image (alt text)
        image.prefetched_renditions = found[pk]


class _TeaserImagesIterable(ModelIterable):
    """Rows as usual, then the renditions of their teaser images (`image_fields`) in one query
    for the whole batch: cheaper than a nested prefetch per field."""

    image_fields: tuple[str, ...] = ()

    def __iter__(self):
        rows = list(super().__iter__())
        attach_renditions(getattr(row, field) for row in rows for field in self.image_fields)
        yield from rows


def with_teaser_images(queryset, *fields):
    """Load teaser images and all their renditions up front, so a listing costs the same
    number of queries whatever its length."""
    queryset = queryset.select_related(*fields)
    queryset._iterable_class = type(
        "TeaserImagesIterable", (_TeaserImagesIterable,), {"image_fields": fields}
    )
    return queryset


def article_teasers(queryset):
    return with_teaser_images(queryset, "listing_image", "hero_image").order_by("-date", "-pk")


def event_teasers(queryset):
    return with_teaser_images(queryset, "listing_image")


def upcoming_events(now=None):
    """Events that have not ended yet (an event without an end is over when it starts)."""
    now = now or timezone.now()
    return (
        EventPage.objects.live()
        .filter(Q(end__gte=now) | Q(end__isnull=True, start__gte=now))
        .order_by("start", "pk")
    )


def past_events(now=None):
    now = now or timezone.now()
    return (
        EventPage.objects.live()
        .exclude(Q(end__gte=now) | Q(end__isnull=True, start__gte=now))
        .order_by("-start", "-pk")
    )


def route_below(root, request, path_components):
    """Wagtail's routing (two queries per level) in two queries: the pages the path names, in
    one, with the deepest loaded as its own type with what its view needs
    (`route_select_related`) and its parent attached; that page routes the rest (sub-routes of
    the calendar and events). Used by `cms.views.serve` for every page below the site root."""
    candidates = {
        root.url_path + "".join(f"{part}/" for part in path_components[:n]): n
        for n in range(1, len(path_components) + 1)
    }
    found = sitecache.kept(
        request,
        ("route", root.pk, *candidates),
        lambda: list(
            Page.objects.filter(url_path__in=candidates, path__startswith=root.path).order_by(
                "-depth"
            )
        ),
    )
    if not found:
        raise Http404
    deepest = found[0]
    model = deepest.specific_class or Page
    related = getattr(model, "route_select_related", ())
    page = model._default_manager.select_related(*related).get(pk=deepest.pk)
    parents = {p.path: p for p in [*found[1:], root]}
    parent = parents.get(page.path[: -page.steplen])
    if parent is not None:
        page._cached_parent_obj = parent
    return page.route(request, path_components[candidates[deepest.url_path] :])


def paginate(request, queryset, per_page):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("sida"))


class HomePage(BasePage):
    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)
    featured_article = models.ForeignKey(
        "home.ArticlePage",
        verbose_name=_("featured article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signup_title = models.CharField(
        _("newsletter sign-up heading"), max_length=120, default="Prenumerera på nyhetsbrevet"
    )
    signup_text = models.TextField(_("newsletter sign-up text"), blank=True)

    content_panels = [
        *Page.content_panels,
        "intro",
        "featured_article",
        MultiFieldPanel(["signup_title", "signup_text"], heading=_("Newsletter")),
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
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        """The home page is the site's root: one query finds the page the path names."""
        if not path_components:
            return super().route(request, path_components)
        return route_below(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        from .snippets import Municipality

        context = super().get_context(request, *args, **kwargs)
        # One query (and one for the renditions) for the featured article and the latest three,
        # one for the events, one for both index pages: the home page stays at a fixed cost.
        live = ArticlePage.objects.live()
        latest = live.order_by("-date", "-pk").values("pk")[:4]
        wanted = Q(pk__in=latest)
        if self.featured_article_id:
            wanted |= Q(pk=self.featured_article_id)
        articles = list(article_teasers(live.filter(wanted)))
        featured = next((a for a in articles if a.pk == self.featured_article_id), None)
        if featured is None and articles:
            featured = articles[0]
        # The next three events; the last three only when none is coming (one query either way
        # on most days: the two together cost more to build than two simple ones).
        now = timezone.now()
        upcoming = list(event_teasers(upcoming_events(now))[:3])
        recent = [] if upcoming else list(event_teasers(past_events(now))[:3])
        # The section index pages: kept per process until a page changes (cms.sitecache).
        indexes = sitecache.kept(
            request,
            ("home-indexes", self.pk),
            lambda: {
                page.specific_class: page
                for page in Page.objects.child_of(self)
                .live()
                .type(ArticleIndexPage, EventIndexPage)
            },
        )
        context.update(
            featured_article=featured,
            latest_articles=[a for a in articles if a is not featured][:3],
            upcoming_events=upcoming,
            recent_events=recent,
            member_count=Municipality.objects.filter(is_member=True).count(),
            article_index=indexes.get(ArticleIndexPage),
            event_index=indexes.get(EventIndexPage),
        )
        return context


class StandardPage(BasePage):
    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, "intro", "body"]
    search_fields = [*BasePage.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class ArticleIndexPage(BasePage):
    """/nyheter/: the news, newest first, ten a page, filterable by tag (?tag=)."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ArticlePage"]

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_articles(self):
        return article_teasers(ArticlePage.objects.child_of(self).live())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = self.get_articles()
        current_tag = None
        tag_slug = request.GET.get("tag", "").strip()
        if tag_slug:
            current_tag = Tag.objects.filter(slug=tag_slug).first()
            articles = articles.filter(tags__slug=tag_slug).distinct()
        context.update(
            articles=paginate(request, articles, ARTICLES_PER_PAGE),
            current_tag=current_tag,
            current_tag_slug=tag_slug,
            tags=Tag.objects.filter(
                home_articlepagetag_items__content_object__in=ArticlePage.objects.child_of(
                    self
                ).live()
            )
            .distinct()
            .order_by("name"),
        )
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "home.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(BasePage):
    # A new article is dated today (the editor may change it), as the issue is.
    date = models.DateField(_("date"), default=timezone.localdate)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("caption"), max_length=255, blank=True)
    hero_credit = models.CharField(_("photographer"), max_length=120, blank=True)
    byline_person = models.ForeignKey(
        "home.Person",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    byline_text = models.CharField(
        _("author (free text)"),
        max_length=255,
        blank=True,
        help_text=_(
            "E.g. “Sophia Vikström, kommunchef Grästorps kommun”. Used when no person is chosen."
        ),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("content"), blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    municipalities = ParentalManyToManyField(
        "home.Municipality", blank=True, related_name="articles", verbose_name=_("municipalities")
    )

    content_panels = [
        *Page.content_panels,
        "date",
        MultiFieldPanel(["hero_image", "hero_caption", "hero_credit"], heading=_("Main image")),
        MultiFieldPanel(["byline_person", "byline_text"], heading=_("Author")),
        "body",
        "tags",
        FieldPanel(
            "municipalities",
            widget=FilterableCheckboxSelectMultiple(
                search_label=_("Search municipality"), noun_plural=_("municipalities")
            ),
        ),
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
    route_select_related = (*BasePage.route_select_related, "hero_image", "byline_person")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # The default listing (news index, API, feeds) is newest first.
        indexes = [
            models.Index(fields=["-date", "-page_ptr"], name="home_article_date_idx"),
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_tags"] = list(self.tags.all())
        context["page_municipalities"] = list(self.municipalities.all())
        context["article_index"] = self.get_parent()
        return context

    def get_og_image(self):
        return super().get_og_image() or self.hero_image

    @property
    def byline(self) -> str:
        if self.byline_person_id:
            return self.byline_person.byline
        return self.byline_text


class EventIndexPage(RoutablePageMixin, BasePage):
    """/kalender/: upcoming events, then past ones; /kalender/ics/ is the upcoming-events feed."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.EventPage"]

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def serve_preview(self, request, mode_name):
        # RoutablePageMixin previews its index route only; the headless mode is BasePage's.
        if mode_name:
            return BasePage.serve_preview(self, request, mode_name)
        return super().serve_preview(request, mode_name)

    @path("")
    def index_route(self, request, *args, **kwargs):
        return self.render(request)

    @path("ics/", name="ics")
    def ics_feed(self, request):
        from home.ics import calendar_response

        return calendar_response(
            request,
            upcoming_events().descendant_of(self),
            filename="smakom-kalender.ics",
        )

    @path("anmalan/<str:token>/", name="registration")
    def registration_route(self, request, token):
        from events.views import manage

        return manage(request, token)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            upcoming_events=event_teasers(upcoming_events().descendant_of(self)),
            past_events=paginate(
                request, event_teasers(past_events().descendant_of(self)), PAST_EVENTS_PER_PAGE
            ),
        )
        return context


class EventPage(RoutablePageMixin, BasePage):
    class Audience(models.TextChoices):
        MEMBERS = "members", _("Members only")
        OPEN = "open", _("Open to all")

    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    location_name = models.CharField(
        _("place"), max_length=160, blank=True, help_text=_("E.g. Lerdalshöjden")
    )
    location_city = models.CharField(
        _("town"), max_length=120, blank=True, help_text=_("E.g. Rättvik")
    )
    is_online = models.BooleanField(_("online (webinar)"), default=False)
    organiser = models.CharField(
        _("organiser"),
        max_length=160,
        default="SmåKom",
        help_text=_("E.g. SmåKom, SNS, SKR, TechSverige"),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.OPEN
    )
    price_text = models.CharField(
        _("price"),
        max_length=160,
        blank=True,
        help_text=_("E.g. “2 195 kr/person” or “kostnadsfritt för medlemmar”"),
    )
    registration_url = models.URLField(_("registration link"), blank=True)
    registration_deadline = models.DateField(_("registration deadline"), null=True, blank=True)
    extended_deadline = models.DateField(_("extended registration until"), null=True, blank=True)
    # Registration on the site (the events app): /kalender/<event>/anmalan/.
    registration_enabled = models.BooleanField(
        _("registration on the site"),
        default=False,
        help_text=_("Registrations are taken here; leave the registration link empty."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    ask_organisation = models.BooleanField(_("ask for municipality/organisation"), default=True)
    ask_role = models.BooleanField(_("ask for role"), default=True)
    ask_diet = models.BooleanField(_("ask for dietary needs and allergies"), default=False)
    ask_invoice_reference = models.BooleanField(_("ask for invoicing reference"), default=False)
    consent_text = models.TextField(
        _("consent text"),
        blank=True,
        help_text=_(
            "Registrants must tick a box with this text (e.g. photos, list of participants)."
        ),
    )
    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("content"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel(["start", "end"], heading=_("Time")),
        MultiFieldPanel(["location_name", "location_city", "is_online"], heading=_("Place")),
        MultiFieldPanel(["organiser", "audience", "price_text"], heading=_("Organiser and price")),
        MultiFieldPanel(
            ["registration_url", "registration_deadline", "extended_deadline"],
            heading=_("Registration"),
        ),
        MultiFieldPanel(
            [
                "registration_enabled",
                "capacity",
                FieldRowPanel(["ask_organisation", "ask_role"]),
                FieldRowPanel(["ask_diet", "ask_invoice_reference"]),
                "consent_text",
                InlinePanel("registration_options", label=_("Programme parts")),
            ],
            heading=_("Registration on the site"),
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
        verbose_name = _("event")
        verbose_name_plural = _("event")

    def serve_preview(self, request, mode_name):
        # RoutablePageMixin previews its index route only; the headless mode is BasePage's.
        if mode_name:
            return BasePage.serve_preview(self, request, mode_name)
        return super().serve_preview(request, mode_name)

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end cannot be before the start.")
        if (
            self.registration_deadline
            and self.extended_deadline
            and self.extended_deadline < self.registration_deadline
        ):
            errors["extended_deadline"] = _(
                "The extended registration must be after the registration deadline."
            )
        if errors:
            raise ValidationError(errors)

    @path("")
    def index_route(self, request, *args, **kwargs):
        return self.render(request)

    @path("ics/", name="ics")
    def ics_file(self, request):
        from home.ics import calendar_response

        return calendar_response(request, [self], filename=f"{self.slug}.ics")

    @path("anmalan/", name="register")
    def register_route(self, request):
        from events.views import register

        return register(request, self)

    @property
    def registration(self):
        """Places, deadline and open/closed state of registration on the site (cached)."""
        if not hasattr(self, "_registration_state"):
            from events.services import registration_state

            # No queries for events that do not take registrations here.
            self._registration_state = registration_state(self, counts=self.registration_enabled)
        return self._registration_state

    @property
    def is_past(self) -> bool:
        return (self.end or self.start) < timezone.now()

    @property
    def effective_deadline(self):
        return self.extended_deadline or self.registration_deadline

    @property
    def location(self) -> str:
        if self.is_online:
            return _("Online")
        return ", ".join(p for p in [self.location_name, self.location_city] if p)


class MunicipalityIndexPage(BasePage):
    """/medlemmar/: the member municipalities, filterable by county (?lan=)."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_INTRO, blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("member municipalities")
        verbose_name_plural = _("member municipalities")

    def get_context(self, request, *args, **kwargs):
        from .snippets import COUNTIES, Municipality

        context = super().get_context(request, *args, **kwargs)
        members = with_teaser_images(
            Municipality.objects.filter(is_member=True), "coat_of_arms"
        ).prefetch_related("visits")
        county = request.GET.get("lan", "")
        counties = dict(COUNTIES)
        if county in counties:
            members = members.filter(county=county)
        else:
            county = ""
        present = set(Municipality.objects.filter(is_member=True).values_list("county", flat=True))
        context.update(
            municipalities=members,
            member_count=Municipality.objects.filter(is_member=True).count(),
            counties=[(key, label) for key, label in COUNTIES if key in present],
            current_county=county,
            current_county_label=counties.get(county, ""),
        )
        return context


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
    "past_events",
    "upcoming_events",
]
