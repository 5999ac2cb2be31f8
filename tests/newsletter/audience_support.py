"""Helpers for the audience sync tests (test_audience*, test_sync*, test_webhook*)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from newsletter.mailchimp import audience
from newsletter.mailchimp.client import get_client
from newsletter.models import Subscriber

WEBHOOK_PATH = "/newsletter/webhooks/mailchimp/"
FORM = "application/x-www-form-urlencoded"


def make_subscriber(email: str, status: str = Subscriber.Status.SUBSCRIBED, **fields) -> Subscriber:
    fields.setdefault("first_name", "Anna")
    fields.setdefault("last_name", "Andersson")
    fields.setdefault("organisation", "Grästorps kommun")
    return Subscriber.objects.create(email=email, status=status, **fields)


def hours_ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def mc_member(email: str) -> dict | None:
    return audience.get_member(email)


def mc_put(email: str, status: str, **merges) -> dict:
    """Set a member's state directly in the sandbox, as an editor in Mailchimp would."""
    body = {"email_address": email, "status_if_new": status, "status": status}
    if merges:
        body["merge_fields"] = merges
    return audience.upsert_member(email, body)


def mc_unsubscribe(email: str) -> dict:
    client = get_client()
    return client.lists.update_list_member(
        audience.audience_id(), audience.subscriber_hash(email), {"status": "unsubscribed"}
    )


def api_calls(server, method: str | None = None, path_part: str = "") -> list[dict]:
    return [
        r
        for r in server.requests
        if r.get("api") == "marketing"
        and (method is None or r["method"] == method)
        and path_part in r["path"]
    ]


def post_event(client, fields: dict | list, key: str = "test-webhook-secret", **extra):
    body = urlencode(fields)
    return client.post(f"{WEBHOOK_PATH}?key={key}", data=body, content_type=FORM, **extra)


def event(kind: str, fired_at: str = "2026-01-10 10:00:00", **data) -> dict:
    fields = {"type": kind, "fired_at": fired_at, "data[list_id]": "testaudience"}
    for key, value in data.items():
        if key.startswith("merges_"):
            fields[f"data[merges][{key[7:]}]"] = value
        else:
            fields[f"data[{key}]"] = value
    return fields
