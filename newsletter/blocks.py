"""Sections of a newsletter issue (the issue's StreamField).

Each block renders on the web (Meta.template, also used for block previews in the editor); the email
and plain-text renderings are built from the same values in newsletter/rendering/.
"""

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.blocks import PageOrUrlMixin

# Rich text in an issue: no embedded images (they go in image blocks, sized for the email column).
ISSUE_RICH_TEXT = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]
SHORT_RICH_TEXT = ["bold", "italic", "link", "document-link"]


class SectionBlockMixin:
    """Renders the web template from the same normalised section the email uses."""

    def get_context(self, value, parent_context=None):
        from newsletter.rendering.sections import prepare_block

        context = super().get_context(value, parent_context=parent_context)
        context["section"] = prepare_block(self.name, self.get_prep_value(value))
        return context


class LinkFieldsMixin(PageOrUrlMixin):
    """`link_page`/`link_url`: optional, but not both."""

    page_field = "link_page"
    url_field = "link_url"
    require_link = False
    exclusive_link = True


class LeadStoryBlock(SectionBlockMixin, LinkFieldsMixin, blocks.StructBlock):
    # An article fills what the editor leaves empty (title, summary, image, author, link), read
    # when the issue is rendered, so a corrected article corrects the issue too.
    article = blocks.PageChooserBlock(
        label=_("From article"),
        page_type="home.ArticlePage",
        required=False,
        help_text=_(
            "Pick an article and leave the fields below empty to use its title, summary and "
            "image. Anything you write replaces the article's."
        ),
    )
    heading = blocks.CharBlock(
        label=_("Heading"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the article's title is used."),
    )
    text = blocks.RichTextBlock(
        label=_("Text"),
        features=ISSUE_RICH_TEXT,
        required=False,
        help_text=_("Left empty, the article's summary is used."),
    )
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Left empty, the article's image is used.")
    )
    alt_text = blocks.CharBlock(
        label=_("Alt text"),
        required=False,
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    author = blocks.CharBlock(
        label=_("Author line"),
        required=False,
        help_text=_("E.g. “Sophia Vikström, kommunchef Grästorps kommun”."),
    )
    link_text = blocks.CharBlock(label=_("Link text"), required=False, default="Mer info här")
    link_page = blocks.PageChooserBlock(label=_("Link to page"), required=False)
    link_url = blocks.URLBlock(label=_("Link to address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Lead story")
        template = "newsletter/blocks/section.html"
        description = _(
            "The issue's main story, from an article or written here: heading, text, image and "
            "author line."
        )
        preview_value = {
            "heading": "Från ord till handling på sex dagar",
            "text": "<p>När kriget i Ukraina bröt ut kände Grästorps kommunalråd att de ville "
            "hjälpa de ukrainska flyktingarna på ett aktivt sätt.</p>",
            "author": "Sophia Vikström, kommunchef Grästorps kommun",
            "link_text": "Mer info här",
            "link_url": "https://www.smakom.se/",
        }

    def clean(self, value):
        value = super().clean(value)
        if value.get("article"):
            return value
        errors = {}
        if not value.get("heading"):
            errors["heading"] = ValidationError(_("Pick an article or write a heading."))
        if not (value.get("text") and strip_tags(value["text"].source).strip()):
            errors["text"] = ValidationError(_("Pick an article or write a text."))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class ArticleTeaserBlock(SectionBlockMixin, blocks.StructBlock):
    article = blocks.PageChooserBlock(label=_("Article"), page_type="home.ArticlePage")
    # Overrides: empty, the article's own (current) title, summary and image are used.
    heading = blocks.CharBlock(
        label=_("Heading"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the article's title is used."),
    )
    summary = blocks.TextBlock(
        label=_("Summary"),
        required=False,
        rows=3,
        help_text=_("Left empty, the article's summary is used."),
    )
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Left empty, the article's image is used.")
    )
    show_image = blocks.BooleanBlock(label=_("Show image"), required=False, default=True)
    full_text = blocks.BooleanBlock(
        label=_("Include the full text"),
        required=False,
        default=False,
        help_text=_("Otherwise the summary and a “Läs mer” link."),
    )
    link_text = blocks.CharBlock(label=_("Link text"), required=False, default="Läs mer")

    class Meta:
        icon = "doc-full"
        label = _("Article teaser")
        template = "newsletter/blocks/section.html"
        description = _("An article from the site: title, image, summary and a “Läs mer” link.")

    def get_preview_value(self):
        from home.models import ArticlePage

        article = ArticlePage.objects.live().order_by("-date").first()
        return self.to_python({"article": article.pk if article else None, "link_text": "Läs mer"})


class EventTeaserBlock(SectionBlockMixin, blocks.StructBlock):
    event = blocks.PageChooserBlock(label=_("Event"), page_type="home.EventPage")
    text = blocks.RichTextBlock(
        label=_("Text"),
        features=SHORT_RICH_TEXT,
        required=False,
        help_text=_("Left empty, the event's summary is used."),
    )
    button_text = blocks.CharBlock(
        label=_("Button text"), required=False, default="PROGRAM & ANMÄLAN"
    )

    class Meta:
        icon = "date"
        label = _("Event teaser")
        template = "newsletter/blocks/section.html"
        description = _(
            "An event from the calendar: date, place, price, deadline and a registration button."
        )

    def get_preview_value(self):
        from home.models import EventPage

        event = EventPage.objects.live().order_by("-start").first()
        return self.to_python({"event": event.pk if event else None})


class UpcomingEventsBlock(SectionBlockMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), default="På gång i SmåKom")
    days = blocks.IntegerBlock(
        label=_("Days ahead"),
        default=60,
        min_value=1,
        max_value=366,
        help_text=_("Events starting within this many days of the issue date."),
    )
    limit = blocks.IntegerBlock(label=_("At most"), default=6, min_value=1, max_value=20)

    class Meta:
        icon = "calendar-alt"
        label = _("Upcoming events")
        template = "newsletter/blocks/section.html"
        description = _("Filled from the calendar: the events of the coming days.")
        preview_value = {"heading": "På gång i SmåKom", "days": 60, "limit": 6}


class TextSectionBlock(SectionBlockMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=ISSUE_RICH_TEXT)

    class Meta:
        icon = "pilcrow"
        label = _("Heading and text")
        template = "newsletter/blocks/section.html"
        description = _("A heading with rich text: paragraphs, lists and links.")
        preview_value = {
            "heading": "Välkommen Tranemo och Vårgårda kommuner!",
            "text": "<p>På styrelsemötet den 18 mars hade vi nöjet att anta ytterligare två "
            "kommuner som medlemmar i SmåKom.</p>",
        }


class IssueImageBlock(SectionBlockMixin, blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alt text"),
        required=False,
        help_text=_(
            "Describe the image for readers who cannot see it. Left empty, the image's "
            "description is used."
        ),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "newsletter/blocks/section.html"
        description = _("An image with a caption, as wide as the email.")

    def get_preview_value(self):
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-created_at").first()
        return self.to_python({"image": image.pk if image else None, "caption": "Tranemo"})


class TipBlock(LinkFieldsMixin, blocks.StructBlock):
    category = blocks.CharBlock(
        label=_("Category"), required=False, help_text=_("E.g. “SNS seminarier”")
    )
    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    when = blocks.CharBlock(
        label=_("Date and time"), required=False, help_text=_("E.g. “8 april kl 13.00–14.15”")
    )
    text = blocks.RichTextBlock(label=_("Text"), features=SHORT_RICH_TEXT, required=False)
    link_text = blocks.CharBlock(
        label=_("Link text"), required=False, default="Information och anmälan"
    )
    link_page = blocks.PageChooserBlock(label=_("Link to page"), required=False)
    link_url = blocks.URLBlock(label=_("Link to address"), required=False)

    class Meta:
        icon = "info-circle"
        label = _("Tip")


class TipsGridBlock(SectionBlockMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), default="SmåKom tipsar!")
    items = blocks.ListBlock(TipBlock(), label=_("Tips"))

    class Meta:
        icon = "list-ul"
        label = _("Tips grid")
        template = "newsletter/blocks/section.html"
        description = _("Short tips in two columns (one on phones).")
        preview_value = {
            "heading": "SmåKom tipsar!",
            "items": [
                {
                    "category": "Välfärdsteknik",
                    "heading": "Erfarenhetsutbyte om välfärdsteknik",
                    "when": "11 maj kl 13.00–15.00",
                    "text": "<p>En workshop om organisation och roller.</p>",
                    "link_text": "Information och anmälan",
                    "link_url": "https://www.skr.se/",
                },
                {
                    "category": "SNS seminarier",
                    "heading": "Bör bostadsbidraget reformeras?",
                    "when": "8 april kl 13.00–14.15",
                    "text": "<p>Regeringens särskilda utredare gästar SNS.</p>",
                    "link_text": "Information och anmälan",
                    "link_url": "https://www.sns.se/",
                },
            ],
        }


class ContactBlock(SectionBlockMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), default="Kontakt")
    person = SnippetChooserBlock(
        "home.Person",
        label=_("Person"),
        required=False,
        help_text=_("Left empty, the contact in the site settings is used."),
    )

    class Meta:
        icon = "user"
        label = _("Contact")
        template = "newsletter/blocks/section.html"
        description = _("Who to contact: a person or the organisation's contact details.")
        preview_value = {"heading": "Kontakt"}


class DividerBlock(SectionBlockMixin, blocks.StaticBlock):
    class Meta:
        icon = "horizontalrule"
        label = _("Divider")
        admin_text = _("A horizontal line between sections.")
        template = "newsletter/blocks/section.html"
        description = _("A horizontal line between sections.")
        preview_value = None


class ButtonBlock(SectionBlockMixin, LinkFieldsMixin, blocks.StructBlock):
    text = blocks.CharBlock(label=_("Button text"), max_length=80, default="Mer info här")
    link_page = blocks.PageChooserBlock(label=_("Page"), required=False)
    link_url = blocks.URLBlock(label=_("External link"), required=False)

    class Meta:
        icon = "link"
        label = _("Button")
        template = "newsletter/blocks/section.html"
        description = _("A button that leads on, to a page or an external address.")
        preview_value = {"text": "PROGRAM & ANMÄLAN", "link_url": "https://www.smakom.se/"}

    require_link = True  # a button must lead somewhere


class IssueStreamBlock(blocks.StreamBlock):
    lead_story = LeadStoryBlock()
    article_teaser = ArticleTeaserBlock()
    event_teaser = EventTeaserBlock()
    upcoming_events = UpcomingEventsBlock()
    text = TextSectionBlock()
    image = IssueImageBlock()
    tips = TipsGridBlock()
    contact = ContactBlock()
    divider = DividerBlock()
    button = ButtonBlock()


__all__ = [
    "ArticleTeaserBlock",
    "ButtonBlock",
    "ContactBlock",
    "DividerBlock",
    "EventTeaserBlock",
    "IssueImageBlock",
    "IssueStreamBlock",
    "LeadStoryBlock",
    "TextSectionBlock",
    "TipBlock",
    "TipsGridBlock",
    "UpcomingEventsBlock",
]
