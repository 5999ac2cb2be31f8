"""Serializer fields for the v2 endpoints: plain data, absolute URLs."""

from rest_framework.fields import Field

from django.contrib.contenttypes.models import ContentType

from taggit.models import CommonGenericTaggedItemBase
from wagtail.api.v2.serializers import TagsField

from .content import image_data, rich_text_html, stream_data

# Where a listing keeps the tag names it loaded for a page of results: {field name: [names]}.
TAG_NAMES_ATTR = "_api_tag_names"


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


class RegistrationStateField(Field):
    """Registration on the site for an event: open/closed, places and counts (never who)."""

    def to_representation(self, value):
        return value.as_api() if value is not None and value.enabled else None


class MunicipalityRefField(Field):
    """Municipalities a page is about, by name and slug."""

    def to_representation(self, value):
        return [{"id": m.pk, "name": m.name, "slug": m.slug} for m in value.all()]


class LoadedTagsField(TagsField):
    """Wagtail's TagsField (tag names by name), from the names a listing loaded for its whole
    page: TagsField itself queries once per item even when the tags are prefetched."""

    def to_representation(self, value):
        loaded = getattr(value.instance, TAG_NAMES_ATTR, {})
        if value.prefetch_cache_name in loaded:
            return list(loaded[value.prefetch_cache_name])
        return super().to_representation(value)


def load_tag_names(objects, field) -> None:
    """One query for the tag names of all `objects` (one model) in TaggableManager `field`,
    ordered by name in the database as TagsField orders them."""
    model = type(objects[0])
    through = field.through
    if issubclass(through, CommonGenericTaggedItemBase):
        key = "object_id"
        tagged = through.objects.filter(content_type=ContentType.objects.get_for_model(model))
    else:
        key = "content_object"
        tagged = through.objects.all()
    names = {obj.pk: [] for obj in objects}
    rows = (
        tagged.filter(**{f"{key}__in": list(names)})
        .order_by("tag__name")
        .values_list(key, "tag__name")
    )
    for pk, name in rows:
        names[pk].append(name)
    for obj in objects:
        loaded = obj.__dict__.setdefault(TAG_NAMES_ATTR, {})
        loaded[field.name] = names[obj.pk]
