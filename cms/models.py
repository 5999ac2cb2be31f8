from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contact, postal address, social links and footer: shared by the site and the newsletter."""

    organisation_name = models.CharField(_("organisation name"), max_length=120, default="SmåKom")
    contact_person = models.ForeignKey(
        "home.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True, default="https://www.smakom.se")
    postal_address = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_(
            "Required in every newsletter (email law). One line per row, e.g. street or box, then "
            "postcode and town; kept as the Mailchimp audience's contact address."
        ),
    )
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)
    newsletter_from_name = models.CharField(_("newsletter sender name"), max_length=100, blank=True)
    newsletter_reply_to = models.EmailField(_("newsletter reply-to address"), blank=True)
    newsletter_reason = models.TextField(
        _("why the recipient gets the newsletter"),
        blank=True,
        default="Du får det här mejlet eftersom du prenumererar på SmåKoms nyhetsbrev.",
        help_text=_(
            "Shown in every issue's footer and kept as the Mailchimp audience's permission reminder."
        ),
    )

    # Read on every page (footer): the contact person with it, in one query.
    select_related = ["contact_person"]

    panels = [
        MultiFieldPanel(
            ["organisation_name", "contact_person", "contact_email", "contact_phone", "website"],
            heading=_("Contact"),
        ),
        FieldPanel("postal_address"),
        MultiFieldPanel(
            ["facebook_url", "instagram_url", "linkedin_url"], heading=_("Social media")
        ),
        FieldPanel("footer_text"),
        MultiFieldPanel(
            ["newsletter_from_name", "newsletter_reply_to", "newsletter_reason"],
            heading=_("Newsletter"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")

    @classmethod
    def for_request(cls, request):
        # Public pages read the per-process copy (cms.sitecache); the admin reads the database.
        attr_name = cls.get_cache_attr_name()
        if not hasattr(request, attr_name):
            from cms import sitecache

            kept = sitecache.setting_for_request(cls, request)
            if kept is not None:
                kept._request = request
                setattr(request, attr_name, kept)
        return super().for_request(request)

    @property
    def from_name(self) -> str:
        return self.newsletter_from_name or settings.MAILCHIMP_FROM_NAME

    @property
    def reply_to(self) -> str:
        return self.newsletter_reply_to or settings.MAILCHIMP_REPLY_TO


class Lease(models.Model):
    """A named lock with an expiry, held by one process at a time (see cms/leases.py).

    `run_periodic` holds one so that only one of several machines enqueues the periodic tasks.
    A holder that dies stops renewing, and another takes over once the lease has expired.
    """

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.holder or '-'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
