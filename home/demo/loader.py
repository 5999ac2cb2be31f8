"""Build the demo site. Idempotent: everything is looked up by slug, name or title and only
created when missing, so a second run changes nothing."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import SiteSettings
from home.models import (
    ArticleIndexPage,
    ArticlePage,
    EventIndexPage,
    EventPage,
    HomePage,
    Municipality,
    MunicipalityIndexPage,
    MunicipalityVisit,
    Person,
    StandardPage,
)

from . import content, registrations
from .images import draw_landscape, get_or_create_image
from .municipalities import ILLUSTRATIVE_MUNICIPALITIES, SEED_MUNICIPALITIES
from .people import PEOPLE


class Loader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.created = 0

    def log(self, message: str) -> None:
        self.created += 1
        if self.stdout is not None:
            self.stdout.write(f"  + {message}")

    # Snippets ----------------------------------------------------------------------------

    def people(self) -> dict[str, Person]:
        people = {}
        for name, role, organisation, email, phone in PEOPLE:
            person = Person.objects.filter(name=name).first()
            if person is None:
                person = Person.objects.create(
                    name=name, role=role, organisation=organisation, email=email, phone=phone
                )
                self.log(f"person {name}")
            people[name] = person
        return people

    def municipalities(self) -> None:
        for name, slug, county, population, area, since, website, visits in SEED_MUNICIPALITIES:
            if Municipality.objects.filter(slug=slug).exists():
                continue
            municipality = Municipality.objects.create(
                name=name,
                slug=slug,
                county=county,
                population=population,
                area_km2=area,
                member_since=since,
                is_member=True,
                website=website,
            )
            for date, note in visits:
                MunicipalityVisit.objects.create(municipality=municipality, date=date, note=note)
            self.log(f"municipality {name}")
        for name, slug, county in ILLUSTRATIVE_MUNICIPALITIES:
            _, created = Municipality.objects.get_or_create(
                slug=slug, defaults={"name": name, "county": county, "is_member": True}
            )
            if created:
                self.log(f"municipality {name} (illustrative)")

    # Pages -------------------------------------------------------------------------------

    def image(self, title: str):
        slug = title.lower().replace(" ", "-")
        return get_or_create_image(title, draw_landscape, f"{slug}.jpg")

    def publish(self, parent: Page, page: Page, published: dt.datetime | None = None) -> Page:
        if published is not None:
            page.first_published_at = published
        parent.add_child(instance=page)
        revision = page.save_revision(clean=False)
        revision.publish()
        page.refresh_from_db()
        self.log(f"page {page.url_path}")
        return page

    def child(self, parent: Page, slug: str):
        return parent.get_children().filter(slug=slug).first()

    def home_page(self) -> HomePage:
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            # Wagtail's "Welcome to your new Wagtail site!" page: replaced by ours.
            welcome = root.get_children().filter(
                content_type__app_label="wagtailcore", content_type__model="page"
            )
            welcome_ids = list(welcome.values_list("pk", flat=True))
            home = HomePage(
                title=content.HOME["title"],
                slug="smakom",
                intro=content.HOME["intro"],
                signup_text=content.HOME["signup_text"],
            )
            home = self.publish(root, home)
            site = Site.objects.filter(is_default_site=True).first()
            base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
            if site is None:
                Site.objects.create(
                    hostname=base.hostname or "localhost",
                    port=base.port or 80,
                    site_name="SmåKom",
                    root_page=home,
                    is_default_site=True,
                )
            else:
                site.root_page = home
                site.site_name = "SmåKom"
                if site.hostname == "localhost" and base.hostname:
                    # Wagtail's initial site: make page URLs match where the site is served.
                    site.hostname, site.port = base.hostname, base.port or 80
                site.save()
            for page in Page.objects.filter(pk__in=welcome_ids):
                page.delete()
        else:
            home = home.specific
        site = Site.objects.filter(root_page=home).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        return home

    def complete_home(self, home: HomePage, articles: dict) -> None:
        """Fill in what an existing home page (e.g. a bare one) lacks; never overwrite."""
        changed = False
        if not home.intro:
            home.intro = content.HOME["intro"]
            changed = True
        if not home.signup_text:
            home.signup_text = content.HOME["signup_text"]
            changed = True
        if home.featured_article_id is None and content.HOME["featured"] in articles:
            home.featured_article = articles[content.HOME["featured"]]
            changed = True
        if changed:
            home.save_revision(clean=False).publish()
            self.log("home page content")

    def index(self, home, model, key):
        spec = content.INDEXES[key]
        page = self.child(home, spec["slug"])
        if page is None:
            page = self.publish(
                home, model(title=spec["title"], slug=spec["slug"], intro=spec["intro"])
            )
        return page.specific

    def resolve_body(self, body: list, pages_by_slug: dict, images: bool = True) -> list:
        resolved = []
        for block_type, value in body:
            if block_type == "paragraph":
                value = RichText(value)
            elif block_type == "button":
                value = dict(value)
                slug = value.pop("page", "")
                value["page"] = pages_by_slug.get(slug) if slug else None
                if value["page"] is None and not value["url"]:
                    continue  # target not loaded (yet): leave the button out
            elif block_type == "image":
                value = dict(value, image=self.image(value["image"]), credit="")
            resolved.append((block_type, value))
        return resolved

    def events(self, index: EventIndexPage) -> dict:
        pages = {}
        for spec in content.events():
            page = self.child(index, spec["slug"])
            if page is None:
                page = EventPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    start=spec["start"],
                    end=spec["end"],
                    location_name=spec["location_name"],
                    location_city=spec["location_city"],
                    is_online=spec["is_online"],
                    organiser=spec["organiser"],
                    audience=spec["audience"],
                    price_text=spec["price_text"],
                    registration_url=spec["registration_url"],
                    registration_deadline=spec["registration_deadline"],
                    extended_deadline=spec["extended_deadline"],
                    listing_summary=spec["summary"],
                    listing_image=self.image(spec["image"]),
                    intro=spec["intro"],
                    body=self.resolve_body(spec["body"], {}),
                )
                page = self.publish(
                    index, page, published=timezone.make_aware(dt.datetime(2022, 3, 15, 9))
                )
            pages[spec["slug"]] = page.specific
        return pages

    def articles(self, index: ArticleIndexPage, people: dict, targets: dict) -> dict:
        pages = {}
        for spec in content.ARTICLES:
            page = self.child(index, spec["slug"])
            if page is None:
                hero = self.image(spec["image"])
                page = ArticlePage(
                    title=spec["title"],
                    slug=spec["slug"],
                    listing_title=spec.get("listing_title", ""),
                    date=spec["date"],
                    listing_summary=spec["summary"],
                    hero_image=hero,
                    hero_caption=spec.get("hero_caption", ""),
                    byline_person=people.get(spec.get("byline_person", "")),
                    byline_text=spec.get("byline_text", ""),
                    body=self.resolve_body(spec["body"], targets),
                )
                page.tags.add(*spec["tags"])
                page.municipalities = list(
                    Municipality.objects.filter(slug__in=spec["municipalities"])
                )
                published = timezone.make_aware(dt.datetime.combine(spec["date"], dt.time(9)))
                page = self.publish(index, page, published=published)
            pages[spec["slug"]] = page.specific
        return pages

    def standard_pages(self, home: HomePage) -> dict:
        pages = {}
        for spec in content.STANDARD_PAGES:
            page = self.child(home, spec["slug"])
            if page is None:
                page = self.publish(
                    home,
                    StandardPage(
                        title=spec["title"],
                        slug=spec["slug"],
                        intro=spec["intro"],
                        body=self.resolve_body(spec["body"], pages),
                    ),
                )
            pages[spec["slug"]] = page.specific
        # "Om SmåKom" links to "Kontakt", which exists only after the first pass.
        about = pages.get("om-smakom")
        if about is not None and not any(b.block_type == "button" for b in about.body):
            about.body = self.resolve_body(content.STANDARD_PAGES[0]["body"], pages)
            about.save_revision(clean=False).publish()
            self.log("button on Om SmåKom")
        return pages

    def site_settings(self, home: HomePage, people: dict) -> None:
        site = Site.objects.filter(root_page=home).first()
        settings = SiteSettings.for_site(site)
        changed = False
        for field, value in content.SITE_SETTINGS.items():
            if not getattr(settings, field):  # fill in blanks, never overwrite an editor's text
                setattr(settings, field, value)
                changed = True
        if settings.contact_person_id is None:
            settings.contact_person = people["Charlotta Haskovec"]
            changed = True
        if changed:
            settings.save()
            self.log("site settings")

    def newsletter_index(self, home: HomePage):
        from newsletter.models import NewsletterIndexPage

        return self.index(home, NewsletterIndexPage, "newsletter")

    def run(self) -> HomePage:
        with transaction.atomic():
            people = self.people()
            self.municipalities()
            home = self.home_page()
            news = self.index(home, ArticleIndexPage, "news")
            calendar = self.index(home, EventIndexPage, "events")
            self.index(home, MunicipalityIndexPage, "members")
            self.newsletter_index(home)
            events = self.events(calendar)
            registrations.load(events["varmote-2022"])
            articles = self.articles(news, people, events)
            self.complete_home(home, articles)
            self.standard_pages(home)
            self.site_settings(home, people)
        return home


def load(stdout=None) -> HomePage:
    return Loader(stdout=stdout).run()
