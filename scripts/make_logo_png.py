"""Render static/img/logo.svg as static/img/logo-email.png, the logo the emails show.

Email clients do not show SVG, so the mails use a PNG: 96×96 px, shown at 48×48 (twice the
pixels for high-density screens), transparent outside the logo's rounded square. Drawn by
Debian's Chromium through Playwright (the browser the browser tests use), so the PNG is exactly
what the site shows. Run again after changing the SVG and commit the PNG:

    .venv/bin/python scripts/make_logo_png.py
"""

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "static" / "img" / "logo.svg"
PNG = ROOT / "static" / "img" / "logo-email.png"
SIZE = 48  # CSS pixels, as the emails show it
SCALE = 2


def main():
    svg = SVG.read_text()
    html = (
        "<!doctype html><html><body style='margin:0;background:transparent'>"
        f"<div style='width:{SIZE}px;height:{SIZE}px'>"
        + svg.replace("<svg ", f"<svg width='{SIZE}' height='{SIZE}' style='display:block' ", 1)
        + "</div></body></html>"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": SIZE, "height": SIZE}, device_scale_factor=SCALE)
        page.set_content(html)
        page.screenshot(path=str(PNG), omit_background=True)
        browser.close()
    print(f"{PNG.relative_to(ROOT)}: {SIZE * SCALE}×{SIZE * SCALE} px")


if __name__ == "__main__":
    main()
