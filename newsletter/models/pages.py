from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.models import BasePage
from newsletter.blocks import IssueStreamBlock


class NewsletterIndexPage(BasePage):
    intro = RichTextField(_("ingress"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.NewsletterIssuePage"]

    class Meta:
        verbose_name = _("nyhetsbrevsarkiv")


class NewsletterIssuePage(BasePage):
    issue_date = models.DateField(_("utgivningsdatum"))
    subject = models.CharField(_("ämnesrad"), max_length=150, blank=True)
    preheader = models.CharField(
        _("förhandstext"),
        max_length=150,
        blank=True,
        help_text=_("Visas efter ämnesraden i inkorgen."),
    )
    intro = RichTextField(_("ingress"), features=["bold", "italic", "link"], blank=True)
    body = StreamField(IssueStreamBlock(), verbose_name=_("innehåll"), blank=True)

    content_panels = [*Page.content_panels, "issue_date", "subject", "preheader", "intro", "body"]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("subject"),
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("issue_date"),
    ]

    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("nyhetsbrev")
        verbose_name_plural = _("nyhetsbrev")
