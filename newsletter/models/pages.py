from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.models import BasePage
from newsletter.blocks import IssueStreamBlock
from newsletter.panels import CampaignStatusPanel, ChecklistPanel


class NewsletterIndexPage(BasePage):
    """The archive at /nyhetsbrev/: every published issue, by year, newest first."""

    intro = RichTextField(_("intro"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, "intro"]

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.NewsletterIssuePage"]

    class Meta:
        verbose_name = _("newsletter archive")
        verbose_name_plural = _("newsletter archives")

    def get_issues(self):
        from cms.visibility import public

        return (
            public(NewsletterIssuePage.objects.live())
            .child_of(self)
            .order_by("-issue_date", "-pk")
            .only(
                "title", "slug", "url_path", "issue_date", "subject", "preheader", "path", "depth"
            )
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        years: dict = {}
        for issue in self.get_issues():
            years.setdefault(issue.issue_date.year, []).append(issue)
        context["issues_by_year"] = sorted(years.items(), reverse=True)
        return context


class NewsletterIssuePage(BasePage):
    """An issue of the newsletter: a web page and, rendered from the same content, an email."""

    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    subject = models.CharField(_("subject line"), max_length=150, blank=True)
    preheader = models.CharField(
        _("preview text"),
        max_length=150,
        blank=True,
        help_text=_("Shown after the subject line in the inbox."),
    )
    intro = RichTextField(_("intro"), features=["bold", "italic", "link"], blank=True)
    body = StreamField(IssueStreamBlock(), verbose_name=_("sections"), blank=True)
    # The send-readiness checklist as of the last save (computed locally, no network).
    readiness = models.JSONField(_("readiness checklist"), default=dict, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        ChecklistPanel(heading=_("Ready to send?")),
        CampaignStatusPanel(heading=_("Mailchimp campaign")),
        MultiFieldPanel(["issue_date", "subject", "preheader"], heading=_("Email")),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("subject"),
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("issue_date"),
    ]

    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types = []

    site_preview_modes = [
        ("", _("Web page")),
        ("email", _("Email")),
        ("email_phone", _("Email on a phone")),
        ("text", _("Plain text")),
    ]

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    # -- web ---------------------------------------------------------------------------------

    def get_context(self, request, *args, **kwargs):
        from cms.models import SiteSettings
        from newsletter.rendering.sections import prepare

        context = super().get_context(request, *args, **kwargs)
        # The request's site settings: the same object the footer reads (one query for both).
        site_settings = SiteSettings.for_request(request)
        context["sections"] = prepare(
            self, utm=False, site_settings=site_settings, prefetch_renditions=False
        ).sections
        return context

    # -- previews in the editor ---------------------------------------------------------------

    def serve_preview(self, request, mode_name):
        response = self._serve_preview(request, mode_name)
        if mode_name:
            # The email previews show an email (its own inline styles), inside the admin only:
            # the public site's Content-Security-Policy is not theirs.
            response._csp_exempt = True
        return response

    def _serve_preview(self, request, mode_name):
        from newsletter.rendering import render_email

        if mode_name == "email":
            return HttpResponse(render_email(self, backend="preview").html)
        if mode_name == "email_phone":
            return TemplateResponse(
                request,
                "newsletter/preview_phone.html",
                {"page": self, "email_html": render_email(self, backend="preview").html},
            )
        if mode_name == "text":
            rendered = render_email(self, backend="preview")
            text = f"{rendered.subject}\n{rendered.preheader}\n\n{rendered.text}"
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        return super().serve_preview(request, mode_name)

    # -- publishing --------------------------------------------------------------------------

    def publish(self, revision, *args, **kwargs):
        # The model-level guard for every path through revision.publish(): workflow approval,
        # publish_scheduled, code. The editor's own Publish is stopped earlier, with the errors on
        # screen (newsletter/admin/publishing.py).
        from newsletter.services import publish_gate

        checklist = publish_gate.publish_refusal(revision.as_object())
        if checklist is not None:
            if kwargs.get("log_action") == "wagtail.publish.scheduled":
                # publish_scheduled must carry on with other pages: hold this one, don't raise.
                publish_gate.hold_scheduled_go_live(revision, checklist)
                return None
            raise publish_gate.IssueNotPublishable(checklist, page_id=self.pk)
        return super().publish(revision, *args, **kwargs)

    # -- readiness -------------------------------------------------------------------------------

    def update_readiness(self):
        from newsletter.checklist import check_issue

        checklist = check_issue(self)
        self.readiness = {**checklist.as_json(), "checked_at": timezone.now().isoformat()}
        return checklist

    def full_clean(self, *args, **kwargs):
        # The editor's save and publish both validate first: the checklist they store (in the
        # draft revision or on the page) matches what the editor sees.
        super().full_clean(*args, **kwargs)
        self.update_readiness()
        self._readiness_fresh = True

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None and not getattr(self, "_readiness_fresh", False):
            self.update_readiness()
        self._readiness_fresh = False
        return super().save(*args, **kwargs)

    @property
    def checklist(self):
        from newsletter.checklist import Checklist

        return Checklist.from_json(self.readiness)
