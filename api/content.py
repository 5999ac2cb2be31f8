"""Turn page content into plain data for API clients: absolute URLs, resolved pages, renditions.

Blocks are resolved by what they are, not by name, so new block types added to a stream
(newsletter sections, teasers, tips …) come out as data without changes here.
"""

import re

from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator

from wagtail import blocks
from wagtail.api.utils import get_full_url
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.rich_text import RichText, expand_db_html

from cms.visibility import is_visible

# Renditions an API client gets for every image: a 16:9 card and a wide hero, both WebP.
IMAGE_RENDITIONS = {
    "card": "fill-800x450|format-webp",
    "wide": "fill-1600x900|format-webp",
    "thumbnail": "max-400x400|format-webp",
}

_URL_ATTR = re.compile(r"""(?P<attr>\b(?:href|src))=(?P<q>["'])(?P<url>/(?!/)[^"']*)(?P=q)""")


def absolute_html(html: str, request=None) -> str:
    """Rewrite root-relative href/src attributes to absolute URLs."""
    return _URL_ATTR.sub(
        lambda m: f"{m['attr']}={m['q']}{get_full_url(request, m['url'])}{m['q']}", html
    )


def rich_text_html(value, request=None) -> str:
    """Database rich text → HTML with internal links expanded and every URL absolute."""
    source = value.source if isinstance(value, RichText) else (value or "")
    return absolute_html(expand_db_html(source), request)


def absolute_url(url: str | None, request=None) -> str | None:
    if not url:
        return url
    return get_full_url(request, url)


def image_data(image, request=None, renditions=None) -> dict | None:
    if image is None:
        return None
    data = {"id": image.pk, "title": image.title, "width": image.width, "height": image.height}
    data["alt"] = getattr(image, "default_alt_text", "") or image.title
    data["renditions"] = {}
    for name, spec in (renditions or IMAGE_RENDITIONS).items():
        try:
            rendition = image.get_rendition(spec)
        except OSError:  # missing or unreadable source file
            data["renditions"][name] = None
            continue
        data["renditions"][name] = {
            "url": absolute_url(rendition.url, request),
            "width": rendition.width,
            "height": rendition.height,
        }
    return data


def document_data(document, request=None) -> dict | None:
    if document is None:
        return None
    return {
        "id": document.pk,
        "title": document.title,
        "url": absolute_url(document.url, request),
        "file_extension": document.file_extension,
    }


def page_summary(page, request=None) -> str:
    """The teaser text of a page: its listing summary, search description or the start of its intro."""
    page = page.specific
    for attr in ("listing_summary", "search_description"):
        text = getattr(page, attr, "")
        if text:
            return text
    intro = getattr(page, "intro", "")
    if intro:
        return Truncator(strip_tags(expand_db_html(str(intro)))).words(40)
    return ""


def page_data(page, request=None) -> dict | None:
    """A chosen page as a teaser; None for a draft or login-restricted page (nothing of it,
    not even its title, is shown to API clients)."""
    if page is None or not is_visible(page, request):
        return None
    page = page.specific
    return {
        "id": page.pk,
        "type": page.specific_class._meta.label if page.specific_class else None,
        "title": getattr(page, "teaser_title", "") or page.title,
        "url": absolute_url(page.get_url(request=request), request),
        "summary": page_summary(page, request),
    }


def block_data(block, value, request=None):
    """Plain data for one block value, recursing through structures and streams."""
    if value is None:
        return None
    if isinstance(block, blocks.RichTextBlock):
        return rich_text_html(value, request)
    if isinstance(block, blocks.StreamBlock):
        return stream_data(value, request)
    if isinstance(block, blocks.StructBlock):
        return {
            name: block_data(child_block, value.get(name), request)
            for name, child_block in block.child_blocks.items()
        }
    if isinstance(block, blocks.ListBlock):
        child = block.child_block
        return [block_data(child, item, request) for item in value]
    if isinstance(value, Page):
        return page_data(value, request)
    if isinstance(value, AbstractImage):
        return image_data(value, request)
    if isinstance(value, AbstractDocument):
        return document_data(value, request)
    if hasattr(value, "url") and block.__class__.__name__ == "EmbedBlock":
        return {"url": value.url}
    if isinstance(block, (blocks.URLBlock,)):
        return absolute_url(value, request)
    if isinstance(value, models.Model):  # a snippet or another model chosen in a block
        return {"id": value.pk, "title": str(value)}
    return block.get_api_representation(value, context={"request": request})


def stream_data(stream_value, request=None) -> list[dict]:
    """A StreamField value as [{type, id, value}], every value resolved to plain data."""
    items = []
    for child in stream_value or []:
        items.append(
            {
                "type": child.block_type,
                "id": child.id,
                "value": block_data(child.block, child.value, request),
            }
        )
    return items
