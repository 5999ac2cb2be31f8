from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index


class ListingFields(models.Model):
    """What a page shows when it appears in a listing (teaser)."""

    listing_title = models.CharField(
        _("listing title"),
        max_length=255,
        blank=True,
        help_text=_("If left empty, the page title is used."),
    )
    listing_summary = models.TextField(
        _("summary"), blank=True, help_text=_("Short summary shown in listings and search.")
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("listing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    listing_panels = [
        MultiFieldPanel(
            ["listing_title", "listing_summary", "listing_image"],
            heading=_("Teaser in listings"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def teaser_title(self) -> str:
        return self.listing_title or self.title


class SocialFields(models.Model):
    """OpenGraph image and text for sharing."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    social_text = models.CharField(_("social text"), max_length=255, blank=True)

    promote_panels = [MultiFieldPanel(["social_image", "social_text"], heading=_("Social media"))]

    class Meta:
        abstract = True


class BasePage(ListingFields, SocialFields, Page):
    """Every public page: listing (teaser) fields and social fields."""

    show_in_menus_default = False

    promote_panels = (
        Page.promote_panels + ListingFields.listing_panels + SocialFields.promote_panels
    )
    search_fields = [*Page.search_fields, index.SearchField("listing_summary")]

    class Meta:
        abstract = True

    # The site's own preview modes; the headless frontend's (api.preview) is added when one
    # is configured (HEADLESS_PREVIEW_URL).
    site_preview_modes = Page.DEFAULT_PREVIEW_MODES

    @property
    def preview_modes(self):
        from api.preview import preview_modes

        return [*self.site_preview_modes, *preview_modes()]

    def serve_preview(self, request, mode_name):
        from api.preview import MODE, serve_headless_preview

        if mode_name == MODE:
            return serve_headless_preview(self, request)
        return super().serve_preview(request, mode_name)

    # Foreign keys the page's own view needs, loaded with the page when a request is routed to it
    # (HomePage.route).
    route_select_related: tuple[str, ...] = ("social_image", "listing_image")

    def get_og_image(self):
        return self.social_image or self.listing_image

    def get_view_restrictions(self):
        """Wagtail's rule (the page's and its ancestors' restrictions, an alias using its
        source's) in one query instead of one per alias plus one for the ancestors."""
        from django.db.models import Q

        from wagtail.models import Page, PageViewRestriction

        from cms.visibility import any_view_restrictions

        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        if self.alias_of_id:
            return super().get_view_restrictions()
        paths = [self.path[:n] for n in range(self.steplen, len(self.path) + 1, self.steplen)]
        sources = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of")
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page__in=sources)
        )

    def get_og_description(self) -> str:
        return self.social_text or self.search_description or self.listing_summary


__all__ = ["BasePage", "FieldPanel", "ListingFields", "SocialFields"]
