"""Every audience call we make to Mailchimp: members, batch subscribe, member pages, webhooks.

Thin wrappers over the SDK (through `get_client()`/`call()`, so every failure is a MailchimpError);
what to send and how to reconcile lives in newsletter.services.sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings

from .client import MailchimpError, call, get_client, subscriber_hash

BATCH_SIZE = 500  # Mailchimp's limit for POST /lists/{id}
PAGE_SIZE = 1000  # Mailchimp's limit for `count`

# What the pull needs of each member; asking for less keeps 1,000-member pages small.
MEMBER_FIELDS = [
    "members.email_address",
    "members.status",
    "members.merge_fields",
    "members.last_changed",
    "members.timestamp_opt",
    "members.tags",
    "total_items",
]

WEBHOOK_EVENTS = {
    "subscribe": True,
    "unsubscribe": True,
    "profile": True,
    "upemail": True,
    "cleaned": True,
    "campaign": True,
}
# Not "api": our own pushes would echo back to us as webhooks.
WEBHOOK_SOURCES = {"user": True, "admin": True, "api": False}


def audience_id() -> str:
    return settings.MAILCHIMP_AUDIENCE_ID


def upsert_member(email: str, body: dict, client=None) -> dict:
    """PUT /lists/{id}/members/{hash}: create or update one member."""
    client = client or get_client()
    return call(client.lists.set_list_member, audience_id(), subscriber_hash(email), body)


def get_member(email: str, client=None) -> dict | None:
    """The member, or None when Mailchimp does not know the address."""
    client = client or get_client()
    try:
        return call(client.lists.get_list_member, audience_id(), subscriber_hash(email))
    except MailchimpError as exc:
        if exc.status == 404:
            return None
        raise


def set_member_tags(email: str, tags: dict[str, bool], client=None) -> None:
    """POST /lists/{id}/members/{hash}/tags: {name: active}."""
    client = client or get_client()
    body = {
        "tags": [
            {"name": name, "status": "active" if active else "inactive"}
            for name, active in tags.items()
        ],
        "is_syncing": True,
    }
    call(client.lists.update_list_member_tags, audience_id(), subscriber_hash(email), body)


def batch_upsert(members: list[dict], client=None) -> dict:
    """POST /lists/{id}: up to 500 members in one call, updating existing ones."""
    if len(members) > BATCH_SIZE:
        raise ValueError(f"at most {BATCH_SIZE} members per batch call")
    client = client or get_client()
    body = {"members": members, "update_existing": True}
    return call(client.lists.batch_list_members, audience_id(), body) or {}


def iter_member_pages(
    *, since_last_changed: str | None = None, page_size: int = PAGE_SIZE, client=None
) -> Iterator[tuple[list[dict], int]]:
    """Yield (members, total_items) for each page fetched (one call each), oldest change first.

    Streams: only one page is held at a time. Stops as soon as the total is reached, so N members
    cost ceil(N / page_size) calls (one call when there is nothing).
    """
    client = client or get_client()
    offset = 0
    while True:
        params = {
            "count": page_size,
            "offset": offset,
            "fields": MEMBER_FIELDS,
            "sort_field": "last_changed",
            "sort_dir": "ASC",
        }
        if since_last_changed:
            params["since_last_changed"] = since_last_changed
        page = call(client.lists.get_list_members_info, audience_id(), **params) or {}
        members = page.get("members") or []
        total = int(page.get("total_items") or 0)
        yield members, total
        offset += len(members)
        if len(members) < page_size or offset >= total:
            return


def delete_member_permanent(member_hash: str, client=None) -> bool:
    """POST …/actions/delete-permanent by member hash (see subscriber_hash()).

    True if deleted, False if Mailchimp does not have the member (404: nothing left to erase).
    """
    client = client or get_client()
    try:
        call(client.lists.delete_list_member_permanent, audience_id(), member_hash)
    except MailchimpError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def list_webhooks(client=None) -> list[dict]:
    client = client or get_client()
    result = call(client.lists.get_list_webhooks, audience_id()) or {}
    return list(result.get("webhooks") or [])


def create_webhook(url: str, client=None) -> dict:
    client = client or get_client()
    body = {"url": url, "events": WEBHOOK_EVENTS, "sources": WEBHOOK_SOURCES}
    return call(client.lists.create_list_webhook, audience_id(), body) or {}


def delete_webhook(webhook_id: str, client=None) -> None:
    client = client or get_client()
    call(client.lists.delete_list_webhook, audience_id(), webhook_id)


def get_audience_settings(client=None) -> dict:
    """GET /lists/{id}: the audience's own settings (name, contact, permission reminder, defaults)."""
    client = client or get_client()
    fields = ["name", "contact", "permission_reminder", "campaign_defaults", "email_type_option"]
    return call(client.lists.get_list, audience_id(), fields=fields)


def update_audience_settings(body: dict, client=None) -> dict:
    """PATCH /lists/{id}: Mailchimp wants the whole set (name, contact, permission reminder,
    campaign defaults, email type option) in every update."""
    client = client or get_client()
    return call(client.lists.update_list, audience_id(), body)
