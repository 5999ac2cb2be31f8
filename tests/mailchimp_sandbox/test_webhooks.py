"""Audience webhooks: validation GET, form-encoded events, events/sources filters, retries."""

import re

import pytest

from newsletter.mailchimp.client import MailchimpError, call, subscriber_hash

LIST = "testaudience"


def register(mc, url, **extra):
    body = {"url": url, "events": {}, "sources": {"user": True, "admin": True, "api": True}}
    body.update(extra)
    return call(mc.lists.create_list_webhook, LIST, body)


def test_creating_a_webhook_validates_the_url_with_a_get(mc, receiver):
    hook = register(mc, receiver.url)
    [validation] = receiver.calls
    assert validation["method"] == "GET"
    assert validation["headers"]["User-Agent"] == "MailChimp.com WebHook Validator"
    assert hook["url"] == receiver.url
    assert all(hook["events"].values())
    listed = call(mc.lists.get_list_webhooks, LIST)
    assert [w["id"] for w in listed["webhooks"]] == [hook["id"]]
    call(mc.lists.delete_list_webhook, LIST, hook["id"])
    assert call(mc.lists.get_list_webhooks, LIST)["total_items"] == 0


def test_url_that_does_not_answer_200_is_refused(mc, receiver):
    receiver.get_status = 404
    with pytest.raises(MailchimpError) as info:
        register(mc, receiver.url)
    assert info.value.status == 400
    assert info.value.errors[0]["field"] == "url"
    assert "404" in info.value.errors[0]["message"]


def test_subscribe_profile_upemail_unsubscribe_events_are_form_encoded(
    mc, receiver, mailchimp_sandbox
):
    register(mc, receiver.url)
    body = {
        "email_address": "w@example.se",
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Wilma"},
    }
    member = call(mc.lists.set_list_member, LIST, subscriber_hash("w@example.se"), body)
    call(mc.lists.update_list_member, LIST, member["id"], {"merge_fields": {"LNAME": "W"}})
    moved = call(
        mc.lists.update_list_member, LIST, member["id"], {"email_address": "w2@example.se"}
    )
    call(mc.lists.update_list_member, LIST, moved["id"], {"status": "unsubscribed"})
    assert mailchimp_sandbox.wait_for_webhooks()
    posts = receiver.posts()
    assert [p["form"]["type"] for p in posts] == ["subscribe", "profile", "upemail", "unsubscribe"]
    for post in posts:
        assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", post["form"]["fired_at"])
        assert post["path"] == "/hook/secret"
    subscribe = posts[0]["form"]
    assert subscribe["data[email]"] == "w@example.se"
    assert subscribe["data[list_id]"] == LIST
    assert subscribe["data[merges][FNAME]"] == "Wilma"
    assert subscribe["data[id]"] == member["unique_email_id"]
    assert posts[2]["form"]["data[old_email]"] == "w@example.se"
    assert posts[2]["form"]["data[new_email]"] == "w2@example.se"
    unsub = posts[3]["form"]
    assert unsub["data[action]"] == "unsub"
    assert unsub["data[reason]"] == "manual"
    assert "data[campaign_id]" in unsub


def test_events_and_sources_are_honoured(mc, receiver, mailchimp_sandbox):
    # Mailchimp's default leaves out changes made through the API.
    call(mc.lists.create_list_webhook, LIST, {"url": receiver.url})
    call(
        mc.lists.set_list_member,
        LIST,
        subscriber_hash("s@example.se"),
        {"email_address": "s@example.se", "status_if_new": "subscribed"},
    )
    mailchimp_sandbox.wait_for_webhooks()
    assert receiver.posts() == []
    hook = call(mc.lists.get_list_webhooks, LIST)["webhooks"][0]
    assert hook["sources"] == {"user": True, "admin": True, "api": False}
    call(mc.lists.delete_list_webhook, LIST, hook["id"])
    register(mc, receiver.url, events={"subscribe": False})
    call(
        mc.lists.set_list_member,
        LIST,
        subscriber_hash("t@example.se"),
        {"email_address": "t@example.se", "status_if_new": "subscribed"},
    )
    call(
        mc.lists.update_list_member,
        LIST,
        subscriber_hash("t@example.se"),
        {"status": "unsubscribed"},
    )
    mailchimp_sandbox.wait_for_webhooks()
    assert [p["form"]["type"] for p in receiver.posts()] == ["unsubscribe"]


def test_failed_delivery_is_retried(mc, receiver, mailchimp_sandbox):
    register(mc, receiver.url)
    receiver.post_statuses = [500, 503]
    call(
        mc.lists.set_list_member,
        LIST,
        subscriber_hash("r@example.se"),
        {"email_address": "r@example.se", "status_if_new": "subscribed"},
    )
    assert mailchimp_sandbox.wait_for_webhooks(timeout=10)
    assert [c["answered"] for c in receiver.calls if c["method"] == "POST"] == [500, 503, 200]
    [delivery] = mailchimp_sandbox.state.webhook_deliveries
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3


def test_delivery_gives_up_after_the_retries(mc, receiver, mailchimp_sandbox):
    register(mc, receiver.url)
    receiver.post_statuses = [500] * 10
    call(
        mc.lists.set_list_member,
        LIST,
        subscriber_hash("q@example.se"),
        {"email_address": "q@example.se", "status_if_new": "subscribed"},
    )
    assert mailchimp_sandbox.wait_for_webhooks(timeout=10)
    [delivery] = mailchimp_sandbox.state.webhook_deliveries
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 1 + len(mailchimp_sandbox.webhooks.retry_delays)


def test_admin_changes_fire_with_admin_source(mc, receiver, mailchimp_sandbox):
    import requests

    call(mc.lists.create_list_webhook, LIST, {"url": receiver.url})  # user + admin, not api
    call(
        mc.lists.set_list_member,
        LIST,
        subscriber_hash("adm@example.se"),
        {"email_address": "adm@example.se", "status_if_new": "subscribed"},
    )
    response = requests.post(
        f"{mailchimp_sandbox.base_url}/_sandbox/lists/{LIST}/members/adm@example.se/admin",
        json={"status": "unsubscribed"},
        timeout=5,
    )
    assert response.json()["status"] == "unsubscribed"
    mailchimp_sandbox.wait_for_webhooks()
    [post] = receiver.posts()
    assert post["form"]["type"] == "unsubscribe"
    assert post["form"]["data[email]"] == "adm@example.se"
