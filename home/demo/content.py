"""Stories, events and pages from the April 2022 newsletter (Swedish text as written).

Bodies are StreamField data: lists of (block type, value). Rich text is given as HTML paragraphs.
"""

import datetime as dt

SMAKOM_URL = "https://www.smakom.se/"


def p(*paragraphs: str) -> tuple:
    return ("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))


def h(text: str, level: str = "h2") -> tuple:
    return ("heading", {"text": text, "level": level})


def quote(text: str, attribution: str = "") -> tuple:
    return ("quote", {"text": text, "attribution": attribution})


def button(text: str, url: str = "", page: str = "") -> tuple:
    """A call to action; `page` is the slug of a demo page, resolved when loading."""
    return ("button", {"text": text, "url": url, "page": page})


def image(title: str, caption: str = "", alt: str = "") -> tuple:
    return ("image", {"image": title, "caption": caption, "alt_text": alt})


# Each article: slug, title, date, summary, image title, hero caption, byline person (name) or
# byline text, tags, municipalities (slugs), body.
ARTICLES = [
    {
        "slug": "fran-ord-till-handling-pa-sex-dagar",
        "title": "Från ord till handling på sex dagar - empati som ett kraftfullt verktyg",
        "listing_title": "Vad händer i Grästorp? Från ord till handling på sex dagar",
        "date": dt.date(2022, 4, 1),
        "summary": (
            "När kriget i Ukraina bröt ut ville Grästorps kommunalråd hjälpa de ukrainska "
            "flyktingarna på ett aktivt sätt. Sex dagar senare anlände 72 flyktingar till Grästorp."
        ),
        "image": "Grästorp för Ukraina",
        "hero_caption": "Grästorp för Ukraina",
        "byline_person": "Sophia Vikström",
        "tags": ["Grästorp", "Ukraina", "Medlemskommuner"],
        "municipalities": ["grastorp"],
        "body": [
            h("Vad händer i Grästorp?"),
            p(
                "När kriget i Ukraina bröt ut kände Grästorps kommunalråd att de ville hjälpa de "
                "ukrainska flyktingarna på ett aktivt sätt. Med färska minnen och lärdomar från "
                "flyktingtillströmmen 2015 agerade man snabbt, två bussar skulle åka till Polen "
                "för att hämta ukrainska flyktingar. Onsdagen den 9 mars lyfte kommunstyrelsens "
                "ordförande Kent Larsson upp aktionen som ett initiativärende och en enhällig "
                "kommunstyrelse sa ja till aktionen. Dagen efter biföll ett enhälligt "
                "extrainsatt kommufullmäktige samma ärende.",
                "Då aktionen låg utanför det kommunala ansvarsområdet bildades föreningen "
                "Grästorp för Ukraina. Föreningens uppdrag blev att arrangera en bussresa för att "
                "hämta flyktingar i Polen, hitta boende åt dem i privata hem i kommunen och "
                "samordna aktionen när flyktingarna anlände till Grästorp. Många familjer öppnade "
                "sina hem för att ge de ukrainska medborgarna en fristad.",
                "Lördagen den 12 mars åkte två fullpackade bussar med fyra chaufförer och fyra "
                "volontärer mot Tomaszow Lubelsk i Polen. Genom invånare i Grästorp hade kontakt "
                "redan etablerats med personer som tog emot och hjälpte till på plats i Polen. "
                "Under tiden jobbade förvaltningen hemma i Grästorp intensivt tillsammans med "
                "Migrationsverket för att få till en smidig inskrivningsprocess.",
                "Tisdagen den 15 mars anlände 72 ukrainska flyktingar till Grästorp. De var då "
                "redan inskrivna hos Migrationsverket i Göteborg, och de välkomnades till sina "
                "nya hem av invånarna i Grästorp. Den här första veckan i april kommer många av "
                "barnen att börja i skolan i Grästorp och de som har möjlighet kommer fortsätta "
                "med distansundervisning med den ukrainska skolan. Ett par av de vuxna "
                "flyktingarna har redan varit på anställningsintervjuer.",
            ),
            quote(
                "När förtroendevalda och tjänstepersoner har samma vilja finns det alla "
                "möjligheter att forcera byråkrati och förkorta processer, i synnerhet i den "
                "lilla kommunen.",
                "Sophia Vikström, kommunchef Grästorps kommun",
            ),
            button("Mer info här", url="https://www.grastorp.se/"),
        ],
    },
    {
        "slug": "valkommen-tranemo-och-vargarda",
        "title": "Välkommen Tranemo och Vårgårda kommuner!",
        "date": dt.date(2022, 3, 30),
        "summary": (
            "På styrelsemötet den 18 mars antogs Tranemo och Vårgårda som medlemmar i SmåKom. "
            "Därmed nådde vi 70-strecket."
        ),
        "image": "Tranemo och Vårgårda",
        "hero_caption": "Tranemo och Vårgårda",
        "tags": ["Medlemskommuner"],
        "municipalities": ["tranemo", "vargarda"],
        "body": [
            p(
                "På styrelsemötet den 18 mars hade vi nöjet att anta ytterligare två kommuner som "
                "medlemmar i SmåKom. Det kändes extra högtidligt eftersom vi samtidigt nådde "
                "70-strecket. Det innebär att knappt en fjärdedel av landets kommuner är "
                "medlemmar hos oss vilket ger oss god legitimitet att föra våra medlemmars talan.",
                "Tranemo och Vårgårda är två kommuner belägna i Västra Götaland. Från Vårgårda "
                "härstammar de kända bröderna Fåglum som röjt många framgångar inom cykelsporten "
                "på 1960-talet. I Vårgårda bor det drygt 12 000 invånare på en yta av ca 440 "
                "kvadratkilometer. I Tranemo hittar man en av landets 12 centralkyrkor, en vacker "
                "sexkantig byggnad med ett fantastiskt läge vid Tranemosjön. Tranemo har knappt "
                "12 000 invånare fördelade på ca 780 kvadratkilometer.",
                "Vi hälsar dem båda hjärtligt välkomna in i SmåKom-familjen!",
            ),
        ],
    },
    {
        "slug": "rapport-fran-styrelsemote-18-mars",
        "title": "Rapport från styrelsemöte",
        "listing_title": "Rapport från styrelsemöte 18 mars",
        "date": dt.date(2022, 3, 25),
        "summary": (
            "18 mars, SKR, Stockholm. Slutgiltig planering av Vårmötet och Årsstämman i Rättvik, "
            "och besök av Michaela Stenman från SKR och Ilinca Benson från SNS."
        ),
        "image": "Styrelsemöte 18 mars",
        "hero_caption": "Ilinca Benson, vice vd och kommunikationschef på SNS",
        "tags": ["Styrelsen", "SKR", "SNS"],
        "municipalities": [],
        "body": [
            p("<b>18 mars, SKR, Stockholm</b>"),
            p(
                "På dagordningen i mars stod framförallt slutgiltig planering av Vårmötet och "
                "Årsstämman i Rättvik, det kommer bli superbra dagar! Vi rapporterade också från "
                "möten med Stadsnätsföreningen, Adda kompetens, KEF och några till ... "
                "fullspäckad dag!",
                "När vi genomför möten i Stockholm bjuder vi ofta in externa gäster. Den här "
                "gången gästades vi av Michaela Stenman, sektionschef för Lokal och regional "
                "utveckling på SKR och Ilinca Benson (på bilden), vice vd och kommunikationschef "
                "på SNS. Michaela berättade för oss vad som är på gång på hennes avdelning, det "
                "är stort fokus på återstarten efter pandemin men också, förstås, hanteringen av "
                "krigets följder.",
                "Av Ilinca på SNS fick vi en presentation av deras verksamhet som inrymmer väldigt "
                "mycket bra och nyttig kunskap. SNS arrangerar seminarier både digitalt och "
                "fysiskt utifrån aktuella ämnen och bedriver också egna forskningsprojekt utifrån "
                "ett samhällsperspektiv. SmåKoms medlemmar har kostnadsfri tillgång till ett stort "
                "urval av deras utbud under 2022, ett mycket generöst erbjudande som är väl värt "
                "att utnyttja.",
            ),
        ],
    },
    {
        "slug": "2g-3g-naten-stangs-ned",
        "title": "2G/3G-näten stängs ned, hur påverkas din kommun?",
        "date": dt.date(2022, 3, 29),
        "summary": (
            "Det är nu hög tid att påbörja arbetet med att byta ut utrustning och system som är "
            "beroende av 2G eller 3G."
        ),
        "image": "2G- och 3G-näten",
        "tags": ["Digitalisering", "Webbinarium"],
        "municipalities": [],
        "body": [
            p(
                "<b>Det är nu hög tid att påbörja arbetet med att byta ut utrustning och system "
                "som är beroende av 2G eller 3G.</b>",
                "Även om näten inte används i någon större utsträckning för kommunikation mellan "
                "människor, så finns det fortfarande väldigt många apparater och lösningar som är "
                "beroende av de gamla näten för s k maskin-till-maskin-kommunikation. I en kommun "
                "kan det röra sig om trygghetstelefoner, hisstelefoner, larmanläggningar, "
                "pumpstyrningar, videoövervakning (3G), elektroniska lås, styrning av värmepumpar "
                "och fläktar med mera som inte kommer kunna kommunicera när näten stängs ned. "
                "Det är därför hög tid att se över vilka system och lösningar ni har i er kommun.",
                "Vill du veta mer om vad som händer och hur det kan påverka er kommuns system och "
                "lösningar men även hur det påverkar era invånare?",
                "SmåKom arrangerar, den 5 maj kl. 10.00-11.00, ett kostnadsfritt webbinarium för "
                "sina medlemmar tillsammans med Tommy Ljunggren på TechSverige. Han kommer att "
                "berätta mer om vad som händer, hur och när operatörerna stänger sina nät och vad "
                "man måste tänka på. Han kommer också ge praktiska tips om hur man bör ta sig an "
                "frågan för att teknikskiftet ska går så smidigt som möjligt för kommunen och "
                "dess invånare.",
                "En separat inbjudan skickas ut till våra medlemmar inom kort.",
            ),
            button("Om webbinariet", page="webbinarium-2g-3g-naten-stangs-ned"),
        ],
    },
    {
        "slug": "riksdagen-15-17-mars",
        "title": "Riksdagen 15-17 mars",
        "listing_title": "Riksdagen 15-17 mars: åtta partier på två dagar",
        "date": dt.date(2022, 3, 24),
        "summary": (
            "Åtta partier på två dagar. Vår absolut bästa möjlighet att förmedla inspel från "
            "verkligheten i våra medlemmars kommuner."
        ),
        "image": "Riksdagen 15-17 mars",
        "hero_caption": "SmåKoms arbetsutskott; Kristine Hästmark, Peter Lindroth och Ingrid Hugosson",
        "tags": ["Påverkan", "Riksdagen"],
        "municipalities": [],
        "body": [
            h("Åtta partier på två dagar"),
            p(
                "Den där känslan av upprepning och att inte komma ihåg vad som är sagt, den "
                "uppstår lätt efter ett antal möten med våra kontakter i riksdagen. Men oavsett, "
                "det här är värdefulla och viktiga dagar för SmåKom. Vår absolut bästa möjlighet "
                "att förmedla inspel från verkligheten i våra medlemmars kommuner. Och ni ska "
                "veta att vi tar chansen, det gör vi verkligen!",
                "Alla partier har möjlighet att träffa oss under 90 minuter, ibland blir det "
                "kortare, ibland längre. Vi spelar alltid in frågor i förväg för att partierna ska "
                "kunna ställa upp med rätt kompetens och vi träffade allt från en till tio "
                "representanter från partierna den här gången. De frågor som diskuterades mest "
                "handlade om landsbygdspolitiska program, Trafikverket och infrastruktur, "
                "kapitalförsörjning, social dumpning, utjämningssystemen, vindkraftsfrågan och, "
                "förstås, strandskyddet.",
                "Vi förhörde oss också om hur partierna ser på våra besök och samtliga var "
                "positiva till fortsatta träffar med infomationsutbyte och diskussion.",
            ),
        ],
    },
    {
        "slug": "pa-gang-i-smakom-kommunbesok",
        "title": "På gång i SmåKom: Kommunbesök",
        "date": dt.date(2022, 3, 31),
        "summary": (
            "SmåKom har som mål att besöka minst 15 kommuner per år. Under våren träffar vi "
            "Mullsjö, Tidaholm, Vadstena, Ödeshög, Berg, Härjedalen, Bräcke, Ånge, Ragunda, "
            "Strömsund och Åre."
        ),
        "image": "Kommunbesök i Habo",
        "hero_caption": (
            "Stort tack för att ni tar er tid att träffa oss! Kommunbesök i Habo 24 februari 2022"
        ),
        "tags": ["Kommunbesök"],
        "municipalities": [
            "habo",
            "mullsjo",
            "tidaholm",
            "vadstena",
            "odeshog",
            "berg",
            "harjedalen",
            "bracke",
            "ange",
            "ragunda",
            "stromsund",
            "are",
        ],
        "body": [
            h("Kommunbesök"),
            p(
                "Ordförande Peter Lindroth och verksamhetsledare Charlotta Haskovec är på "
                "resande fot från och till under hela året för att inhämta kunskap, åsikter och "
                "inspiration hos de små kommunerna. SmåKom har som mål att besöka minst 15 "
                "kommuner per år.",
                "Under våren kommer vi att träffa kommunerna Mullsjö, Tidaholm, Vadstena, "
                "Ödeshög, Berg, Härjedalen, Bräcke, Ånge, Ragunda, Strömsund och Åre.",
                "Att vid sittande bord, i samtal med beslutsfattare, kunna referera till "
                "verklighetens situationer ute i kommunerna ger oss ett stort förtroendekapital. "
                "Vi har våra medlemmars utsagor att utgå ifrån vilket blir ett mycket konkret och "
                "relevant verktyg för påverkan.",
            ),
            h("Vill din kommun ha besök av oss?", "h3"),
            p('Hör av dig till <a href="mailto:charlotta@smakom.se">charlotta@smakom.se</a>.'),
        ],
    },
    {
        "slug": "programberedning-for-hallbar-omstallning",
        "title": "Programberedning för hållbar omställning",
        "date": dt.date(2022, 3, 28),
        "summary": (
            "SKR önskar hjälp av SmåKom att samla in kunskap från våra medlemmar inom området "
            "hållbar omställning. Samtliga medlemskommuner får en enkät via e-post."
        ),
        "image": "Hållbar omställning",
        "tags": ["Hållbarhet", "SKR"],
        "municipalities": [],
        "body": [
            p(
                "SKR, som är vår enskilt största samarbetspartner, önskar hjälp av SmåKom att "
                "samla in kunskap från våra medlemmar inom området hållbar omställning. En "
                "programberedning är nyligen tillsatt med uppdrag att beskriva hur kommuners och "
                "regioners förutsättningar att arbeta ännu intensivare med klimatanpassning och "
                "minskad klimatpåverkan måste förbättras.",
                "Samtliga medlemskommuner i SmåKom kommer att få en enkät utskickad via e-post. "
                "Genom att besvara den har du möjlighet att vara med och påverka, vi hoppas att "
                "du tar den chansen! Vi tar gärna emot flera svar från samma kommun.",
            ),
        ],
    },
    {
        "slug": "smakom-tipsar-april-2022",
        "title": "SmåKom tipsar!",
        "listing_title": "SmåKom tipsar: välfärdsteknik, SNS, Sbo och Adda Kompetens",
        "date": dt.date(2022, 4, 1),
        "summary": (
            "Erfarenhetsutbyte om välfärdsteknik, SNS seminarium om bostadsbidraget, "
            "bostäder för äldre med Sbo och böcker från Adda Kompetens."
        ),
        "image": "SmåKom tipsar",
        "tags": ["Tips", "Välfärdsteknik", "SNS"],
        "municipalities": [],
        "body": [
            h("Välfärdsteknik"),
            p(
                "<b>Erfarenhetsutbyte om välfärdsteknik</b>",
                "11 maj kl 13.00 – 15.00. En workshop om organisation och roller.",
                "Den här workshopen är den första i en serie som tar upp olika teman inom "
                "välfärdsteknik. Du får ta del av goda exempel från andra kommuner men även dela "
                "med dig av egna erfarenheter. Den första workshopen har fokus på hur kommuner "
                "organiserat sitt arbete med välfärdsteknik samt vilka roller som finns kopplade "
                "till digitaliseringsarbetet.",
                "Tipsa gärna berörda kollegor om workshopen. Sista anmälningsdag 9 maj",
            ),
            button("Information och anmälan", page="erfarenhetsutbyte-om-valfardsteknik"),
            h("SNS seminarier"),
            p(
                "<b>Bör bostadsbidraget reformeras?</b>",
                "8 april kl 13.00–14.15",
                "Är bostadsbidraget och underhållsstödet anpassat till dagens demografiska "
                "utmaningar? Bidrar stöden till att jämna ut livsvillkor och stötta ekonomiskt "
                "svaga hushåll? Vilka problem finns med dagens system? Regeringens särskilda "
                "utredare Åsa Karlsson Björkmarker gästar SNS för att presentera en översyn och "
                "förslag till förändringar av bostadsbidraget och underhållsstöden.",
                "SmåKom har en överenskommelse med SNS vilken innebär att våra medlemmar "
                "kostnadsfritt får delta på webbinarier.",
            ),
            button("Information och anmälan", page="bor-bostadsbidraget-reformeras"),
            h("Bostäder i fokus"),
            p(
                "Sbo:s särskilda samhällsuppdrag är att bidra till fler bostäder för äldre genom "
                "att bygga om befintliga fastigheter och därigenom bidra till ökad rörlighet och "
                "ett effektivare nyttjande av bostadsbeståndet. I huvudsak handlar arbetet om att "
                "underutnyttjade eller otillgängliga fastigheter omvandlas till moderna "
                "bostadslägenheter för personer 65 år eller äldre. När marknaden är i balans "
                "säljer Sbo den utvecklade fastigheten på marknadsmässiga villkor på den öppna "
                "marknaden.",
                'Nyfiken? Läs mer här; <a href="https://www.sbo.se/">Sbo AB</a>.',
            ),
            h("Adda Kompetens"),
            p(
                "Adda Kompetens har många bra böcker till försäljning på sin hemsida. Här finns "
                "flera titlar som lämpar sig för alla som är aktiva inom den kommunala sektorn. "
                "Nu i valtider kan det till exempel vara bra att förse sina nya (och gamla) "
                "förtroendevalda med information om bland annat den demokratiska processen, "
                "kommunallagen och nämndstrukturer. En bred kompetens borgar ofta för dynamiska "
                "diskussioner och välgrundade beslut.",
                "Att värna demokratin känns mer aktuellt än någonsin, här finns en god möjlighet.",
                'Se hela utbudet på; <a href="https://www.adda.se/">Adda Kompetens</a>',
            ),
        ],
    },
]


def local(y, mo, d, hh, mm) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(y, mo, d, hh, mm))  # Europe/Stockholm


def events() -> list[dict]:
    return [
        {
            "slug": "varmote-2022",
            "title": "Vårmöte 27-29 april 2022",
            "start": local(2022, 4, 27, 10, 0),  # illustrative: the newsletter gives no times
            "end": local(2022, 4, 29, 13, 0),  # illustrative
            "location_name": "Lerdalshöjden",
            "location_city": "Rättvik",
            "is_online": False,
            "organiser": "SmåKom",
            "audience": "open",
            "price_text": "2 195 kr/person",
            "registration_url": SMAKOM_URL,
            "registration_deadline": None,
            "extended_deadline": dt.date(2022, 4, 8),
            "summary": (
                "Välkommen att konferera med SmåKom den 27-29 april på Lerdalshöjden i Rättvik. "
                "Förlängd anmälan till den 8 april."
            ),
            "image": "Lerdalshöjden, Rättvik",
            "intro": (
                "<p>Välkommen att konferera med SmåKom den 27-29 april. Vi har sytt ihop ett "
                "varierat, intressant och aktuellt program som tar avstamp i små kommuners "
                "vardag.</p>"
            ),
            "body": [
                p(
                    "På onsdagen samlas medlemskommunernas förtroendevalda för Årsstämma och "
                    "kommuncheferna för ett eget program. Under torsdagen och fredagen är "
                    "konferensen öppen även för externa deltagare.",
                    "I deltagaravgiften, 2 195 kr/person, ingår konferens, mat och logi på "
                    "Lerdalshöjden i Rättvik, vackert beläget med en hänförande utsikt över "
                    "Siljan. Besök hotellets hemsida för mer information, "
                    '<a href="https://www.lerdalshojden.se/">www.lerdalshojden.se</a>.',
                    "Det finns fortfarande platser kvar, förlängd anmälan till den 8 april.",
                ),
                button("PROGRAM & ANMÄLAN", url=SMAKOM_URL),
            ],
        },
        {
            "slug": "webbinarium-2g-3g-naten-stangs-ned",
            "title": "Webbinarium: 2G/3G-näten stängs ned, hur påverkas din kommun?",
            "start": local(2022, 5, 5, 10, 0),
            "end": local(2022, 5, 5, 11, 0),
            "location_name": "",
            "location_city": "",
            "is_online": True,
            "organiser": "SmåKom och TechSverige",
            "audience": "members",
            "price_text": "kostnadsfritt för medlemmar",
            "registration_url": "",
            "registration_deadline": None,
            "extended_deadline": None,
            "summary": (
                "Ett kostnadsfritt webbinarium för SmåKoms medlemmar med Tommy Ljunggren på "
                "TechSverige om nedstängningen av 2G- och 3G-näten."
            ),
            "image": "2G- och 3G-näten",
            "intro": (
                "<p>SmåKom arrangerar, den 5 maj kl. 10.00-11.00, ett kostnadsfritt webbinarium "
                "för sina medlemmar tillsammans med Tommy Ljunggren på TechSverige.</p>"
            ),
            "body": [
                p(
                    "Han kommer att berätta mer om vad som händer, hur och när operatörerna "
                    "stänger sina nät och vad man måste tänka på. Han kommer också ge praktiska "
                    "tips om hur man bör ta sig an frågan för att teknikskiftet ska går så "
                    "smidigt som möjligt för kommunen och dess invånare.",
                    "En separat inbjudan skickas ut till våra medlemmar inom kort.",
                ),
            ],
        },
        {
            "slug": "erfarenhetsutbyte-om-valfardsteknik",
            "title": "Erfarenhetsutbyte om välfärdsteknik",
            "start": local(2022, 5, 11, 13, 0),
            "end": local(2022, 5, 11, 15, 0),
            "location_name": "",
            "location_city": "",
            "is_online": False,
            "organiser": "SKR",
            "audience": "open",
            "price_text": "",
            "registration_url": SMAKOM_URL,
            "registration_deadline": dt.date(2022, 5, 9),
            "extended_deadline": None,
            "summary": "En workshop om organisation och roller. Sista anmälningsdag 9 maj.",
            "image": "Välfärdsteknik",
            "intro": "<p>En workshop om organisation och roller.</p>",
            "body": [
                p(
                    "Den här workshopen är den första i en serie som tar upp olika teman inom "
                    "välfärdsteknik. Du får ta del av goda exempel från andra kommuner men även "
                    "dela med dig av egna erfarenheter. Den första workshopen har fokus på hur "
                    "kommuner organiserat sitt arbete med välfärdsteknik samt vilka roller som "
                    "finns kopplade till digitaliseringsarbetet.",
                    "Tipsa gärna berörda kollegor om workshopen.",
                ),
            ],
        },
        {
            "slug": "bor-bostadsbidraget-reformeras",
            "title": "Bör bostadsbidraget reformeras?",
            "start": local(2022, 4, 8, 13, 0),
            "end": local(2022, 4, 8, 14, 15),
            "location_name": "",
            "location_city": "",
            "is_online": True,
            "organiser": "SNS",
            "audience": "open",
            "price_text": "kostnadsfritt för SmåKoms medlemmar",
            "registration_url": "https://www.sns.se/",
            "registration_deadline": None,
            "extended_deadline": None,
            "summary": (
                "SNS seminarium med regeringens särskilda utredare Åsa Karlsson Björkmarker om "
                "bostadsbidraget och underhållsstöden."
            ),
            "image": "SNS seminarier",
            "intro": (
                "<p>Är bostadsbidraget och underhållsstödet anpassat till dagens demografiska "
                "utmaningar?</p>"
            ),
            "body": [
                p(
                    "Bidrar stöden till att jämna ut livsvillkor och stötta ekonomiskt svaga "
                    "hushåll? Vilka problem finns med dagens system? Regeringens särskilda "
                    "utredare Åsa Karlsson Björkmarker gästar SNS för att presentera en översyn "
                    "och förslag till förändringar av bostadsbidraget och underhållsstöden.",
                    "SmåKom har en överenskommelse med SNS vilken innebär att våra medlemmar "
                    "kostnadsfritt får delta på webbinarier.",
                ),
            ],
        },
    ]


HOME = {
    "title": "SmåKom",
    "intro": (
        "<p>SmåKom är riksföreningen för Sveriges små kommuner. Vi för våra medlemmars talan "
        "och samlar kunskap, åsikter och inspiration från de små kommunerna.</p>"
    ),
    "featured": "fran-ord-till-handling-pa-sex-dagar",
    "signup_text": (
        "Nyhetsbrevet kommer ungefär en gång i månaden med nyheter från SmåKom och våra "
        "medlemskommuner."
    ),
}

INDEXES = {
    "news": {
        "slug": "nyheter",
        "title": "Nyheter",
        "intro": "<p>Nyheter från SmåKom och våra medlemskommuner.</p>",
    },
    "events": {
        "slug": "kalender",
        "title": "Kalender",
        "intro": "<p>Möten, webbinarier och seminarier för små kommuner.</p>",
    },
    "members": {
        "slug": "medlemmar",
        "title": "Medlemmar",
        "intro": (
            "<p>Knappt en fjärdedel av landets kommuner är medlemmar i SmåKom, vilket ger oss "
            "god legitimitet att föra våra medlemmars talan.</p>"
        ),
    },
    "newsletter": {
        "slug": "nyhetsbrev",
        "title": "Nyhetsbrev",
        "intro": "<p>SmåKoms nyhetsbrev, med alla tidigare utskick.</p>",
    },
}

STANDARD_PAGES = [
    {
        "slug": "om-smakom",
        "title": "Om SmåKom",
        "intro": "<p>SmåKom är riksföreningen för Sveriges små kommuner.</p>",
        "body": [
            p(
                "Knappt en fjärdedel av landets kommuner är medlemmar hos oss vilket ger oss god "
                "legitimitet att föra våra medlemmars talan.",
                "Ordförande Peter Lindroth och verksamhetsledare Charlotta Haskovec är på "
                "resande fot från och till under hela året för att inhämta kunskap, åsikter och "
                "inspiration hos de små kommunerna. SmåKom har som mål att besöka minst 15 "
                "kommuner per år.",
                "SKR är vår enskilt största samarbetspartner. Varje år träffar vi riksdagens "
                "partier för att förmedla inspel från verkligheten i våra medlemmars kommuner.",
            ),
            button("Kontakta oss", page="kontakt"),
        ],
    },
    {
        "slug": "kontakt",
        "title": "Kontakt",
        "intro": "<p>Välkommen att höra av dig till oss.</p>",
        "body": [
            p(
                "<b>Charlotta Haskovec, verksamhetsledare</b>",
                'E-post; <a href="mailto:charlotta@smakom.se">charlotta@smakom.se</a>',
                "Telefon; 0706 725 649",
                '<a href="https://www.smakom.se">www.smakom.se</a>',
            ),
            h("Vill din kommun ha besök av oss?", "h2"),
            p('Hör av dig till <a href="mailto:charlotta@smakom.se">charlotta@smakom.se</a>.'),
        ],
    },
]

SITE_SETTINGS = {
    "organisation_name": "SmåKom",
    "contact_email": "charlotta@smakom.se",
    "contact_phone": "0706 725 649",
    "website": "https://www.smakom.se",
    # illustrative: the newsletter gives no postal address; the compliance footer needs one.
    "postal_address": "SmåKom\nc/o SKR\nHornsgatan 20\n118 82 Stockholm",
    "facebook_url": "https://www.facebook.com/smakom",
    "instagram_url": "https://www.instagram.com/smakom/",
    "footer_text": (
        "SmåKom – riksföreningen för Sveriges små kommuner. Knappt en fjärdedel av landets "
        "kommuner är medlemmar."
    ),
}
