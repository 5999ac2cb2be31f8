"""`manage.py load_demo`: the seed's content, and a second run changes nothing."""

import datetime as dt
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from cms.models import SiteSettings
from home.models import (
    ArticlePage,
    EventPage,
    HomePage,
    Municipality,
    MunicipalityVisit,
    Person,
)

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything the demo writes, down to each page's latest revision and each row's fields."""
    settings = SiteSettings.objects.values().get()
    return {
        "pages": list(Page.objects.order_by("path").values_list("pk", "path", "slug", "live")),
        "latest_revisions": list(
            Page.objects.order_by("pk").values_list("pk", "latest_revision_id")
        ),
        "revisions": Revision.objects.count(),
        "images": list(get_image_model().objects.order_by("pk").values_list("pk", "file")),
        "people": list(Person.objects.order_by("pk").values()),
        "municipalities": list(Municipality.objects.order_by("pk").values()),
        "visits": list(MunicipalityVisit.objects.order_by("pk").values()),
        "tags": list(Tag.objects.order_by("pk").values_list("name", flat=True)),
        "sites": list(Site.objects.values()),
        "settings": settings,
    }


def test_load_demo_twice_changes_nothing(db):
    # From a fresh database: Wagtail's welcome page at the root, no HomePage yet.
    assert not HomePage.objects.exists()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo content loaded" in out.getvalue()
    first = snapshot()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert snapshot() == first

    # The site root is our home page, and Wagtail's welcome page is gone.
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert Page.objects.filter(depth=2).count() == 1
    assert home.url == "/"


def test_demo_content_follows_the_seed(demo):
    assert Municipality.objects.filter(is_member=True).count() == 70
    vargarda = Municipality.objects.get(slug="vargarda")
    assert (vargarda.population, int(vargarda.area_km2)) == (12000, 440)
    assert vargarda.member_since == dt.date(2022, 3, 18)
    tranemo = Municipality.objects.get(slug="tranemo")
    assert (tranemo.population, int(tranemo.area_km2)) == (12000, 780)
    assert Municipality.objects.get(slug="habo").visits.get().date == dt.date(2022, 2, 24)

    charlotta = Person.objects.get(name="Charlotta Haskovec")
    assert (charlotta.role, charlotta.email, charlotta.phone) == (
        "verksamhetsledare",
        "charlotta@smakom.se",
        "0706 725 649",
    )
    assert Person.objects.count() == 10

    grastorp = ArticlePage.objects.get(slug="fran-ord-till-handling-pa-sex-dagar")
    assert grastorp.byline == "Sophia Vikström, kommunchef Grästorps kommun"
    assert ArticlePage.objects.live().count() == 8

    varmote = EventPage.objects.get(slug="varmote-2022")
    assert timezone.localtime(varmote.start).date() == dt.date(2022, 4, 27)
    assert timezone.localtime(varmote.end).date() == dt.date(2022, 4, 29)
    assert (varmote.location_name, varmote.location_city) == ("Lerdalshöjden", "Rättvik")
    assert varmote.price_text == "2 195 kr/person"
    assert varmote.effective_deadline == dt.date(2022, 4, 8)

    webinar = EventPage.objects.get(slug="webbinarium-2g-3g-naten-stangs-ned")
    assert webinar.is_online
    assert timezone.localtime(webinar.start).strftime("%d/%m %H:%M") == "05/05 10:00"
    assert timezone.localtime(webinar.end).strftime("%H:%M") == "11:00"
    workshop = EventPage.objects.get(slug="erfarenhetsutbyte-om-valfardsteknik")
    assert workshop.registration_deadline == dt.date(2022, 5, 9)
    sns = EventPage.objects.get(slug="bor-bostadsbidraget-reformeras")
    assert timezone.localtime(sns.end).strftime("%H:%M") == "14:15"

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    assert settings.contact_email == "charlotta@smakom.se"
    assert settings.contact_person == charlotta
    assert settings.postal_address


def test_demo_keeps_an_editors_changes(demo):
    """Running the demo again after editing does not undo the edit."""
    from home.demo.loader import Loader

    article = ArticlePage.objects.get(slug="valkommen-tranemo-och-vargarda")
    article.title = "Redigerad rubrik"
    article.save_revision().publish()
    Loader().run()
    article.refresh_from_db()
    assert article.title == "Redigerad rubrik"


def test_demo_varmote_takes_registrations_with_its_programme_parts(demo, client):
    from events.models import Registration

    varmote = EventPage.objects.get(slug="varmote-2022")
    assert varmote.registration_enabled
    assert [o.title for o in varmote.registration_options.all()] == [
        "Årsstämma onsdag 27 april (förtroendevalda)",
        "Kommunchefernas program onsdag 27 april",
        "Konferens torsdag–fredag 28–29 april",
    ]
    # The options are in the published revision too (an editor's next publish keeps them).
    revision = varmote.get_latest_revision_as_object()
    assert len(revision.registration_options.all()) == 3
    assert Registration.objects.filter(event=varmote, status="confirmed").count() == 4
    assert varmote.registration.taken == 4
    page = client.get(varmote.url + "anmalan/")
    assert page.status_code == 200
    assert "Evenemanget har ägt rum" in page.content.decode()  # April 2022 is over
