"""Every audience call we make to Mailchimp: members, batch subscribe, member pages, webhooks.

Thin wrappers over the SDK (through `get_client()`/`call()`, so every failure is a MailchimpError);
what to send and how to reconcile lives in newsletter.services.sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

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


def patch_member(email: str, body: dict, client=None) -> dict:
    """PATCH /lists/{id}/members/{hash}: change fields of an existing member."""
    client = client or get_client()
    return call(client.lists.update_list_member, audience_id(), subscriber_hash(email), body)


def change_member_address(old_email: str, new_email: str, client=None) -> dict:
    """The member known as `old_email` gets the address `new_email` (the same member: its
    history, status and consent stay). 404 if Mailchimp has no such member; 400 "Member Exists"
    if the new address is already one."""
    return patch_member(old_email, {"email_address": new_email}, client=client)


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
    *, since_last_changed: str | None = None, page_size: int | None = None, client=None
) -> Iterator[tuple[list[dict], int]]:
    """Yield (members, total_items) for each page fetched (one call each), oldest change first.

    Keyset pagination: each page asks for the members changed since the newest `last_changed`
    read so far (`since_last_changed`, sorted by last_changed ascending), skipping only those of
    that same second already read. A member that changes during the pull moves to the end (its
    new last_changed is newer) and is read again there; nobody shifts past a page boundary
    unread, as with plain offsets. Within one second the order is Mailchimp's (stable): each
    page re-reads the last member of the page before, and if it is not where it was (a member
    of that second changed meanwhile), that second is read again from its start. Reading a
    member twice is harmless (applying is idempotent).

    Streams: only one page is held at a time. N members cost about N / (page_size - 1) calls.
    """
    client = client or get_client()
    page_size = page_size or PAGE_SIZE
    edge = since_last_changed  # the newest last_changed read so far (as Mailchimp writes it)
    skip = 0  # members read whose last_changed is exactly `edge`
    last_read = None  # (email, last_changed) of the last member read
    read = 0
    while True:
        overlap = 1 if skip and last_read else 0
        params = {
            "count": page_size,
            "offset": skip - overlap,
            "fields": MEMBER_FIELDS,
            "sort_field": "last_changed",
            "sort_dir": "ASC",
        }
        if edge:
            params["since_last_changed"] = edge
        page = call(client.lists.get_list_members_info, audience_id(), **params) or {}
        members = page.get("members") or []
        total = read + int(page.get("total_items") or 0) - (skip - overlap)
        full = len(members) >= page_size
        if overlap:
            first = members[0] if members else {}
            if (first.get("email_address"), first.get("last_changed")) != last_read:
                # A member of that second changed meanwhile: read the second again from its start.
                skip, last_read = 0, None
                yield [], total
                continue
            members = members[1:]
        for member in members:
            changed = member.get("last_changed") or ""
            if edge and changed == edge:
                skip += 1
            elif changed and (not edge or _later(changed, edge)):
                edge, skip = changed, 1
            last_read = (member.get("email_address"), member.get("last_changed"))
        read += len(members)
        yield members, total
        if not full:
            return


def _later(a: str, b: str) -> bool:
    try:
        return datetime.fromisoformat(a) > datetime.fromisoformat(b)
    except ValueError:
        return a > b


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
