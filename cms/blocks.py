"""StreamField blocks shared by the page types. Page-specific stream blocks extend BaseStreamBlock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class PageOrUrlMixin:
    """Validates a struct block that links to a chosen page or an external address.

    `page_field`/`url_field` name the block's two fields; `require_link` asks for one of them,
    `exclusive_link` refuses both. Errors are shown on the address field.
    """

    page_field = "page"
    url_field = "url"
    require_link = True
    exclusive_link = False

    def clean(self, value):
        value = super().clean(value)
        page, url = value.get(self.page_field), value.get(self.url_field)
        if self.exclusive_link and page and url:
            message = _("Choose a page or enter a link, not both.")
        elif self.require_link and not page and not url:
            message = _("Choose a page or enter a link.")
        else:
            return value
        raise StructBlockValidationError(block_errors={self.url_field: ValidationError(message)})


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "components/streamfield/blocks/heading_block.html"
        description = _("A heading that divides the text.")
        preview_value = {"text": "Välkommen Tranemo och Vårgårda kommuner!", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alt text"),
        required=False,
        help_text=_(
            "Describe the image for those who cannot see it. If left empty, the image title is used."
        ),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    credit = blocks.CharBlock(label=_("Photographer"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/streamfield/blocks/image_block.html"
        description = _("An image with caption and photographer.")

    def get_preview_value(self):
        # Previews show the newest image in the library, if there is one.
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-pk").first()
        return self.to_python(
            {
                "image": image.pk if image else None,
                "alt_text": "",
                "caption": "Tranemo och Vårgårda",
                "credit": "",
            }
        )


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "components/streamfield/blocks/quote_block.html"
        description = _("A highlighted quote.")
        preview_value = {
            "text": "När förtroendevalda och tjänstepersoner har samma vilja finns det alla "
            "möjligheter att forcera byråkrati och förkorta processer.",
            "attribution": "Sophia Vikström, kommunchef Grästorps kommun",
        }


class CallToActionBlock(PageOrUrlMixin, blocks.StructBlock):
    text = blocks.CharBlock(label=_("Button text"), max_length=80, default="Mer info här")
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("External link"), required=False)

    def get_context(self, value, parent_context=None):
        from cms.visibility import is_visible

        context = super().get_context(value, parent_context=parent_context)
        page = value.get("page")
        request = (parent_context or {}).get("request")
        if page is not None:
            # A draft or login-restricted page: no button (its URL would show on the public page).
            context["target_url"] = (
                page.get_url(request=request) if is_visible(page, request) else ""
            )
        else:
            context["target_url"] = value.get("url") or ""
        return context

    class Meta:
        icon = "link"
        label = _("Button")
        template = "components/streamfield/blocks/cta_block.html"
        description = _("A button leading on, to a page or an external address.")
        preview_value = {"text": "PROGRAM & ANMÄLAN", "url": "https://www.smakom.se/"}


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "components/streamfield/blocks/document_block.html"
        description = _("A link to a document to download.")

    def get_preview_value(self):
        from wagtail.documents import get_document_model

        document = get_document_model().objects.order_by("-pk").first()
        return self.to_python({"document": document.pk if document else None, "title": ""})


class BaseStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        template="components/streamfield/blocks/paragraph_block.html",
        description=_("Body text with headings, lists and links."),
        preview_value="<p>SmåKom arrangerar ett kostnadsfritt webbinarium för sina medlemmar.</p>",
    )
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    button = CallToActionBlock()
    embed = EmbedBlock(
        label=_("Embedded content"),
        help_text=_("Address of e.g. a video on YouTube or Vimeo."),
        icon="media",
        template="components/streamfield/blocks/embed_block.html",
        description=_("Video or other embedded content."),
    )
    document = DocumentBlock()
