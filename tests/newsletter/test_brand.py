"""On brand everywhere: the issue email, the transactional mails, the subscriber pages and the
issue's web version use the site's colours (static/css/site.css :root), not their own greens."""

import re
from pathlib import Path

from newsletter.rendering.email import COLOURS

ROOT = Path(__file__).resolve().parents[2]
HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
# White, and the error red of form messages (not a brand colour).
NEUTRAL = {"#ffffff", "#b00020", "#fdecee"}
FILES = [
    "templates/email/transactional/_layout.html",
    "templates/email/transactional/confirm.html",
    "templates/email/transactional/welcome.html",
    "static/css/subscribers.css",
    "templates/newsletter/includes/issue_styles.html",
]


def normal(colour: str) -> str:
    colour = colour.lower()
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    return colour


def site_palette() -> set[str]:
    css = (ROOT / "static/css/site.css").read_text()
    root = css[css.index(":root") : css.index("}", css.index(":root"))]
    return {normal(c) for c in HEX.findall(root)}


def test_the_site_palette_is_read():
    palette = site_palette()
    assert "#0b4f6c" in palette and len(palette) >= 6


def test_the_issue_email_uses_the_site_palette():
    allowed = site_palette() | NEUTRAL
    assert {normal(c) for c in COLOURS.values()} <= allowed


def test_mails_and_subscriber_pages_use_the_site_palette():
    allowed = site_palette() | NEUTRAL
    off_brand = {
        name: sorted({normal(c) for c in HEX.findall((ROOT / name).read_text())} - allowed)
        for name in FILES
    }
    assert {name: colours for name, colours in off_brand.items() if colours} == {}
