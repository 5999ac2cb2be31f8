"""Excerpts with the query terms marked: the text is escaped first, then <mark> is added."""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from wagtail import blocks
from wagtail.blocks import StreamValue, StructValue
from wagtail.rich_text import RichText

EXCERPT_LENGTH = 240

# Common Swedish inflection endings, longest first: "flyktingarna" → "flykting",
# "kommunen"/"kommuner" → "kommun". Used only to find what to highlight.
_SUFFIXES = sorted(
    [
        "arna",
        "erna",
        "orna",
        "ande",
        "ende",
        "arne",
        "heten",
        "het",
        "ens",
        "ers",
        "ars",
        "ar",
        "er",
        "or",
        "en",
        "et",
        "na",
        "ns",
        "s",
        "a",
        "e",
    ],
    key=len,
    reverse=True,
)


def stem(term: str) -> str:
    term = term.lower()
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def _pattern(terms: list[str]) -> re.Pattern | None:
    stems = sorted({stem(t) for t in terms if t}, key=len, reverse=True)
    if not stems:
        return None
    # A word that starts with the stem of any term.
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


# Struct fields whose values are words a reader sees; choices (a heading's "h2"), URLs, dates and
# chosen objects are not text.
TEXT_BLOCKS = (
    blocks.CharBlock,
    blocks.TextBlock,
    blocks.RichTextBlock,
    blocks.StructBlock,
    blocks.StreamBlock,
    blocks.ListBlock,
)
TAG = re.compile(r"<[^>]*>")


def html_text(source: str) -> str:
    """Text of HTML: every tag is a word break (so "<p>a</p><p>b</p>" is "a b"), entities decoded."""
    return html.unescape(strip_tags(TAG.sub(lambda m: " " + m.group(0) + " ", source)))


def plain_text(value) -> str:
    """The readable text of a field value: rich text, streams and structs flattened."""
    if value is None:
        return ""
    if isinstance(value, RichText):
        return html_text(value.source)
    if isinstance(value, StreamValue):
        return " ".join(plain_text(child.value) for child in value)
    if isinstance(value, StructValue):
        child_blocks = value.block.child_blocks if getattr(value, "block", None) else {}
        return " ".join(
            plain_text(v)
            for name, v in value.items()
            if name not in child_blocks or isinstance(child_blocks[name], TEXT_BLOCKS)
        )
    if isinstance(value, dict):
        return " ".join(plain_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(plain_text(v) for v in value)
    if isinstance(value, str):
        return html_text(value)
    return ""


def object_text(obj) -> str:
    parts = []
    for attr in ("listing_summary", "search_description", "intro", "description", "body"):
        parts.append(plain_text(getattr(obj, attr, None)))
    return re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape the whole text and wrap the words that match a term in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def excerpt(text: str, terms: list[str], length: int = EXCERPT_LENGTH) -> SafeString:
    """A window of the text around the first matching word, highlighted."""
    pattern = _pattern(terms)
    start = 0
    match = pattern.search(text) if pattern else None
    if match and match.start() > length // 3:
        start = text.rfind(" ", 0, match.start() - length // 3) + 1
    window = text[start : start + length]
    if start + length < len(text):
        window = window.rsplit(" ", 1)[0] + " …"
    if start > 0:
        window = "… " + window
    return highlight(window, terms)
