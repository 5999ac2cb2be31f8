"""Real content for the issue tests: archive, articles with images, events, site settings."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from PIL import Image as PILImage

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.models import SiteSettings
from home.models import ArticleIndexPage, ArticlePage, EventIndexPage, EventPage, Person
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage

ISSUE_DATE = dt.date(2022, 4, 1)


def make_image(title="Bild", description="", width=1600, height=900):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (20, 110, 120)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title,
        description=description,
        file=ImageFile(buffer, name=f"{uuid.uuid4().hex[:8]}.jpg"),
    )


def site_settings(**values):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    defaults = {
        "contact_email": "info@smakom.se",
        "contact_phone": "0706 725 649",
        "postal_address": "SmåKom\nBox 1\n123 45 Småstad",
    }
    for key, value in {**defaults, **values}.items():
        setattr(settings, key, value)
    settings.save()
    return settings


def archive(home_page) -> NewsletterIndexPage:
    index = NewsletterIndexPage.objects.first()
    if index is None:
        index = home_page.add_child(
            instance=NewsletterIndexPage(title="Nyhetsbrev", slug="nyhetsbrev")
        )
    return index


def article_index(home_page):
    index = ArticleIndexPage.objects.first()
    if index is None:
        index = home_page.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
    return index


def event_index(home_page):
    index = EventIndexPage.objects.first()
    if index is None:
        index = home_page.add_child(instance=EventIndexPage(title="Kalender", slug="kalender"))
    return index


def make_article(home_page, n=1, *, image=True, live=True, body=None) -> ArticlePage:
    article = ArticlePage(
        title=f"Artikel {n}",
        slug=f"artikel-{n}-{uuid.uuid4().hex[:6]}",
        date=ISSUE_DATE,
        listing_summary=f"Sammanfattning av artikel {n}.",
        listing_image=make_image(f"Bild {n}", description=f"Beskrivning av bild {n}")
        if image
        else None,
        body=body or [],
        live=live,
    )
    article_index(home_page).add_child(instance=article)
    if not live:
        article.unpublish()
    return article


def make_event(home_page, n=1, *, days_after=10, **fields) -> EventPage:
    start = timezone.make_aware(
        dt.datetime.combine(ISSUE_DATE + dt.timedelta(days=days_after), dt.time(10))
    )
    event = EventPage(
        title=f"Evenemang {n}",
        slug=f"evenemang-{n}-{uuid.uuid4().hex[:6]}",
        start=start,
        end=start + dt.timedelta(hours=1),
        location_name="Lerdalshöjden",
        location_city="Rättvik",
        price_text="2 195 kr/person",
        registration_url="https://anmalan.example.org/varmote",
        registration_deadline=ISSUE_DATE + dt.timedelta(days=5),
        extended_deadline=ISSUE_DATE + dt.timedelta(days=7),
        listing_summary="Välkommen att konferera med SmåKom.",
        **fields,
    )
    event_index(home_page).add_child(instance=event)
    return event


def full_body(home_page) -> list[dict]:
    """One of every section type, with real chosen pages, images and a person."""
    article = make_article(home_page, 1)
    event = make_event(home_page, 1)
    person = Person.objects.create(
        name="Charlotta Haskovec",
        role="verksamhetsledare",
        email="charlotta@smakom.se",
        phone="0706 725 649",
    )
    lead_image = make_image("Grästorp", description="Bussarna lämnar Grästorp")
    return [
        {
            "type": "lead_story",
            "value": {
                "heading": "Från ord till handling på sex dagar",
                "text": (
                    "<p>Hej *|FNAME|*! När kriget bröt ut "
                    f'<a linktype="page" id="{article.pk}">agerade Grästorp</a>.</p>'
                    "<ul><li>Två bussar</li><li>72 flyktingar</li></ul>"
                    '<p>Läs <a href="https://www.migrationsverket.se/">Migrationsverket</a>.</p>'
                ),
                "image": lead_image.pk,
                "alt_text": "",
                "caption": "Bussarna lämnar Grästorp",
                "author": "Sophia Vikström, kommunchef Grästorps kommun",
                "link_text": "Mer info här",
                "link_page": article.pk,
                "link_url": "",
            },
        },
        {
            "type": "article_teaser",
            "value": {
                "article": article.pk,
                "show_image": True,
                "full_text": False,
                "link_text": "Läs mer",
            },
        },
        {
            "type": "event_teaser",
            "value": {"event": event.pk, "text": "", "button_text": "PROGRAM & ANMÄLAN"},
        },
        {
            "type": "upcoming_events",
            "value": {"heading": "På gång i SmåKom", "days": 60, "limit": 5},
        },
        {
            "type": "text",
            "value": {
                "heading": "Välkommen Tranemo och Vårgårda!",
                "text": "<p>Vi hälsar dem välkomna.</p>",
            },
        },
        {
            "type": "image",
            "value": {
                "image": make_image("Tranemo", description="Tranemo kyrka").pk,
                "alt_text": "",
                "caption": "Tranemo",
            },
        },
        {"type": "divider", "value": None},
        {
            "type": "tips",
            "value": {
                "heading": "SmåKom tipsar!",
                "items": [
                    {
                        "type": "item",
                        "value": {
                            "category": "SNS",
                            "heading": "Bostadsbidraget",
                            "when": "8 april kl 13.00",
                            "text": "<p>Ett seminarium.</p>",
                            "link_text": "Information och anmälan",
                            "link_url": "https://www.sns.se/seminarier",
                        },
                        "id": str(uuid.uuid4()),
                    },
                    {
                        "type": "item",
                        "value": {
                            "category": "Välfärdsteknik",
                            "heading": "Workshop",
                            "when": "11 maj",
                            "text": "<p>Om roller.</p>",
                            "link_text": "Information och anmälan",
                            "link_url": "https://www.skr.se/",
                        },
                        "id": str(uuid.uuid4()),
                    },
                    {
                        "type": "item",
                        "value": {
                            "category": "",
                            "heading": "Adda Kompetens",
                            "when": "",
                            "text": "<p>Böcker.</p>",
                            "link_text": "Se hela utbudet",
                            "link_url": "https://www.adda.se/",
                        },
                        "id": str(uuid.uuid4()),
                    },
                ],
            },
        },
        {"type": "contact", "value": {"heading": "Kontakt", "person": person.pk}},
        {
            "type": "button",
            "value": {
                "text": "Till webbplatsen",
                "link_page": None,
                "link_url": "https://www.smakom.se/om-smakom/",
            },
        },
    ]


def make_issue(home_page, *, body=None, live=True, **fields) -> NewsletterIssuePage:
    site_settings()
    values = {
        "title": "Vad händer i Grästorp?",
        "slug": "2022-04",
        "issue_date": ISSUE_DATE,
        "subject": "SmåKom nyhetsbrev april 2022",
        "preheader": "Grästorp, nya medlemmar och Vårmötet",
        "intro": "<p>Nyheter från SmåKom.</p>",
        "body": full_body(home_page) if body is None else body,
        **fields,
    }
    issue = NewsletterIssuePage(**values)
    archive(home_page).add_child(instance=issue)
    if live:
        revision = issue.save_revision()
        if issue.checklist.has_errors:
            # An issue that went live before the publish gate (or whose links broke since):
            # Wagtail's own publish, past NewsletterIssuePage.publish's refusal.
            Page.publish(issue, revision)
        else:
            revision.publish()
    else:
        issue.unpublish()
    return issue
