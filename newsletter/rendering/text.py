"""The plain-text alternative, written from the same sections as the HTML email."""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser

from django.utils.translation import gettext as _

WIDTH = 76
RULE = "-" * 40


class _TextWriter(HTMLParser):
    """Rich text HTML → text: paragraphs, headings, lists, links written out as "text (URL)"."""

    BLOCKS = {"p", "h2", "h3", "h4", "li", "ul", "ol", "blockquote", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # stack of [kind, counter]
        self.link: tuple[str, list[str]] | None = None
        self.heading = False

    def _flush(self):
        lines = [" ".join(line.split()) for line in "".join(self.current).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            if self.heading:
                text = text.upper()
            # List items stay together: one line each, no blank line between them.
            self.blocks.append((text, bool(self.lists)))
        self.current = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BLOCKS:
            self._flush()
            self.heading = tag in {"h2", "h3", "h4"}
            if tag in {"ul", "ol"}:
                self.lists.append([tag, 0])
            elif tag == "li" and self.lists:
                self.lists[-1][1] += 1
                kind, count = self.lists[-1]
                self.current.append(f"{count}. " if kind == "ol" else "- ")
        elif tag == "br":
            self.current.append("\n")
        elif tag == "a":
            self.link = (attrs.get("href") or "", [])
        elif tag == "img" and attrs.get("alt"):
            self.current.append(f"[{attrs['alt']}]")

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            href, parts = self.link
            self.link = None
            label = "".join(parts).strip()
            if href and href != label:
                self.current.append(f"{label} ({href})" if label else href)
            else:
                self.current.append(label)
        elif tag in self.BLOCKS:
            self._flush()
            self.heading = False
            if tag in {"ul", "ol"} and self.lists:
                self.lists.pop()

    def handle_data(self, data):
        if self.link is not None:
            self.link[1].append(data)
        else:
            self.current.append(data)

    def text(self) -> list[tuple[str, bool]]:
        self._flush()
        return self.blocks


def _wrap(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        indent = "  " if line.startswith(("- ",)) or line[:3].rstrip(". ").isdigit() else ""
        lines.append(
            textwrap.fill(
                line.strip(),
                width=WIDTH,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def html_to_text(html: str) -> str:
    writer = _TextWriter()
    writer.feed(html or "")
    writer.close()
    out = ""
    previous_in_list = False
    for text, in_list in writer.text():
        if out:
            out += "\n" if in_list and previous_in_list else "\n\n"
        out += _wrap(text)
        previous_in_list = in_list
    return out


def _heading(text: str) -> str:
    return f"{text.upper()}\n{'=' * min(len(text), WIDTH)}" if text else ""


def _link(link) -> str:
    return (
        f"{link.text}: {link.url}" if link and link.text != link.url else (link.url if link else "")
    )


def section_text(section) -> str:
    parts: list[str] = []
    kind = section.type
    if kind == "divider":
        return RULE
    if (
        kind in {"lead_story", "text", "tips", "upcoming_events", "contact"}
        or kind in {"article_teaser", "event_teaser"}
        and section.heading
    ):
        parts.append(_heading(section.heading))
    if section.image and kind == "image":
        parts.append(f"[{section.image.alt}]" if section.image.alt else "")
    if section.caption:
        parts.append(section.caption)
    for label, value in section.facts:
        parts.append(f"{label}: {value}")
    if section.html:
        parts.append(html_to_text(section.html))
    if kind == "lead_story" and section.author:
        parts.append(section.author)
    if kind == "upcoming_events":
        for item in section.items:
            line = f"- {item['when']}: {item['title']}"
            if item["place"]:
                line += f", {item['place']}"
            parts.append(_wrap(line) + f"\n  {item['url']}")
    if kind == "tips":
        for item in section.items:
            tip = [f"* {item['heading']}" + (f" ({item['category']})" if item["category"] else "")]
            if item["when"]:
                tip.append(item["when"])
            if item["html"]:
                tip.append(html_to_text(item["html"]))
            if item["link"]:
                tip.append(_link(item["link"]))
            parts.append("\n".join(tip))
    if kind == "contact":
        contact = section.contact
        name = ", ".join(p for p in [contact["name"], contact["role"]] if p)
        parts += [
            line
            for line in [
                name,
                _("Email: %(email)s") % {"email": contact["email"]} if contact["email"] else "",
                _("Phone: %(phone)s") % {"phone": contact["phone"]} if contact["phone"] else "",
                contact["website_url"],
            ]
            if line
        ]
    if section.button:
        parts.append(_link(section.button))
    if section.link:
        parts.append(_link(section.link))
    return "\n\n".join(p for p in parts if p)


def render_text(context: dict) -> str:
    page = context["page"]
    parts = [
        context["organisation"].upper() + " – " + _("Newsletter") + f" {context['issue_date']}",
        _("View this email in your browser: %(url)s") % {"url": context["view_url"]},
        _heading(page.title),
    ]
    if context["intro_html"]:
        parts.append(html_to_text(context["intro_html"]))
    for section in context["sections"]:
        text = section_text(section)
        if text:
            parts.append(text)
    parts.append(RULE)
    if context["reason"]:
        parts.append(_wrap(context["reason"]))
    parts.append(_("Unsubscribe: %(url)s") % {"url": context["unsubscribe_url"]})
    parts.append(context["organisation"])
    if context["address"]:
        parts.append(context["address"])
    return "\n\n".join(p.strip("\n") for p in parts if p) + "\n"
