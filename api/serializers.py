"""Serializer fields for the v2 endpoints: plain data, absolute URLs."""

from rest_framework.fields import Field

from .content import image_data, rich_text_html, stream_data


class RichTextHTMLField(Field):
    """Rich text as HTML with internal links expanded and absolute URLs."""

    def to_representation(self, value):
        return rich_text_html(value, self.context.get("request"))


class StreamDataField(Field):
    """A StreamField as [{type, id, value}] with pages, images and rich text resolved."""

    def to_representation(self, value):
        return stream_data(value, self.context.get("request"))


class ImageDataField(Field):
    """An image with its title, alt text and WebP rendition URLs."""

    def __init__(self, *args, renditions=None, **kwargs):
        self.renditions = renditions
        super().__init__(*args, **kwargs)

    def to_representation(self, value):
        return image_data(value, self.context.get("request"), self.renditions)


class PropertyField(Field):
    """A read-only model attribute, as is (for properties like byline or location)."""

    def to_representation(self, value):
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


class MunicipalityRefField(Field):
    """Municipalities a page is about, by name and slug."""

    def to_representation(self, value):
        return [{"id": m.pk, "name": m.name, "slug": m.slug} for m in value.all()]
