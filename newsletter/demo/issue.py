"""The April 2022 issue of the SmåKom newsletter, built from the seed. Idempotent.

Teasers point at the demo articles and events that the site's load_demo creates first (looked up by
slug); anything missing is left out rather than invented.
"""

from __future__ import annotations

import datetime as dt
import uuid

SLUG = "2022-04"
LEAD_ARTICLE = "fran-ord-till-handling-pa-sex-dagar"
TEASED_ARTICLES = [
    "valkommen-tranemo-och-vargarda",
    "rapport-fran-styrelsemote-18-mars",
    "2g-3g-naten-stangs-ned",
    "riksdagen-15-17-mars",
    "pa-gang-i-smakom-kommunbesok",
    "programberedning-for-hallbar-omstallning",
]
SPRING_MEETING = "varmote-2022"

LEAD_TEXT = (
    "<p>När kriget i Ukraina bröt ut kände Grästorps kommunalråd att de ville hjälpa de "
    "ukrainska flyktingarna på ett aktivt sätt. Med färska minnen och lärdomar från "
    "flyktingtillströmmen 2015 agerade man snabbt, två bussar skulle åka till Polen för att "
    "hämta ukrainska flyktingar. Onsdagen den 9 mars lyfte kommunstyrelsens ordförande Kent "
    "Larsson upp aktionen som ett initiativärende och en enhällig kommunstyrelse sa ja till "
    "aktionen. Dagen efter biföll ett enhälligt extrainsatt kommufullmäktige samma ärende.</p>"
    "<p>Då aktionen låg utanför det kommunala ansvarsområdet bildades föreningen Grästorp för "
    "Ukraina. Föreningens uppdrag blev att arrangera en bussresa för att hämta flyktingar i "
    "Polen, hitta boende åt dem i privata hem i kommunen och samordna aktionen när "
    "flyktingarna anlände till Grästorp. Många familjer öppnade sina hem för att ge de "
    "ukrainska medborgarna en fristad.</p>"
    "<p>Lördagen den 12 mars åkte två fullpackade bussar med fyra chaufförer och fyra "
    "volontärer mot TomaszowLubelsk i Polen. Tisdagen den 15 mars anlände 72 ukrainska "
    "flyktingar till Grästorp. De var då redan inskrivna hos Migrationsverket i Göteborg, och "
    "de välkomnades till sina nya hem av invånarna i Grästorp.</p>"
    "<p>När förtroendevalda och tjänstepersoner har samma vilja finns det alla möjligheter att "
    "forcera byråkrati och förkorta processer, i synnerhet i den lilla kommunen.</p>"
)

SPRING_MEETING_TEXT = (
    "<p>Välkommen att konferera med SmåKom den 27-29 april. Vi har sytt ihop ett varierat, "
    "intressant och aktuellt program som tar avstamp i små kommuners vardag. På onsdagen "
    "samlas medlemskommunernas förtroendevalda för Årsstämma och kommuncheferna för ett eget "
    "program. Under torsdagen och fredagen är konferensen öppen även för externa deltagare.</p>"
    "<p>I deltagaravgiften, 2 195 kr/person, ingår konferens, mat och logi på Lerdalshöjden i "
    "Rättvik, vackert beläget med en hänförande utsikt över Siljan. Besök hotellets hemsida för "
    'mer information, <a href="https://www.lerdalshojden.se/">www.lerdalshojden.se</a>.</p>'
    "<p>Det finns fortfarande platser kvar, förlängd anmälan till den 8 april.</p>"
)


def _tip(category, heading, when, text, link_text, *, page=None, url=""):
    return {
        "type": "item",
        "id": str(uuid.uuid4()),
        "value": {
            "category": category,
            "heading": heading,
            "when": when,
            "text": text,
            "link_text": link_text,
            "link_page": page.pk if page else None,
            "link_url": "" if page else url,
        },
    }


def _block(kind, value):
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _article_teaser(article):
    return _block(
        "article_teaser",
        {"article": article.pk, "show_image": True, "full_text": False, "link_text": "Läs mer"},
    )


def build_body(articles: dict, events: dict, person) -> list[dict]:
    body = []
    lead = articles.get(LEAD_ARTICLE)
    body.append(
        _block(
            "lead_story",
            {
                "heading": "Från ord till handling på sex dagar - empati som ett kraftfullt verktyg",
                "text": LEAD_TEXT,
                "image": (lead.hero_image_id or lead.listing_image_id) if lead else None,
                "alt_text": "Illustration till berättelsen om Grästorps hjälpinsats för Ukraina",
                "caption": "",
                "author": "Sophia Vikström, kommunchef Grästorps kommun",
                "link_text": "Mer info här",
                "link_page": lead.pk if lead else None,
                "link_url": "",
            },
        )
    )
    for slug in TEASED_ARTICLES[:1]:
        if slug in articles:
            body.append(_article_teaser(articles[slug]))
    if SPRING_MEETING in events:
        body.append(
            _block(
                "event_teaser",
                {
                    "event": events[SPRING_MEETING].pk,
                    "text": SPRING_MEETING_TEXT,
                    "button_text": "PROGRAM & ANMÄLAN",
                },
            )
        )
    body.append(_block("divider", None))
    for slug in TEASED_ARTICLES[1:]:
        if slug in articles:
            body.append(_article_teaser(articles[slug]))
    body.append(_block("upcoming_events", {"heading": "I kalendern", "days": 60, "limit": 6}))
    body.append(
        _block(
            "tips",
            {
                "heading": "SmåKom tipsar!",
                "items": [
                    _tip(
                        "Välfärdsteknik",
                        "Erfarenhetsutbyte om välfärdsteknik",
                        "11 maj kl 13.00 – 15.00",
                        "<p>En workshop om organisation och roller. Den första workshopen har fokus "
                        "på hur kommuner organiserat sitt arbete med välfärdsteknik samt vilka roller "
                        "som finns kopplade till digitaliseringsarbetet.</p><p>Tipsa gärna berörda "
                        "kollegor om workshopen. Sista anmälningsdag 9 maj</p>",
                        "Information och anmälan",
                        page=events.get("erfarenhetsutbyte-om-valfardsteknik"),
                        url="https://skr.se/",
                    ),
                    _tip(
                        "SNS seminarier",
                        "Bör bostadsbidraget reformeras?",
                        "8 april kl 13.00–14.15",
                        "<p>Är bostadsbidraget och underhållsstödet anpassat till dagens demografiska "
                        "utmaningar? Regeringens särskilda utredare Åsa Karlsson Björkmarker gästar "
                        "SNS.</p><p>SmåKom har en överenskommelse med SNS vilken innebär att våra "
                        "medlemmar kostnadsfritt får delta på webbinarier.</p>",
                        "Information och anmälan",
                        page=events.get("bor-bostadsbidraget-reformeras"),
                        url="https://www.sns.se/",
                    ),
                    _tip(
                        "Bostäder i fokus",
                        "Sbo bygger bostäder för äldre",
                        "",
                        "<p>Sbo:s särskilda samhällsuppdrag är att bidra till fler bostäder för "
                        "äldre genom att bygga om befintliga fastigheter och därigenom bidra till "
                        "ökad rörlighet och ett effektivare nyttjande av bostadsbeståndet.</p>",
                        "Nyfiken? Läs mer här; Sbo AB",
                        url="https://www.sbo.se/",
                    ),
                    _tip(
                        "Adda Kompetens",
                        "Böcker för förtroendevalda",
                        "",
                        "<p>Nu i valtider kan det till exempel vara bra att förse sina nya (och "
                        "gamla) förtroendevalda med information om bland annat den demokratiska "
                        "processen, kommunallagen och nämndstrukturer.</p><p>Att värna demokratin "
                        "känns mer aktuellt än någonsin, här finns en god möjlighet.</p>",
                        "Se hela utbudet på; Adda Kompetens",
                        url="https://www.adda.se/",
                    ),
                ],
            },
        )
    )
    body.append(_block("contact", {"heading": "Kontakt", "person": person.pk if person else None}))
    return body


def load_issue(home_page, stdout=None):
    """Create the April 2022 issue under /nyhetsbrev/ unless it exists. Returns the issue."""
    from home.models import ArticlePage, EventPage, Person
    from newsletter.models import NewsletterIndexPage, NewsletterIssuePage

    index = (
        NewsletterIndexPage.objects.child_of(home_page).first()
        or NewsletterIndexPage.objects.first()
    )
    if index is None:
        index = home_page.add_child(
            instance=NewsletterIndexPage(title="Nyhetsbrev", slug="nyhetsbrev")
        )
        if stdout is not None:
            stdout.write("  + newsletter archive /nyhetsbrev/")
    existing = NewsletterIssuePage.objects.child_of(index).filter(slug=SLUG).first()
    if existing is not None:
        return existing

    slugs = [LEAD_ARTICLE, *TEASED_ARTICLES]
    articles = {a.slug: a for a in ArticlePage.objects.filter(slug__in=slugs)}
    events = {
        e.slug: e
        for e in EventPage.objects.filter(
            slug__in=[
                SPRING_MEETING,
                "erfarenhetsutbyte-om-valfardsteknik",
                "bor-bostadsbidraget-reformeras",
            ]
        )
    }
    person = Person.objects.filter(name="Charlotta Haskovec").first()
    issue = NewsletterIssuePage(
        title="Vad händer i Grästorp?",
        slug=SLUG,
        issue_date=dt.date(2022, 4, 1),
        subject="SmåKom nyhetsbrev april 2022: Vad händer i Grästorp?",
        preheader="Från ord till handling på sex dagar, två nya medlemmar och Vårmötet i Rättvik.",
        intro="<p>Nyheter från SmåKom och våra medlemskommuner, april 2022.</p>",
        listing_summary="Grästorps hjälpinsats för Ukraina, Tranemo och Vårgårda blir medlemmar, Vårmötet i Rättvik och SmåKom tipsar.",
        body=build_body(articles, events, person),
    )
    index.add_child(instance=issue)
    issue.save_revision().publish()
    if stdout is not None:
        checklist = issue.checklist
        stdout.write(
            f"  + newsletter issue {issue.title} "
            f"(checklist: {len(checklist.errors)} errors, {len(checklist.warnings)} warnings)"
        )
    return issue
