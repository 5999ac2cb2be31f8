"""A sent issue's report: what Mailchimp's report is stored as, and what the report page shows.

The snapshot is taken by a task (services.campaigns.refresh_report); everything here that runs in a
web request reads the database only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404
from django.test import RequestFactory
from django.utils import formats, timezone

from wagtail.models import Site

from newsletter.models import Campaign, CampaignStatus

# Links kept in the snapshot (the page shows them all; Mailchimp lists every tracked URL).
LINKS_KEPT = 25
# Issues in the comparison chart: this one and up to five before it.
COMPARED_ISSUES = 6
TRACKING_PARAMS = ("utm_", "mc_cid", "mc_eid")


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def clean_url(url: str) -> str:
    """The link as the reader meant it: without UTM and Mailchimp's tracking parameters."""
    parts = urlsplit((url or "").strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PARAMS)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def merged_links(urls_clicked: list[dict]) -> list[dict]:
    """Mailchimp's clicked URLs with the tracking stripped; one row per cleaned URL, most clicked first."""
    merged: dict[str, dict] = {}
    for link in urls_clicked:
        url = clean_url(link.get("url", ""))
        if not url:
            continue
        row = merged.setdefault(url, {"url": url, "clicks": 0, "unique_clicks": 0})
        row["clicks"] += int(link.get("total_clicks") or 0)
        # The same reader may have clicked two tagged variants: an upper bound, as Mailchimp's own.
        row["unique_clicks"] += int(link.get("unique_clicks") or 0)
    return sorted(merged.values(), key=lambda row: (-row["clicks"], row["url"]))[:LINKS_KEPT]


def snapshot(report: dict, clicks: dict) -> dict:
    """What is kept of Mailchimp's campaign report (GET /reports/{id} and its click details)."""
    opens = report.get("opens") or {}
    click_totals = report.get("clicks") or {}
    bounces = report.get("bounces") or {}
    sent = int(report.get("emails_sent") or 0)
    hard = int(bounces.get("hard_bounces") or 0)
    soft = int(bounces.get("soft_bounces") or 0)
    bounced = hard + soft + int(bounces.get("syntax_errors") or 0)
    delivered = max(sent - bounced, 0)
    unsubscribes = int(report.get("unsubscribed") or 0)
    unique_clicks = int(click_totals.get("unique_subscriber_clicks") or 0)
    links = merged_links(clicks.get("urls_clicked") or [])
    return {
        "emails_sent": sent,
        "delivered": delivered,
        "delivered_rate": _rate(delivered, sent),
        # Apple Mail Privacy Protection opens every message it receives: leave those out.
        "opens": opens.get("proxy_excluded_opens", opens.get("opens_total", 0)),
        "unique_opens": opens.get("proxy_excluded_unique_opens", opens.get("unique_opens", 0)),
        "open_rate": opens.get("proxy_excluded_open_rate", opens.get("open_rate", 0)),
        "opens_with_proxy": opens.get("unique_opens", 0),
        "clicks": click_totals.get("clicks_total", 0),
        "unique_clicks": unique_clicks,
        "click_rate": click_totals.get("click_rate", _rate(unique_clicks, delivered)),
        "unsubscribes": unsubscribes,
        "unsubscribe_rate": _rate(unsubscribes, delivered),
        "bounces": bounced,
        "hard_bounces": hard,
        "soft_bounces": soft,
        "bounce_rate": _rate(bounced, sent),
        "top_links": links,
        "timeseries": [
            {
                "at": row.get("timestamp", ""),
                "opens": row.get("proxy_excluded_unique_opens", row.get("unique_opens", 0)),
                "clicks": row.get("recipients_clicks", 0),
            }
            for row in report.get("timeseries") or []
        ],
    }


# ---------------------------------------------------------------------------------------------
# Shown in the admin (database only)


def percent(rate) -> str:
    """A rate (0–1) the Swedish way: "42,5 %"."""
    try:
        value = float(rate or 0) * 100
    except (TypeError, ValueError):
        value = 0.0
    return f"{formats.number_format(value, 1, use_l10n=True)}\u00a0%"


def _site_for(parts) -> Site | None:
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sites = list(Site.objects.select_related("root_page"))
    for site in sites:
        if site.hostname.lower() == host and site.port == port:
            return site
    for site in sites:
        if site.hostname.lower() == host:
            return site
    # Emails link to SITE_BASE_URL (the public name), which need not be a Site's hostname.
    from newsletter.rendering.links import LinkPolicy

    if LinkPolicy().is_own(urlunsplit(parts)):
        return next((s for s in sites if s.is_default_site), None)
    return None


def page_for_url(url: str):
    """The live Wagtail page a link leads to, found as Wagtail routes a request, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    site = _site_for(parts)
    if site is None:
        return None
    components = [c for c in parts.path.split("/") if c]
    request = RequestFactory().get(parts.path or "/", SERVER_NAME=site.hostname)
    try:
        result = site.root_page.localized.specific.route(request, components)
    except Http404:
        return None
    page = result[0] if result else None
    return page if page is not None and page.live else None


@dataclass
class LinkRow:
    url: str
    title: str
    clicks: int
    unique_clicks: int
    is_page: bool

    @property
    def href(self) -> str:
        """Only web links are links: anything else in Mailchimp's list is shown as text."""
        return self.url if urlsplit(self.url).scheme in ("http", "https") else ""


def link_rows(report: dict) -> list[LinkRow]:
    rows = []
    for link in report.get("top_links") or []:
        url = clean_url(link.get("url", ""))
        page = page_for_url(url)
        rows.append(
            LinkRow(
                url=url,
                title=page.title if page else url,
                clicks=int(link.get("clicks") or 0),
                unique_clicks=int(link.get("unique_clicks") or 0),
                is_page=page is not None,
            )
        )
    return rows


def _when(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else None


def timeseries(report: dict) -> list[tuple[datetime, int, int]]:
    """(hour, opens without proxy opens, recipients who clicked), for the first 24 hours."""
    rows = []
    for row in report.get("timeseries") or []:
        at = _when(row.get("at", ""))
        if at is not None:
            rows.append((at, int(row.get("opens") or 0), int(row.get("clicks") or 0)))
    return rows


def sent_campaigns():
    return Campaign.objects.filter(status=CampaignStatus.SENT, sent_at__isnull=False)


def compared_issues(campaign: Campaign) -> list[Campaign]:
    """This issue and the ones sent before it (oldest first), for the comparison chart."""
    earlier = (
        sent_campaigns()
        .filter(sent_at__lte=campaign.sent_at)
        .exclude(report={})
        .select_related("page")
        .order_by("-sent_at", "-pk")[:COMPARED_ISSUES]
    )
    found = list(earlier)
    if campaign.pk not in {c.pk for c in found}:
        found = [campaign, *found[: COMPARED_ISSUES - 1]]
    return sorted(found, key=lambda c: (c.sent_at, c.pk))


def recent_campaigns(pages, limit: int = 5):
    """The latest issues among `pages` that went out or will go out: sent, sending, scheduled."""
    from django.db.models.functions import Coalesce

    return (
        Campaign.objects.filter(
            status__in=[CampaignStatus.SENT, CampaignStatus.SENDING, CampaignStatus.SCHEDULED],
            page__in=pages,
        )
        .select_related("page")
        .annotate(when=Coalesce("sent_at", "scheduled_for", "updated_at"))
        .order_by("-when", "-pk")[:limit]
    )


def report_days() -> int:
    return settings.NEWSLETTER_REPORT_DAYS
