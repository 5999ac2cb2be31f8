"""An issue's StreamField as a list of plain sections, ready for the email, text and web templates.

Works from the stream's raw data, so it runs the same on a saved page, a revision's object or an
unsaved preview. Everything the sections refer to (pages, images with renditions, documents,
people) is fetched in bulk, one query per kind however many sections there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail.rich_text import expand_db_html
from wagtail.rich_text.rewriters import extract_attrs

from .links import LinkPolicy

# Images fill a 600 px column less 25 px padding either side; renditions are twice that for
# high-density screens.
COLUMN_WIDTH = 550
IMAGE_SPEC = "width-1100"

LINK_TAG = re.compile(r"<a(\s[^>]*)?>")
HREF = re.compile(r'href="([^"]*)"')
BLOCK_KEY = re.compile(r'\sdata-block-key="[^"]*"')


@dataclass
class Link:
    text: str
    url: str


@dataclass
class Img:
    src: str
    width: int
    height: int
    alt: str
    image_id: int | None = None


@dataclass
class Section:
    type: str
    heading: str = ""
    html: str = ""
    url: str = ""
    image: Img | None = None
    caption: str = ""
    author: str = ""
    link: Link | None = None
    button: Link | None = None
    facts: list = field(default_factory=list)
    items: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    contact: dict = field(default_factory=dict)
    email_html: str = ""  # html with inline styles, filled in by the email rendering

    @property
    def is_empty(self) -> bool:
        if self.type == "divider":
            return False
        if self.type in {"tips", "upcoming_events"}:
            return not self.items
        if self.type == "contact":
            return not any(self.contact.values())
        if self.type == "image":
            return self.image is None
        if self.type == "button":
            return not (self.button and self.button.url)
        return not (strip_tags(self.html).strip() or self.image or (self.heading and self.url))


@dataclass
class Prepared:
    sections: list[Section]
    linked_page_ids: set[int]
    pages: dict  # id -> Page (specific where needed) for every page the issue links to
    hidden_page_ids: set[int]  # of those, drafts and login-restricted pages (shown as missing)
    images: list[Img]
    source_links: list[str]  # external URLs as typed by editors
    intro_html: str = ""
    policy: LinkPolicy | None = None


def _raw_list(value) -> list:
    """A ListBlock's raw items, in the current ({"type": "item", "value": …}) or old format."""
    items = []
    for item in value or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            items.append(item["value"])
        else:
            items.append(item)
    return items


def _raw_blocks(stream) -> list[dict]:
    if stream is None:
        return []
    raw = getattr(stream, "raw_data", stream)
    return [dict(block) for block in raw]


class _UrlCache:
    """Holds Wagtail's site root paths for the duration of one rendering."""


class Preparer:
    def __init__(self, *, issue_date=None, utm_campaign: str = "", utm: bool = True):
        self.issue_date = issue_date or timezone.localdate()
        self.policy = LinkPolicy(utm_campaign=utm_campaign, utm=utm)
        self.page_ids: set[int] = set()
        self.article_ids: set[int] = set()
        self.event_ids: set[int] = set()
        self.image_ids: set[int] = set()
        self.document_ids: set[int] = set()
        self.person_ids: set[int] = set()
        # The email (rendered once per send) loads the images' renditions with them; the web
        # page reads them from the rendition cache, warm after its first view (issue 13's budget).
        self.prefetch_renditions = True
        self.rich_sources: list[str] = []
        self.images_used: list[Img] = []
        self.source_links: list[str] = []
        self._url_cache = _UrlCache()
        self.hidden_ids: set[int] = set()
        self.all_pages: dict = {}

    # -- collecting -----------------------------------------------------------------------------

    def _rich(self, html: str | None):
        if html:
            self.rich_sources.append(html)
            for match in LINK_TAG.finditer(html):
                attrs = extract_attrs(match.group(1) or "")
                if attrs.get("linktype") == "page" and attrs.get("id", "").isdigit():
                    self.page_ids.add(int(attrs["id"]))
                elif attrs.get("linktype") == "document" and attrs.get("id", "").isdigit():
                    self.document_ids.add(int(attrs["id"]))
                elif "href" in attrs and "linktype" not in attrs:
                    self.source_links.append(attrs["href"])

    def _id(self, value, target: set):
        if isinstance(value, int):
            target.add(value)
        elif isinstance(value, str) and value.isdigit():
            target.add(int(value))

    def collect(self, blocks: list[dict]):
        for block in blocks:
            kind, value = block.get("type"), block.get("value") or {}
            if kind == "lead_story":
                self._rich(value.get("text"))
                self._id(value.get("image"), self.image_ids)
                self._id(value.get("link_page"), self.page_ids)
                self._id(value.get("article"), self.article_ids)
            elif kind == "article_teaser":
                self._id(value.get("article"), self.article_ids)
                self._id(value.get("image"), self.image_ids)
            elif kind == "event_teaser":
                self._id(value.get("event"), self.event_ids)
                self._rich(value.get("text"))
            elif kind == "text":
                self._rich(value.get("text"))
            elif kind == "image":
                self._id(value.get("image"), self.image_ids)
            elif kind == "tips":
                for item in _raw_list(value.get("items")):
                    self._rich(item.get("text"))
                    self._id(item.get("link_page"), self.page_ids)
            elif kind == "contact":
                self._id(value.get("person"), self.person_ids)
            elif kind == "button":
                self._id(value.get("link_page"), self.page_ids)
            if isinstance(value, dict) and value.get("link_url"):
                self.source_links.append(value["link_url"])
            if kind == "tips":
                self.source_links += [
                    i["link_url"] for i in _raw_list(value.get("items")) if i.get("link_url")
                ]

    def collect_article_body(self, article):
        for block in _raw_blocks(article.body):
            kind, value = block.get("type"), block.get("value")
            if kind == "paragraph":
                self._rich(value)
            elif kind == "image" and isinstance(value, dict):
                self._id(value.get("image"), self.image_ids)
            elif kind == "button" and isinstance(value, dict):
                self._id(value.get("page"), self.page_ids)
            elif kind == "document" and isinstance(value, dict):
                self._id(value.get("document"), self.document_ids)

    # -- fetching -------------------------------------------------------------------------------

    def fetch(self, blocks: list[dict]):
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page

        from cms.visibility import visible_pages
        from home.models import ArticlePage, EventPage, Person

        self.collect(blocks)
        articles = ArticlePage.objects.in_bulk(self.article_ids) if self.article_ids else {}
        events = EventPage.objects.in_bulk(self.event_ids) if self.event_ids else {}
        # Drafts and login-restricted pages show nothing of themselves (no title, URL, summary):
        # they are left out here, so every section and link below treats them as missing.
        visible = visible_pages([*articles.values(), *events.values()])
        self.hidden_ids = (set(articles) | set(events)) - visible
        self.all_pages = {**articles, **events}
        self.articles = {pk: page for pk, page in articles.items() if pk in visible}
        self.events = {pk: page for pk, page in events.items() if pk in visible}
        full_text_ids = {
            int(b["value"]["article"])
            for b in blocks
            if b.get("type") == "article_teaser"
            and (b.get("value") or {}).get("full_text")
            and str((b.get("value") or {}).get("article") or "").isdigit()
        }
        for article_id in full_text_ids:
            if article_id in self.articles:
                self.collect_article_body(self.articles[article_id])
        for page in [*self.articles.values(), *self.events.values()]:
            if page.listing_image_id:
                self.image_ids.add(page.listing_image_id)
            elif getattr(page, "hero_image_id", None):
                self.image_ids.add(page.hero_image_id)
        pages = Page.objects.in_bulk(self.page_ids) if self.page_ids else {}
        visible = visible_pages(pages.values())
        self.hidden_ids |= set(pages) - visible
        self.all_pages = {**pages, **self.all_pages}
        self.pages = {pk: page for pk, page in pages.items() if pk in visible}
        Image = get_image_model()
        images = Image.objects.filter(pk__in=self.image_ids)
        if self.prefetch_renditions:
            images = images.prefetch_renditions(IMAGE_SPEC)
        self.images = {i.pk: i for i in images} if self.image_ids else {}
        self.documents = (
            get_document_model().objects.in_bulk(self.document_ids) if self.document_ids else {}
        )
        self.people = Person.objects.in_bulk(self.person_ids) if self.person_ids else {}

    # -- helpers --------------------------------------------------------------------------------

    def page_url(self, page) -> str:
        if page is None:
            return ""
        # The site root paths are looked up once per rendering, not once per page.
        parts = page.get_url_parts(request=self._url_cache)
        return self.policy.link(parts[2] if parts and parts[2] else "")

    def image(self, image_id, alt: str | None) -> Img | None:
        image = self.images.get(int(image_id)) if str(image_id or "").isdigit() else None
        if image is None:
            return None
        rendition = image.get_rendition(IMAGE_SPEC)
        width = min(COLUMN_WIDTH, rendition.width)
        height = round(rendition.height * width / rendition.width) if rendition.width else 0
        alt_text = (alt or "").strip() or (getattr(image, "description", "") or "").strip()
        img = Img(
            src=self.policy.asset(rendition.url),
            width=width,
            height=height,
            alt=alt_text,
            image_id=image.pk,
        )
        self.images_used.append(img)
        return img

    def rich(self, html: str | None) -> str:
        """Database rich text as email-ready HTML: links absolute (and UTM-tagged on our site)."""
        if not html:
            return ""

        def replace(match):
            attrs = extract_attrs(match.group(1) or "")
            linktype = attrs.pop("linktype", None)
            if linktype == "page":
                page = self.pages.get(int(attrs.get("id", 0) or 0))
                return f'<a href="{escape(self.page_url(page))}">' if page else "<a>"
            if linktype == "document":
                document = self.documents.get(int(attrs.get("id", 0) or 0))
                url = self.policy.link(document.url) if document else ""
                return f'<a href="{escape(url)}">' if url else "<a>"
            if linktype:
                return match.group(0)
            href = attrs.get("href")
            if href is None:
                return match.group(0)
            return f'<a href="{escape(self.policy.link(href))}">'

        html = LINK_TAG.sub(replace, html)
        if "linktype=" in html or "<embed" in html:
            html = expand_db_html(html)
        return BLOCK_KEY.sub("", html)

    def link(self, text: str, page_id=None, url: str | None = None) -> Link | None:
        page = self.pages.get(int(page_id)) if str(page_id or "").isdigit() else None
        target = self.page_url(page) if page else self.policy.link(url)
        return Link(text=text or target, url=target) if target else None

    # -- building -------------------------------------------------------------------------------

    def build(self, blocks: list[dict]) -> list[Section]:
        builders = {
            "lead_story": self.build_lead_story,
            "article_teaser": self.build_article_teaser,
            "event_teaser": self.build_event_teaser,
            "upcoming_events": self.build_upcoming_events,
            "text": self.build_text,
            "image": self.build_image,
            "tips": self.build_tips,
            "contact": self.build_contact,
            "divider": lambda value: Section(type="divider"),
            "button": self.build_button,
        }
        sections = []
        for block in blocks:
            builder = builders.get(block.get("type"))
            if builder is not None:
                sections.append(builder(block.get("value") or {}))
        return sections

    def chosen_article(self, value):
        """The block's article if it is visible (drafts and restricted pages count as missing)."""
        article_id = value.get("article")
        return self.articles.get(int(article_id)) if str(article_id or "").isdigit() else None

    def article_image(self, article, image_id=None, alt: str | None = None) -> Img | None:
        """The chosen image, else the article's; described by its alt text or description, else
        by the article's title (the image illustrates the title next to it)."""
        image_id = image_id or article.listing_image_id or article.hero_image_id
        image = self.image(image_id, alt)
        if image and not image.alt:
            image.alt = article.teaser_title
        return image

    def build_lead_story(self, value) -> Section:
        # What the editor wrote wins; what is left empty comes from the chosen article as it
        # is now (the article's edits show in the next rendering).
        article = self.chosen_article(value)
        html = self.rich(value.get("text"))
        if article is not None and not strip_tags(html).strip():
            html = article_summary_html(article)
        if article is not None:
            image = self.article_image(article, value.get("image"), value.get("alt_text"))
        else:
            image = self.image(value.get("image"), value.get("alt_text"))
        link = self.link(
            value.get("link_text") or "", value.get("link_page"), value.get("link_url")
        )
        if link is None and article is not None:
            url = self.page_url(article)
            link = Link(text=value.get("link_text") or _("Read more"), url=url)
        return Section(
            type="lead_story",
            heading=value.get("heading") or (article.teaser_title if article else ""),
            html=html,
            image=image,
            caption=value.get("caption", ""),
            author=value.get("author") or (article_author(article) if article else ""),
            link=link,
        )

    def build_article_teaser(self, value) -> Section:
        article = self.chosen_article(value)
        if article is None:
            return Section(type="article_teaser")
        url = self.page_url(article)
        image = None
        if value.get("show_image", True):
            image = self.article_image(article, value.get("image"))
        if value.get("full_text"):
            html = self.article_body(article)
        elif (value.get("summary") or "").strip():
            html = f"<p>{escape(value['summary'].strip())}</p>"
        else:
            html = article_summary_html(article)
        return Section(
            type="article_teaser",
            heading=(value.get("heading") or "").strip() or article.teaser_title,
            url=url,
            image=image,
            html=html,
            author=article_author(article),
            link=Link(text=value.get("link_text") or _("Read more"), url=url),
        )

    def article_body(self, article) -> str:
        parts = []
        for block in _raw_blocks(article.body):
            kind, value = block.get("type"), block.get("value")
            if kind == "paragraph":
                parts.append(self.rich(value))
            elif kind == "heading" and isinstance(value, dict):
                parts.append(f"<h3>{escape(value.get('text', ''))}</h3>")
            elif kind == "quote" and isinstance(value, dict):
                attribution = value.get("attribution")
                parts.append(
                    f"<p><em>”{escape(value.get('text', ''))}”</em>"
                    + (f"<br/>– {escape(attribution)}" if attribution else "")
                    + "</p>"
                )
            elif kind == "image" and isinstance(value, dict):
                img = self.image(value.get("image"), value.get("alt_text"))
                if img:
                    parts.append(
                        f'<p><img src="{escape(img.src)}" width="{img.width}" '
                        f'height="{img.height}" alt="{escape(img.alt)}" '
                        'style="display:block;width:100%;max-width:550px;height:auto;border:0;"/>'
                        + (f"<br/>{escape(value['caption'])}" if value.get("caption") else "")
                        + "</p>"
                    )
            elif kind == "button" and isinstance(value, dict):
                link = self.link(value.get("text", ""), value.get("page"), value.get("url"))
                if link:
                    parts.append(f'<p><a href="{escape(link.url)}">{escape(link.text)}</a></p>')
            elif kind == "embed" and value:
                url = self.policy.link(str(value))
                parts.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
            elif kind == "document" and isinstance(value, dict):
                document = self.documents.get(int(value.get("document") or 0))
                if document:
                    url = self.policy.link(document.url)
                    title = value.get("title") or document.title
                    parts.append(f'<p><a href="{escape(url)}">{escape(title)}</a></p>')
        return "".join(parts)

    def build_event_teaser(self, value) -> Section:
        event = (
            self.events.get(int(value["event"]))
            if str(value.get("event") or "").isdigit()
            else None
        )
        if event is None:
            return Section(type="event_teaser")
        url = self.page_url(event)
        html = self.rich(value.get("text"))
        if not html:
            summary = event.listing_summary or strip_tags(event.intro or "")
            html = f"<p>{escape(summary)}</p>" if summary else ""
        if event.registration_enabled:  # registration on the site: /kalender/<event>/anmalan/
            parts = event.get_url_parts(request=self._url_cache)
            path = parts[2] + event.reverse_subpage("register") if parts and parts[2] else ""
            registration = self.policy.link(path) if path else url
        else:
            registration = self.policy.link(event.registration_url) or url
        return Section(
            type="event_teaser",
            heading=event.teaser_title,
            url=url,
            html=html,
            facts=event_facts(event),
            button=Link(
                text=value.get("button_text") or _("Programme and registration"), url=registration
            ),
            link=Link(text=_("Read more"), url=url),
        )

    def build_upcoming_events(self, value) -> Section:
        from cms.visibility import public
        from home.models import EventPage

        days = int(value.get("days") or 60)
        limit = int(value.get("limit") or 6)
        start = self.issue_date
        end = start + timedelta(days=days)
        tz = timezone.get_current_timezone()
        events = (
            public(EventPage.objects.live())
            .filter(
                start__gte=timezone.make_aware(_midnight(start), tz),
                start__lt=timezone.make_aware(_midnight(end), tz),
            )
            .order_by("start")[:limit]
        )
        items = [
            {
                "title": event.teaser_title,
                "url": self.page_url(event),
                "when": event_when(event),
                "place": str(event.location),
            }
            for event in events
        ]
        return Section(type="upcoming_events", heading=value.get("heading", ""), items=items)

    def build_text(self, value) -> Section:
        return Section(
            type="text", heading=value.get("heading", ""), html=self.rich(value.get("text"))
        )

    def build_image(self, value) -> Section:
        return Section(
            type="image",
            image=self.image(value.get("image"), value.get("alt_text")),
            caption=value.get("caption", ""),
        )

    def build_tips(self, value) -> Section:
        items = []
        for item in _raw_list(value.get("items")):
            link = self.link(
                item.get("link_text") or "", item.get("link_page"), item.get("link_url")
            )
            items.append(
                {
                    "category": item.get("category", ""),
                    "heading": item.get("heading", ""),
                    "when": item.get("when", ""),
                    "html": self.rich(item.get("text")),
                    "link": link,
                }
            )
        rows = [items[i : i + 2] for i in range(0, len(items), 2)]
        return Section(type="tips", heading=value.get("heading", ""), items=items, rows=rows)

    def build_contact(self, value) -> Section:
        person = (
            self.people.get(int(value["person"]))
            if str(value.get("person") or "").isdigit()
            else None
        )
        settings = self.site_settings
        if person is None and settings is not None and settings.contact_person_id:
            person = settings.contact_person
        contact = {
            "name": person.name if person else "",
            "role": person.role if person else "",
            "email": (person.email if person else "")
            or (settings.contact_email if settings else ""),
            "phone": (person.phone if person else "")
            or (settings.contact_phone if settings else ""),
            "website": settings.website if settings else "",
        }
        contact["website_url"] = self.policy.link(contact["website"]) if contact["website"] else ""
        contact["website_label"] = re.sub(r"^https?://", "", contact["website"]).rstrip("/")
        return Section(type="contact", heading=value.get("heading", ""), contact=contact)

    def build_button(self, value) -> Section:
        return Section(
            type="button",
            button=self.link(value.get("text", ""), value.get("link_page"), value.get("link_url")),
        )

    site_settings = None


def article_summary_html(article) -> str:
    summary = article.listing_summary or article.search_description
    return f"<p>{escape(summary)}</p>" if summary else ""


def article_author(article) -> str:
    # A chosen person is not fetched here (no query per teaser): the free-text line only.
    return article.byline if not article.byline_person_id else article.byline_text


def _midnight(day):
    from datetime import datetime, time

    return datetime.combine(day, time.min)


def event_when(event) -> str:
    start = timezone.localtime(event.start)
    text = date_format(start, "j F Y")
    if start.hour or start.minute:
        text = _("%(date)s at %(time)s") % {"date": text, "time": date_format(start, "H.i")}
    if event.end:
        end = timezone.localtime(event.end)
        if end.date() != start.date():
            text = f"{date_format(start, 'j F')}–{date_format(end, 'j F Y')}"
        elif end.hour or end.minute:
            text += "–" + date_format(end, "H.i")
    return text


def event_facts(event) -> list[tuple[str, str]]:
    facts = [(_("When"), event_when(event))]
    if event.location:
        facts.append((_("Where"), str(event.location)))
    if event.price_text:
        facts.append((_("Price"), event.price_text))
    if event.extended_deadline:
        facts.append(
            (_("Extended registration until"), date_format(event.extended_deadline, "j F Y"))
        )
    elif event.registration_deadline:
        facts.append((_("Last day to register"), date_format(event.registration_deadline, "j F Y")))
    if getattr(event, "registration_enabled", False):
        state = event.registration  # live: counted when the email is rendered
        if not state.is_open:
            facts.append((_("Registration"), state.closed_message))
        elif state.places_left is not None:
            facts.append(
                (
                    _("Places"),
                    _("Fully booked – waiting list")
                    if state.is_full
                    else ngettext("%(n)s place left", "%(n)s places left", state.places_left)
                    % {"n": state.places_left},
                )
            )
    return facts


def prepare(
    page, *, utm: bool = True, site_settings=None, prefetch_renditions: bool = True
) -> Prepared:
    blocks = _raw_blocks(page.body)
    preparer = Preparer(issue_date=page.issue_date, utm_campaign=page.slug or "", utm=utm)
    preparer.site_settings = site_settings
    preparer.prefetch_renditions = prefetch_renditions
    # The intro's links are fetched with the sections' (a text block that is not rendered).
    intro = [{"type": "text", "value": {"text": page.intro}}] if page.intro else []
    preparer.fetch(intro + blocks)
    sections = preparer.build(blocks)
    intro_html = preparer.rich(page.intro) if page.intro else ""
    linked = set(preparer.page_ids) | preparer.article_ids | preparer.event_ids
    return Prepared(
        sections=sections,
        linked_page_ids=linked,
        pages=preparer.all_pages,
        hidden_page_ids=preparer.hidden_ids,
        images=preparer.images_used,
        source_links=preparer.source_links,
        intro_html=intro_html,
        policy=preparer.policy,
    )


def prepare_block(name: str, raw_value) -> Section | None:
    """One block, for its web template and the editor's block preview."""
    from .email import get_site_settings

    preparer = Preparer(utm=False)
    preparer.site_settings = get_site_settings()
    blocks = [{"type": name, "value": raw_value}]
    preparer.fetch(blocks)
    sections = preparer.build(blocks)
    return sections[0] if sections else None
