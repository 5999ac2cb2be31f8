"""The editor's side: snippet listings with filters and search, and block previews."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from wagtail.documents import get_document_model

from cms.blocks import BaseStreamBlock
from home.demo.images import draw_landscape, get_or_create_image
from home.models import Municipality, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw")
    client.force_login(user)
    return client


def listed(response):
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [td.select_one("a").get_text(strip=True) for td in soup.select("table.listing td.title")]


def test_municipality_listing_filters_by_county_and_membership(editor_client):
    Municipality.objects.create(name="Berg", slug="berg", county="jamtland")
    Municipality.objects.create(name="Habo", slug="habo", county="jonkoping")
    Municipality.objects.create(name="Gammal", slug="gammal", county="jamtland", is_member=False)
    url = reverse("wagtailsnippets_home_municipality:list")
    assert listed(editor_client.get(url)) == ["Berg", "Gammal", "Habo"]
    assert listed(editor_client.get(url, {"county": "jamtland"})) == ["Berg", "Gammal"]
    assert listed(editor_client.get(url, {"is_member": "true"})) == ["Berg", "Habo"]
    assert listed(editor_client.get(url, {"q": "hab"})) == ["Habo"]
    page = editor_client.get(url).content.decode()
    assert "Jämtlands län" in page  # county column shows the Swedish label


def test_people_listing_and_search(editor_client):
    Person.objects.create(
        name="Charlotta Haskovec", role="verksamhetsledare", organisation="SmåKom"
    )
    Person.objects.create(name="Ilinca Benson", role="vice vd", organisation="SNS")
    url = reverse("wagtailsnippets_home_person:list")
    assert listed(editor_client.get(url)) == ["Charlotta Haskovec", "Ilinca Benson"]
    assert listed(editor_client.get(url, {"organisation": "SNS"})) == ["Ilinca Benson"]


def test_snippets_are_grouped_in_one_menu(editor_client):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Medlemmar och personer" in html


def test_every_block_has_a_description_and_a_preview(editor_client):
    get_or_create_image("Tranemo och Vårgårda", lambda t: draw_landscape(t, 320, 200), "tv.jpg")
    get_document_model().objects.create(
        title="Program för Vårmötet", file=ContentFile(b"Program", name="program.txt")
    )
    url = reverse("wagtailadmin_block_preview")
    for name, block in BaseStreamBlock().child_blocks.items():
        assert block.meta.description, name
        assert block.meta.template or getattr(block, "template", None), name
        if name == "embed":
            continue  # an embed preview would fetch from the network
        response = editor_client.get(url, {"id": block.definition_prefix})
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "css/site.css" in html, name  # previews use the site's own styles
        body = BeautifulSoup(html, "html.parser").select_one("main .stream")
        assert body.get_text(strip=True) or body.select_one("img"), name
