"""One logo in mail: the issue email and the transactional mails show the SmåKom logo as a PNG
(mail clients do not show SVG) at an absolute https address, sized, with alt text."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from django.test import override_settings

from newsletter.emails import build_message
from newsletter.rendering import render_email
from newsletter.rendering.links import LOGO_SIZE, LOGO_STATIC_PATH
from tests.newsletter.issue_content import make_issue
from tests.newsletter.subscriber_support import make_subscriber

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PNG = ROOT / "static" / LOGO_STATIC_PATH
LOGO_URL = "https://www.smakom.se/static/img/logo-email.png"


def logo_img(html: str):
    imgs = [
        img
        for img in BeautifulSoup(html, "html.parser").find_all("img")
        if "logo-email" in img.get("src", "")
    ]
    assert len(imgs) == 1, imgs
    return imgs[0]


def assert_logo(img):
    assert img["src"] == LOGO_URL
    assert (img["width"], img["height"]) == (str(LOGO_SIZE), str(LOGO_SIZE))
    assert img["alt"] == "SmåKom logotyp"


def test_the_png_is_twice_the_size_it_is_shown_and_transparent_around_the_mark():
    with Image.open(PNG) as image:
        assert image.format == "PNG"
        assert image.size == (2 * LOGO_SIZE, 2 * LOGO_SIZE)
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0  # the rounded corner
        centre = image.getpixel((LOGO_SIZE, LOGO_SIZE))
        assert centre[3] == 255
        # The logo's colours (static/img/logo.svg): its orange dot and its blue arch are drawn.
        colours = {pixel[:3] for pixel in image.getdata() if pixel[3] == 255}
        assert (217, 122, 0) in colours
        assert (11, 79, 108) in colours


@override_settings(SITE_BASE_URL="https://www.smakom.se")
@pytest.mark.parametrize("backend", ["mailchimp", "preview"])
def test_the_issue_email_shows_the_logo(home_page, backend):
    issue = make_issue(home_page, body=[])
    img = logo_img(render_email(issue, backend=backend).html)
    assert_logo(img)
    # It leads to the site, like the name next to it.
    assert img.find_parent("a")["href"].startswith("https://www.smakom.se/")


@override_settings(SITE_BASE_URL="https://www.smakom.se")
@pytest.mark.parametrize("kind", ["confirm", "welcome"])
def test_the_transactional_mails_show_the_logo(home_page, kind):
    message = build_message(make_subscriber(), kind)
    html = message.alternatives[0][0]
    assert_logo(logo_img(html))
    assert "logo.svg" not in html


@override_settings(SITE_BASE_URL="https://www.smakom.se", STATIC_URL="https://cdn.smakom.se/s/")
def test_a_static_host_of_its_own_is_kept(home_page):
    issue = make_issue(home_page, body=[])
    img = logo_img(render_email(issue, backend="preview").html)
    assert img["src"] == "https://cdn.smakom.se/s/img/logo-email.png"


@override_settings(SITE_BASE_URL="https://www.smakom.se")
def test_the_alt_text_names_the_configured_organisation_escaped(home_page):
    from tests.newsletter.issue_content import site_settings

    issue = make_issue(home_page, body=[])
    site_settings(organisation_name='Små"Kom <b>')
    html = render_email(issue, backend="preview").html
    assert logo_img(html)["alt"] == 'Små"Kom <b> logotyp'
    assert "<b> logotyp" not in html
