"""Send-readiness checklist of an issue, computed from the page and its real email rendering.

    check_issue(page) -> Checklist   with .items (code, level "error"|"warning", message)

Errors block test sends, scheduling and sending; warnings inform. No network calls: safe to run
in save() and in the editor.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from newsletter.rendering.links import is_merge_tag, is_well_formed_external

MAX_HTML_BYTES = 102 * 1024  # Gmail clips larger messages (and the unsubscribe link with them)
WARN_HTML_BYTES = 90 * 1024
URL_ATTRS = re.compile(r'\s(href|src|background)="([^"]*)"')
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT_ATTR = re.compile(r'\salt="([^"]*)"')
FILENAME_ALT = re.compile(r"^\S+\.(jpe?g|png|gif|webp|avif|heic)$", re.IGNORECASE)

ERROR = "error"
WARNING = "warning"


@dataclass
class CheckItem:
    code: str
    level: str  # "error" | "warning"
    message: str


@dataclass
class Checklist:
    items: list[CheckItem] = field(default_factory=list)

    @property
    def errors(self) -> list[CheckItem]:
        return [i for i in self.items if i.level == ERROR]

    @property
    def warnings(self) -> list[CheckItem]:
        return [i for i in self.items if i.level == WARNING]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def codes(self) -> set[str]:
        return {i.code for i in self.items}

    def as_json(self) -> dict:
        return {"items": [asdict(i) for i in self.items]}

    @classmethod
    def from_json(cls, data) -> Checklist:
        items = (data or {}).get("items", []) if isinstance(data, dict) else []
        return cls([CheckItem(**item) for item in items if isinstance(item, dict)])


def _unescape(url: str) -> str:
    return url.replace("&amp;", "&")


def check_fields(page) -> list[CheckItem]:
    items = []
    if not (page.subject or "").strip():
        items.append(CheckItem("subject_missing", ERROR, _("The subject line is empty.")))
    if not (page.preheader or "").strip():
        items.append(
            CheckItem(
                "preheader_missing",
                WARNING,
                _("The preview text is empty: inboxes will show the first words of the email."),
            )
        )
    return items


def check_rendering(page, rendered) -> list[CheckItem]:
    """Rules on the email as it would be sent."""
    from newsletter.rendering.email import BACKENDS

    items = []
    html, text = rendered.html, rendered.text
    prepared = rendered.prepared

    size = len(html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        items.append(
            CheckItem(
                "html_too_large",
                ERROR,
                _("The email is %(size)d KB; Gmail clips messages over 102 KB. Shorten the issue.")
                % {"size": size // 1024},
            )
        )
    elif size > WARN_HTML_BYTES:
        items.append(
            CheckItem(
                "html_large",
                WARNING,
                _("The email is %(size)d KB, close to Gmail's 102 KB limit.")
                % {"size": size // 1024},
            )
        )

    for tag in IMG_TAG.findall(html):
        alt = ALT_ATTR.search(tag)
        src = re.search(r'\ssrc="([^"]*)"', tag)
        name = src.group(1).rsplit("/", 1)[-1] if src else ""
        if not alt or not alt.group(1).strip():
            items.append(
                CheckItem(
                    "image_alt_missing",
                    ERROR,
                    _(
                        "An image has no alt text (%(name)s). Write one in the block or in the image's description."
                    )
                    % {"name": name},
                )
            )
        elif FILENAME_ALT.match(alt.group(1).strip()):
            items.append(
                CheckItem(
                    "image_alt_filename",
                    WARNING,
                    _("The alt text “%(alt)s” looks like a file name.") % {"alt": alt.group(1)},
                )
            )

    relative = sorted(
        {
            _unescape(url)
            for _attr, url in URL_ATTRS.findall(html)
            if url
            and not is_merge_tag(_unescape(url))
            and not re.match(r"^(https?:|mailto:|tel:|data:)", url)
        }
    )
    for url in relative:
        items.append(
            CheckItem(
                "relative_url",
                ERROR,
                _("The link “%(url)s” is not a full address; it will not work in an email.")
                % {"url": url},
            )
        )

    backend = BACKENDS.get(rendered.backend)
    unsubscribe = rendered.unsubscribe_url or (backend.unsubscribe if backend else "")
    if not unsubscribe or unsubscribe not in html or unsubscribe not in text:
        items.append(CheckItem("unsubscribe_missing", ERROR, _("The unsubscribe link is missing.")))
    address = rendered.address or ""
    first_line = address.strip().splitlines()[0] if address.strip() else ""
    if not first_line or first_line not in html or first_line not in text:
        items.append(
            CheckItem(
                "address_missing",
                ERROR,
                _("The postal address is missing (add it in the site settings)."),
            )
        )

    if prepared is not None:
        items += check_links(prepared)
        items += check_sections(prepared)
        items += check_event_registration(prepared)
    return items


def check_links(prepared) -> list[CheckItem]:
    items = []
    for page_id in sorted(prepared.linked_page_ids):
        page = prepared.pages.get(page_id)
        if page is None:
            items.append(
                CheckItem(
                    "internal_link_missing",
                    ERROR,
                    _("A link points to a page that no longer exists (id %(id)s).")
                    % {"id": page_id},
                )
            )
        elif not page.live:
            items.append(
                CheckItem(
                    "internal_link_not_live",
                    ERROR,
                    _(
                        "A link points to the unpublished page “%(title)s”. Publish it or remove the link."
                    )
                    % {"title": page.title},
                )
            )
        elif page_id in prepared.hidden_page_ids:
            items.append(
                CheckItem(
                    "internal_link_restricted",
                    ERROR,
                    _(
                        "A link points to the page “%(title)s”, which only logged-in visitors can "
                        "see; it is left out of the email. Remove the link or lift the restriction."
                    )
                    % {"title": page.title},
                )
            )
    for url in dict.fromkeys(prepared.source_links):
        if url.startswith("/"):
            continue  # a link to our own site; made absolute in the email
        if not is_well_formed_external(url):
            items.append(
                CheckItem(
                    "external_link_malformed",
                    ERROR,
                    _("The link “%(url)s” is not a valid address (it needs https:// and a domain).")
                    % {"url": url},
                )
            )
    return items


def check_event_registration(prepared) -> list[CheckItem]:
    """An event the issue features whose registration on the site has closed."""
    from home.models import EventPage

    items = []
    for page in prepared.pages.values():
        if isinstance(page, EventPage) and page.registration_enabled:
            state = page.registration
            if not state.is_open:
                items.append(
                    CheckItem(
                        "event_registration_closed",
                        WARNING,
                        _("Registration for “%(title)s” has closed: %(reason)s")
                        % {"title": page.title, "reason": state.closed_message},
                    )
                )
    return items


def check_sections(prepared) -> list[CheckItem]:
    from newsletter.blocks import IssueStreamBlock

    labels = {name: block.label for name, block in IssueStreamBlock.base_blocks.items()}
    items = []
    if not prepared.sections:
        items.append(CheckItem("no_content", ERROR, _("The issue has no sections.")))
    for number, section in enumerate(prepared.sections, 1):
        if section.is_empty:
            items.append(
                CheckItem(
                    "empty_section",
                    WARNING,
                    _("Section %(number)d (%(label)s) is empty and will be left out or look bare.")
                    % {"number": number, "label": labels.get(section.type, section.type)},
                )
            )
    return items


def _reference_day(page):
    """The day the issue is read: its date, or today when that is later (an issue sent late)."""
    today = timezone.localdate()
    return max(page.issue_date, today) if page.issue_date else today


def check_staleness(page, prepared) -> list[CheckItem]:
    """Stale content: past events, old articles, and an issue date far from today.

    Ages are counted from the day the issue is read (its date, or today when sending late).
    """
    from home.models import ArticlePage, EventPage

    items = []
    today = timezone.localdate()
    reference = _reference_day(page)
    tolerance = settings.NEWSLETTER_ISSUE_DATE_TOLERANCE_DAYS
    if page.issue_date and abs((page.issue_date - today).days) > tolerance:
        items.append(
            CheckItem(
                "issue_date_far",
                WARNING,
                _(
                    "The issue is dated %(date)s, more than %(days)d days from today. "
                    "Check the issue date."
                )
                % {"date": date_format(page.issue_date, "j F Y"), "days": tolerance},
            )
        )
    if prepared is None:
        return items
    max_age = settings.NEWSLETTER_STALE_ARTICLE_DAYS
    linked = [prepared.pages[pk] for pk in sorted(prepared.linked_page_ids) if pk in prepared.pages]
    for event in (p for p in linked if isinstance(p, EventPage)):
        over = timezone.localtime(event.end or event.start).date()
        if over < reference:
            items.append(
                CheckItem(
                    "event_past",
                    WARNING,
                    _("The event “%(title)s” took place on %(date)s, before this issue.")
                    % {
                        "title": event.title,
                        "date": date_format(timezone.localtime(event.start), "j F Y"),
                    },
                )
            )
    for article in (p for p in linked if isinstance(p, ArticlePage)):
        if article.date and (reference - article.date).days > max_age:
            items.append(
                CheckItem(
                    "article_old",
                    WARNING,
                    _(
                        "The article “%(title)s” is from %(date)s, more than %(days)d days "
                        "before this issue."
                    )
                    % {
                        "title": article.title,
                        "date": date_format(article.date, "j F Y"),
                        "days": max_age,
                    },
                )
            )
    return items


def check_issue(page, *, rendered=None) -> Checklist:
    """Run every rule on the page as it is now (pass `rendered` to reuse a rendering)."""
    from newsletter.rendering import render_email

    items = check_fields(page)
    if rendered is None:
        try:
            rendered = render_email(page, backend="mailchimp")
        except Exception as exc:  # noqa: BLE001 - the checklist reports, never crashes a save
            items.append(
                CheckItem(
                    "render_failed",
                    ERROR,
                    _("The email could not be rendered: %(error)s") % {"error": exc},
                )
            )
            return Checklist(items + check_staleness(page, None))
    items += check_rendering(page, rendered)
    items += check_staleness(page, rendered.prepared)
    if rendered.backend == "mailchimp" and not rendered.site_address:
        items.append(
            CheckItem(
                "site_address_missing",
                WARNING,
                _(
                    "The postal address is empty in the site settings: the browser version shows none."
                ),
            )
        )
    if not strip_tags(rendered.html).strip():
        items.append(CheckItem("no_content", ERROR, _("The issue has no sections.")))
    return Checklist(_dedupe(items))


def _dedupe(items: list[CheckItem]) -> list[CheckItem]:
    seen, result = set(), []
    for item in items:
        key = (item.code, item.message)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result
