"""Every campaign-related Mailchimp call, through the one client module."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from newsletter.mailchimp.client import call, get_client

TITLE_MAX = 100
# Drafts are all a lost create can be; one page of them is the whole list in practice.
LIST_PAGE_SIZE = 1000
LIST_FIELDS = [
    "campaigns.id",
    "campaigns.status",
    "campaigns.create_time",
    "campaigns.settings.title",
    "total_items",
]


def title_with_key(title: str, create_key: str = "") -> str:
    """The campaign's internal title (subscribers never see it), ending in its create key."""
    if not create_key:
        return title[:TITLE_MAX]
    suffix = f" [{create_key}]"
    return title[: TITLE_MAX - len(suffix)] + suffix


def campaign_body(
    *,
    subject: str,
    preview_text: str,
    title: str,
    from_name: str,
    reply_to: str,
    segment_id=None,
    create_key: str = "",
) -> dict:
    recipients: dict = {"list_id": settings.MAILCHIMP_AUDIENCE_ID}
    if segment_id:
        recipients["segment_opts"] = {"saved_segment_id": int(segment_id)}
    return {
        "type": "regular",
        "recipients": recipients,
        "settings": {
            "subject_line": subject[:150],
            "preview_text": preview_text[:150],
            "title": title_with_key(title, create_key),
            "from_name": from_name[:100],
            "reply_to": reply_to,
        },
        "tracking": {"opens": True, "html_clicks": True, "text_clicks": True},
    }


def create_campaign(body: dict) -> dict:
    return call(get_client().campaigns.create, body)


def _list_campaigns(status: str):
    """The audience's campaigns in `status` (id, status, title, times), a page at a time."""
    client = get_client()
    offset = 0
    while True:
        page = (
            call(
                client.campaigns.list,
                fields=LIST_FIELDS,
                status=status,
                list_id=settings.MAILCHIMP_AUDIENCE_ID,
                count=LIST_PAGE_SIZE,
                offset=offset,
            )
            or {}
        )
        campaigns = page.get("campaigns") or []
        yield from campaigns
        offset += len(campaigns)
        if len(campaigns) < LIST_PAGE_SIZE or offset >= int(page.get("total_items") or 0):
            return


def find_campaigns_by_key(create_key: str) -> list[dict]:
    """Draft campaigns of the audience whose title ends in `create_key`, oldest first.

    Mailchimp cannot filter on the title, so this lists the audience's drafts (status "save")
    with only the fields needed, a page at a time.
    """
    suffix = f"[{create_key}]"
    found = [
        c
        for c in _list_campaigns("save")
        if ((c.get("settings") or {}).get("title") or "").endswith(suffix)
    ]
    return sorted(found, key=lambda c: c.get("create_time") or "")


def list_scheduled_campaigns() -> list[dict]:
    """The audience's scheduled campaigns (id, status, title), a page at a time."""
    return list(_list_campaigns("schedule"))


def delete_campaign(campaign_id: str) -> None:
    call(get_client().campaigns.remove, campaign_id)


def update_campaign(campaign_id: str, body: dict) -> dict:
    # PATCH: the type of a campaign can't change once created.
    patch = {k: v for k, v in body.items() if k != "type"}
    return call(get_client().campaigns.update, campaign_id, patch)


def get_campaign(campaign_id: str) -> dict:
    return call(get_client().campaigns.get, campaign_id)


def set_content(campaign_id: str, html: str, text: str) -> dict:
    return call(get_client().campaigns.set_content, campaign_id, {"html": html, "plain_text": text})


def send_test(campaign_id: str, emails: list[str], send_type: str = "html") -> None:
    call(
        get_client().campaigns.send_test_email,
        campaign_id,
        {"test_emails": list(emails), "send_type": send_type},
    )


def schedule(campaign_id: str, when: datetime) -> None:
    # Mailchimp wants UTC ISO 8601 on the quarter hour.
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    call(get_client().campaigns.schedule, campaign_id, {"schedule_time": stamp})


def unschedule(campaign_id: str) -> None:
    call(get_client().campaigns.unschedule, campaign_id)


def send(campaign_id: str) -> None:
    call(get_client().campaigns.send, campaign_id)


def get_report(campaign_id: str) -> dict:
    return call(get_client().reports.get_campaign_report, campaign_id)


def get_click_details(campaign_id: str, count: int = 1000) -> dict:
    return call(
        get_client().reports.get_campaign_click_details,
        campaign_id,
        count=count,
    )


def get_audience(list_id: str | None = None) -> dict:
    return call(get_client().lists.get_list, list_id or settings.MAILCHIMP_AUDIENCE_ID)


def get_segment(segment_id: int, list_id: str | None = None) -> dict:
    return call(
        get_client().lists.get_segment, list_id or settings.MAILCHIMP_AUDIENCE_ID, str(segment_id)
    )


SEGMENT_FIELDS = [
    "segments.id",
    "segments.name",
    "segments.type",
    "segments.member_count",
    "total_items",
]


def list_segments(list_id: str | None = None) -> list[dict]:
    """Every saved segment and tag of the audience (id, name, type, member count), a page at a
    time (Mailchimp gives at most 1,000 a call)."""
    client = get_client()
    found: list[dict] = []
    while True:
        page = (
            call(
                client.lists.list_segments,
                list_id or settings.MAILCHIMP_AUDIENCE_ID,
                fields=SEGMENT_FIELDS,
                count=LIST_PAGE_SIZE,
                offset=len(found),
            )
            or {}
        )
        segments = page.get("segments") or []
        found.extend(segments)
        if len(segments) < LIST_PAGE_SIZE or len(found) >= int(page.get("total_items") or 0):
            return found


def ping() -> dict:
    return call(get_client().ping.get)
