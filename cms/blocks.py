"""StreamField blocks shared by the page types. Page-specific stream blocks extend BaseStreamBlock."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Rubrik"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Nivå"),
        choices=[("h2", _("Rubrik 2")), ("h3", _("Rubrik 3")), ("h4", _("Rubrik 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Rubrik")
        template = "components/streamfield/blocks/heading_block.html"
        description = _("En rubrik som delar upp texten.")
        preview_value = {"text": "Välkommen Tranemo och Vårgårda kommuner!", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Bild"))
    alt_text = blocks.CharBlock(
        label=_("Alternativtext"),
        required=False,
        help_text=_("Beskriv bilden för den som inte ser den. Lämnas tomt används bildens titel."),
    )
    caption = blocks.CharBlock(label=_("Bildtext"), required=False)
    credit = blocks.CharBlock(label=_("Fotograf"), required=False)

    class Meta:
        icon = "image"
        label = _("Bild")
        template = "components/streamfield/blocks/image_block.html"
        description = _("En bild med bildtext och fotograf.")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citat"))
    attribution = blocks.CharBlock(label=_("Källa"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citat")
        template = "components/streamfield/blocks/quote_block.html"
        description = _("Ett framlyft citat.")
        preview_value = {
            "text": "När förtroendevalda och tjänstepersoner har samma vilja finns det alla "
            "möjligheter att forcera byråkrati och förkorta processer.",
            "attribution": "Sophia Vikström, kommunchef Grästorps kommun",
        }


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Knapptext"), max_length=80, default="Mer info här")
    page = blocks.PageChooserBlock(label=_("Sida"), required=False)
    url = blocks.URLBlock(label=_("Extern länk"), required=False)

    class Meta:
        icon = "link"
        label = _("Knapp")
        template = "components/streamfield/blocks/cta_block.html"
        description = _("En knapp som leder vidare, till en sida eller en extern adress.")
        preview_value = {"text": "PROGRAM & ANMÄLAN", "url": "https://www.smakom.se/"}

    def clean(self, value):
        from django.core.exceptions import ValidationError

        from wagtail.blocks.struct_block import StructBlockValidationError

        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Välj en sida eller ange en länk."))}
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Dokument"))
    title = blocks.CharBlock(label=_("Länktext"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Dokument")
        template = "components/streamfield/blocks/document_block.html"
        description = _("En länk till ett dokument att ladda ner.")


class BaseStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        template="components/streamfield/blocks/paragraph_block.html",
        description=_("Brödtext med rubriker, listor och länkar."),
        preview_value="<p>SmåKom arrangerar ett kostnadsfritt webbinarium för sina medlemmar.</p>",
    )
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    button = CallToActionBlock()
    embed = EmbedBlock(
        label=_("Inbäddat innehåll"),
        help_text=_("Adress till t.ex. en video på YouTube eller Vimeo."),
        icon="media",
        template="components/streamfield/blocks/embed_block.html",
        description=_("Video eller annat inbäddat innehåll."),
    )
    document = DocumentBlock()
