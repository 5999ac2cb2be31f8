"""Demo-like content for the API and search tests, taken from the April 2022 newsletter."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.search.index import insert_or_update_object

from home.models import (
    ArticleIndexPage,
    ArticlePage,
    EventIndexPage,
    EventPage,
    HomePage,
    Municipality,
    StandardPage,
)
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage

GRASTORP_BODY = (
    "<p>När kriget i Ukraina bröt ut kände Grästorps kommunalråd att de ville hjälpa de "
    "ukrainska flyktingarna på ett aktivt sätt. Med färska minnen och lärdomar från "
    "flyktingtillströmmen 2015 agerade man snabbt, två bussar skulle åka till Polen för att "
    "hämta ukrainska flyktingar.</p>"
    "<p>Tisdagen den 15 mars anlände 72 ukrainska flyktingar till Grästorp.</p>"
)


@dataclass
class Content:
    home: HomePage
    articles: ArticleIndexPage
    grastorp: ArticlePage
    welcome: ArticlePage
    board: ArticlePage
    events: EventIndexPage
    spring_meeting: EventPage
    webinar: EventPage
    past_event: EventPage
    about: StandardPage
    issue: NewsletterIssuePage
    grastorp_kommun: Municipality
    tranemo: Municipality
    vargarda: Municipality
    image: Image


def _index(*objs):
    # Tags and municipalities are set after the first save; index the final state.
    for obj in objs:
        insert_or_update_object(obj)


def add_article(index, tags=(), municipalities=(), **fields) -> ArticlePage:
    """An article under the index, with its tags and municipalities saved."""
    article = index.add_child(instance=ArticlePage(**fields))
    article.tags.add(*tags)
    article.municipalities.add(*municipalities)
    article.save()
    return article


def build_content(home: HomePage) -> Content:
    now = timezone.now()
    image = Image.objects.create(title="Lerdalshöjden", file=get_test_image_file(size=(1200, 800)))
    grastorp_kommun = Municipality.objects.create(
        name="Grästorp", slug="grastorp", county="vastra_gotaland", population=5700
    )
    tranemo = Municipality.objects.create(
        name="Tranemo",
        slug="tranemo",
        county="vastra_gotaland",
        population=11900,
        area_km2="780.0",
        description="En av landets 12 centralkyrkor, vid Tranemosjön.",
    )
    vargarda = Municipality.objects.create(
        name="Vårgårda", slug="vargarda", county="vastra_gotaland", population=12100
    )
    Municipality.objects.create(name="Rättvik", slug="rattvik", county="dalarna", population=10800)
    Municipality.objects.create(
        name="Gamla kommunen", slug="gamla", county="dalarna", is_member=False
    )

    articles = home.add_child(instance=ArticleIndexPage(title="Nyheter", slug="nyheter"))
    grastorp = add_article(
        articles,
        tags=["ukraina", "integration"],
        municipalities=[grastorp_kommun],
        title="Vad händer i Grästorp?",
        slug="vad-hander-i-grastorp",
        date=datetime.date(2022, 4, 1),
        listing_summary="Från ord till handling på sex dagar – empati som ett kraftfullt verktyg.",
        byline_text="Sophia Vikström, kommunchef Grästorps kommun",
        hero_image=image,
        body=[("paragraph", GRASTORP_BODY)],
    )
    welcome = add_article(
        articles,
        tags=["medlemmar"],
        municipalities=[tranemo, vargarda],
        title="Välkommen Tranemo och Vårgårda kommuner!",
        slug="valkommen-tranemo-och-vargarda",
        date=datetime.date(2022, 3, 18),
        listing_summary="Två nya medlemmar: nu är vi över 70-strecket.",
        body=[
            (
                "paragraph",
                "<p>På styrelsemötet den 18 mars hade vi nöjet att anta ytterligare två "
                "kommuner som medlemmar i SmåKom.</p>"
                f'<p>Läs mer om <a linktype="page" id="{grastorp.pk}">Grästorp</a>.</p>',
            )
        ],
    )
    board = add_article(
        articles,
        tags=["styrelsen"],
        title="Rapport från styrelsemöte",
        slug="rapport-fran-styrelsemote",
        date=datetime.date(2022, 3, 25),
        listing_summary="Slutgiltig planering av Vårmötet och Årsstämman i Rättvik.",
        body=[("paragraph", "<p>18 mars, SKR, Stockholm. Vårmötet i Rättvik.</p>")],
    )

    events = home.add_child(instance=EventIndexPage(title="Kalender", slug="kalender"))
    spring_meeting = events.add_child(
        instance=EventPage(
            title="Vårmöte och årsstämma",
            slug="varmote",
            start=now + datetime.timedelta(days=30),
            end=now + datetime.timedelta(days=32),
            location_name="Lerdalshöjden",
            location_city="Rättvik",
            price_text="2 195 kr/person",
            intro=f'<p>Program på <a linktype="page" id="{grastorp.pk}">sajten</a>.</p>',
        )
    )
    webinar = events.add_child(
        instance=EventPage(
            title="Webbinarium om digitalisering",
            slug="webbinarium",
            start=now + datetime.timedelta(days=3),
            is_online=True,
            organiser="TechSverige",
        )
    )
    past_event = events.add_child(
        instance=EventPage(
            title="Styrelsemöte i Stockholm",
            slug="styrelsemote-stockholm",
            start=now - datetime.timedelta(days=40),
            end=now - datetime.timedelta(days=40, hours=-3),
            location_city="Stockholm",
        )
    )
    about = home.add_child(
        instance=StandardPage(
            title="Om SmåKom",
            slug="om-smakom",
            intro="<p>SmåKom är ett nätverk för Sveriges små kommuner.</p>",
            body=[("paragraph", "<p>Knappt en fjärdedel av landets kommuner är medlemmar.</p>")],
        )
    )
    newsletters = home.add_child(
        instance=NewsletterIndexPage(title="Nyhetsbrev", slug="nyhetsbrev")
    )
    issue = newsletters.add_child(
        instance=NewsletterIssuePage(
            title="Nyhetsbrev april 2022",
            slug="april-2022",
            issue_date=datetime.date(2022, 4, 5),
            subject="SmåKom april 2022",
            body=[
                (
                    "text",
                    {
                        "heading": "Vad händer i Grästorp?",
                        "text": f'<p><a linktype="page" id="{grastorp.pk}">Läs artikeln</a> '
                        "om flyktingmottagandet.</p>",
                    },
                ),
                ("article_teaser", {"article": welcome, "show_image": False}),
                ("event_teaser", {"event": spring_meeting, "text": "<p>Välkommen!</p>"}),
                (
                    "tips",
                    {
                        "heading": "SmåKom tipsar!",
                        "items": [
                            {
                                "heading": "Bör bostadsbidraget reformeras?",
                                "when": "8 april kl 13.00–14.15",
                                "link_url": "https://www.sns.se/",
                            }
                        ],
                    },
                ),
                ("divider", None),
            ],
        )
    )
    _index(grastorp, welcome, board)
    return Content(
        home=home,
        articles=articles,
        grastorp=grastorp,
        welcome=welcome,
        board=board,
        events=events,
        spring_meeting=spring_meeting,
        webinar=webinar,
        past_event=past_event,
        about=about,
        issue=issue,
        grastorp_kommun=grastorp_kommun,
        tranemo=tranemo,
        vargarda=vargarda,
        image=image,
    )
