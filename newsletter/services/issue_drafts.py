"""A new issue from what was published since the last sent one: a draft with a teaser for every
new article and every new upcoming event, for the editor to shape.

"Since the last sent issue" is the send time of the newest sent campaign; before any issue was
sent, the past FIRST_ISSUE_DAYS days. Only pages the public can see are offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

FIRST_ISSUE_DAYS = 30


@dataclass
class Published:
    since: datetime
    last_sent: object | None  # the Campaign, None before the first send
    articles: list = field(default_factory=list)
    events: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.articles or self.events)


def last_sent_campaign():
    from newsletter.models import Campaign, CampaignStatus

    return (
        Campaign.objects.filter(status=CampaignStatus.SENT)
        .select_related("page")
        .order_by(F("sent_at").desc(nulls_last=True), "-pk")
        .first()
    )


def published_since_last_issue(now: datetime | None = None) -> Published:
    from cms.visibility import public
    from home.models import ArticlePage, EventPage

    now = now or timezone.now()
    campaign = last_sent_campaign()
    since = None
    if campaign is not None:
        since = campaign.sent_at or (campaign.page.first_published_at if campaign.page else None)
    since = since or now - timedelta(days=FIRST_ISSUE_DAYS)
    articles = public(ArticlePage.objects.live()).filter(first_published_at__gt=since)
    events = public(EventPage.objects.live()).filter(first_published_at__gt=since, start__gte=now)
    return Published(
        since=since,
        last_sent=campaign,
        articles=list(articles.order_by("-date", "-first_published_at")),
        events=list(events.order_by("start")),
    )


def issue_title(day) -> str:
    """ "Nyhetsbrev november 2026": month names in Swedish whatever the editor's language."""
    with translation.override("sv"):
        return _("Newsletter %(month)s") % {"month": date_format(day, "F Y")}


def _free_slug(index, base: str) -> str:
    taken = set(index.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _preheader(published: Published) -> str:
    titles = [page.teaser_title for page in [*published.articles, *published.events]]
    text = ", ".join(titles)
    return text if len(text) <= 150 else text[:149].rsplit(" ", 1)[0].rstrip(",") + "…"


def teaser_blocks(published: Published) -> list[dict]:
    body = [
        {
            "type": "article_teaser",
            "value": {
                "article": a.pk,
                "show_image": True,
                "full_text": False,
                "link_text": "Läs mer",
            },
        }
        for a in published.articles
    ]
    body += [
        {
            "type": "event_teaser",
            "value": {"event": e.pk, "text": "", "button_text": "PROGRAM & ANMÄLAN"},
        }
        for e in published.events
    ]
    return body


def create_draft_issue(index, user, published: Published | None = None):
    """The draft issue (not live, one revision), or None when nothing new was published: an
    empty draft would only be one more page to delete."""
    from wagtail.log_actions import log

    from newsletter.models import NewsletterIssuePage

    published = published or published_since_last_issue()
    if published.is_empty:
        return None
    today = timezone.localdate()
    title = issue_title(today)
    issue = NewsletterIssuePage(
        title=title,
        slug=_free_slug(index, slugify(title)),
        issue_date=today,
        preheader=_preheader(published),
        body=teaser_blocks(published),
        live=False,
        owner=user,
    )
    index.add_child(instance=issue)
    log(issue, "wagtail.create", user=user)
    issue.save_revision(user=user, log_action=False)
    return issue
