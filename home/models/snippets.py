from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

# Sweden's 21 counties (län), as stored values and Swedish labels.
COUNTIES = [
    ("blekinge", "Blekinge län"),
    ("dalarna", "Dalarnas län"),
    ("gavleborg", "Gävleborgs län"),
    ("gotland", "Gotlands län"),
    ("halland", "Hallands län"),
    ("jamtland", "Jämtlands län"),
    ("jonkoping", "Jönköpings län"),
    ("kalmar", "Kalmar län"),
    ("kronoberg", "Kronobergs län"),
    ("norrbotten", "Norrbottens län"),
    ("skane", "Skåne län"),
    ("stockholm", "Stockholms län"),
    ("sodermanland", "Södermanlands län"),
    ("uppsala", "Uppsala län"),
    ("varmland", "Värmlands län"),
    ("vasterbotten", "Västerbottens län"),
    ("vasternorrland", "Västernorrlands län"),
    ("vastmanland", "Västmanlands län"),
    ("vastra_gotaland", "Västra Götalands län"),
    ("orebro", "Örebro län"),
    ("ostergotland", "Östergötlands län"),
]


class Person(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(
        _("role"), max_length=160, blank=True, help_text=_("E.g. verksamhetsledare")
    )
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        "name",
        "role",
        "organisation",
        MultiFieldPanel(["email", "phone"], heading=_("Contact")),
        FieldPanel("photo"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("role"),
        index.SearchField("organisation"),
        index.FilterField("organisation"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def byline(self) -> str:
        """'Sophia Vikström, kommunchef Grästorps kommun'."""
        parts = [self.role, self.organisation]
        detail = " ".join(p for p in parts if p)
        return f"{self.name}, {detail}" if detail else self.name


class Municipality(index.Indexed, ClusterableModel):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    county = models.CharField(_("county"), max_length=32, choices=COUNTIES)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    is_member = models.BooleanField(_("member"), default=True)
    website = models.URLField(_("website"), blank=True)
    coat_of_arms = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("coat of arms"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)

    panels = [
        MultiFieldPanel(["name", "slug", "county"], heading=_("Municipality")),
        MultiFieldPanel(
            ["population", "area_km2", "member_since", "is_member"], heading=_("Facts")
        ),
        "website",
        "coat_of_arms",
        "description",
        InlinePanel("visits", label=_("Municipality visits"), heading=_("Municipality visits")),
    ]
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.FilterField("county"),
        index.FilterField("is_member"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class MunicipalityVisit(Orderable):
    municipality = ParentalKey(Municipality, related_name="visits", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = ["date", "note"]

    class Meta(Orderable.Meta):
        ordering = ["-date"]
        verbose_name = _("municipality visit")
        verbose_name_plural = _("municipality visit")

    def __str__(self) -> str:
        return f"{self.municipality} {self.date:%Y-%m-%d}"
