"""Mailchimp merge tags (*|FNAME|*, *|UNSUB|*, *|LIST:ADDRESSLINE|* …) resolved per recipient."""

from __future__ import annotations

import html as html_lib
import re

from .state import now

MERGE_TAG = re.compile(r"\*\|([A-Za-z0-9_:]+)\|\*")
ADDRESS_TAGS = ("*|LIST:ADDRESSLINE|*", "*|LIST:ADDRESS|*", "*|HTML:LIST_ADDRESS_HTML|*")
COUNTRIES = {"SE": "Sweden", "NO": "Norway", "FI": "Finland", "DK": "Denmark"}


def address_parts(contact: dict) -> list[str]:
    city_line = " ".join(p for p in [contact.get("zip", ""), contact.get("city", "")] if p)
    country = COUNTRIES.get(contact.get("country", ""), contact.get("country", ""))
    parts = [
        contact.get("company", ""),
        contact.get("address1", ""),
        contact.get("address2", ""),
        city_line,
        contact.get("state", ""),
        country,
    ]
    return [p for p in parts if p]


def list_values(audience: dict) -> dict[str, tuple[str, bool]]:
    """Audience-wide tags: name → (value, value_is_html)."""
    parts = address_parts(audience["contact"])
    escaped = [html_lib.escape(p) for p in parts]
    vcard = (
        '<div class="vcard"><span class="org fn">'
        + (escaped[0] if escaped else "")
        + '</span><div class="adr">'
        + "".join(f"<div>{p}</div>" for p in escaped[1:])
        + "</div></div>"
    )
    return {
        "LIST:ADDRESSLINE": (", ".join(parts), False),
        "LIST:ADDRESS": ("\n".join(parts), False),
        "HTML:LIST_ADDRESS_HTML": (vcard, True),
        "LIST:ADDRESS_VCARD": (vcard, True),
        "LIST:COMPANY": (audience["contact"].get("company", ""), False),
        "LIST:NAME": (audience.get("name", ""), False),
        "LIST:DESCRIPTION": (audience.get("permission_reminder", ""), False),
        "LIST:URL": (audience["contact"].get("company", ""), False),
        "CURRENT_YEAR": (str(now().year), False),
        "REWARDS": ("", True),
        "REWARDS_TEXT": ("", False),
    }


def render(template: str | None, values: dict[str, tuple[str, bool]], is_html: bool) -> str:
    """Replace known tags; unknown tags stay as written, as Mailchimp leaves them."""
    if not template:
        return template or ""

    def replace(match: re.Match) -> str:
        name = match.group(1).upper()
        if name not in values:
            return match.group(0)
        value, value_is_html = values[name]
        if is_html and not value_is_html:
            value = html_lib.escape(value).replace("\n", "<br>")
        return value

    return MERGE_TAG.sub(replace, template)


def member_values(member: dict | None) -> dict[str, tuple[str, bool]]:
    if not member:
        return {"EMAIL": ("", False), "FNAME": ("", False), "LNAME": ("", False)}
    values = {"EMAIL": (member["email_address"], False)}
    for key, value in (member.get("merge_fields") or {}).items():
        values[key.upper()] = ("" if value is None else str(value), False)
    values.setdefault("FNAME", ("", False))
    values.setdefault("LNAME", ("", False))
    return values


def preview_text_html(preview: str) -> str:
    return (
        '<span class="mcnPreviewText" style="display:none; font-size:0px; line-height:0px; '
        'max-height:0px; max-width:0px; opacity:0; overflow:hidden; visibility:hidden;">'
        f"{html_lib.escape(preview)}</span>"
    )


def html_to_text(html: str) -> str:
    """Mailchimp's automatic plain-text version, roughly: links kept as 'text (url)'."""
    text = re.sub(r"(?is)<(script|style|head)[^>]*>.*?</\1>", "", html)
    text = re.sub(
        r'(?is)<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: f"{m.group(2)} ({m.group(1)})",
        text,
    )
    text = re.sub(r"(?i)<br\s*/?>|</p>|</h[1-6]>|</tr>|</li>|</div>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html_lib.unescape(text)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def links_in(html: str) -> list[str]:
    seen: list[str] = []
    for url in re.findall(r'(?i)<a\s[^>]*href="([^"]+)"', html or ""):
        url = html_lib.unescape(url)
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.append(url)
    return seen
