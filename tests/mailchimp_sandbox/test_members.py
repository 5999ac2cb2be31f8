"""Audience members: upsert, patch, archive, permanent delete, paging, batch, tags, compliance."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from newsletter.mailchimp.client import MailchimpError, call, subscriber_hash

LIST = "testaudience"


def upsert(mc, email, status="subscribed", **extra):
    body = {"email_address": email, "status_if_new": status, **extra}
    return call(mc.lists.set_list_member, LIST, subscriber_hash(email), body)


def test_put_creates_then_updates(mc):
    member = upsert(
        mc,
        "Anna@Example.se",
        merge_fields={"FNAME": "Anna", "ORG": "Bjurholm"},
        ip_signup="192.0.2.1",
    )
    assert member["id"] == subscriber_hash("anna@example.se")
    assert member["status"] == "subscribed"
    assert member["merge_fields"]["FNAME"] == "Anna"
    assert member["ip_signup"] == "192.0.2.1"
    assert member["timestamp_signup"] and member["timestamp_opt"]
    first_changed = member["last_changed"]
    time.sleep(1.05)
    again = upsert(mc, "anna@example.se", merge_fields={"LNAME": "Berg"})
    assert again["id"] == member["id"]
    assert again["merge_fields"] == {"FNAME": "Anna", "LNAME": "Berg", "ORG": "Bjurholm"}
    assert again["last_changed"] > first_changed
    fetched = call(mc.lists.get_list_member, LIST, member["id"])
    assert fetched["full_name"] == "Anna Berg"


def test_put_without_status_if_new_is_invalid(mc, mailchimp_sandbox):
    with mailchimp_sandbox.no_contract(), pytest.raises(MailchimpError) as info:
        call(
            mc.lists.set_list_member,
            LIST,
            subscriber_hash("x@example.se"),
            {"email_address": "x@example.se"},
        )
    assert info.value.status == 400
    assert info.value.title == "Invalid Resource"
    assert info.value.errors[0]["field"] == "status_if_new"


def test_unknown_merge_field_is_refused(mc):
    with pytest.raises(MailchimpError) as info:
        upsert(mc, "y@example.se", merge_fields={"NOPE": "x"})
    assert info.value.status == 400
    assert info.value.detail == "Your merge fields were invalid."


def test_patch_and_unsubscribe_then_compliance_state(mc):
    member = upsert(mc, "bo@example.se")
    changed = call(mc.lists.update_list_member, LIST, member["id"], {"status": "unsubscribed"})
    assert changed["status"] == "unsubscribed"
    with pytest.raises(MailchimpError) as info:
        call(mc.lists.update_list_member, LIST, member["id"], {"status": "subscribed"})
    assert info.value.status == 400
    assert info.value.title == "Member In Compliance State"
    with pytest.raises(MailchimpError):
        call(
            mc.lists.set_list_member,
            LIST,
            member["id"],
            {
                "email_address": "bo@example.se",
                "status_if_new": "subscribed",
                "status": "subscribed",
            },
        )


def test_pending_on_unsubscribed_sends_mailchimps_confirmation(mc, mailchimp_sandbox):
    member = upsert(mc, "cilla@example.se")
    call(mc.lists.update_list_member, LIST, member["id"], {"status": "unsubscribed"})
    pending = call(mc.lists.update_list_member, LIST, member["id"], {"status": "pending"})
    assert pending["status"] == "pending"
    [mail] = mailchimp_sandbox.messages(to="cilla@example.se", kind="optin")
    assert "Bekräfta" in mail["subject"]
    # Following the confirmation link subscribes the member, as the real double opt-in does.
    assert requests.get(mail["confirm_url"], timeout=5).status_code == 200
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "subscribed"


def test_new_pending_member_gets_confirmation(mc, mailchimp_sandbox):
    upsert(mc, "dag@example.se", status="pending")
    assert len(mailchimp_sandbox.messages(to="dag@example.se", kind="optin")) == 1


def test_archive_and_permanent_delete(mc):
    member = upsert(mc, "eva@example.se")
    call(mc.lists.delete_list_member, LIST, member["id"])
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "archived"
    call(mc.lists.delete_list_member_permanent, LIST, member["id"])
    with pytest.raises(MailchimpError) as info:
        call(mc.lists.get_list_member, LIST, member["id"])
    assert info.value.status == 404
    # A forgotten address cannot be re-imported as subscribed, only re-confirmed (pending).
    with pytest.raises(MailchimpError) as info:
        upsert(mc, "eva@example.se")
    assert info.value.title == "Forgotten Email Not Subscribed"
    assert upsert(mc, "eva@example.se", status="pending")["status"] == "pending"


def test_post_member_twice_is_member_exists(mc):
    call(mc.lists.add_list_member, LIST, {"email_address": "f@example.se", "status": "subscribed"})
    with pytest.raises(MailchimpError) as info:
        call(
            mc.lists.add_list_member,
            LIST,
            {"email_address": "f@example.se", "status": "subscribed"},
        )
    assert info.value.title == "Member Exists"


def test_invalid_email(mc):
    with pytest.raises(MailchimpError) as info:
        call(mc.lists.add_list_member, LIST, {"email_address": "nope", "status": "subscribed"})
    assert info.value.errors[0]["field"] == "email_address"


def test_paging_status_and_since_last_changed(mc, mailchimp_sandbox):
    batch = [{"email_address": f"p{i}@example.se", "status": "subscribed"} for i in range(25)]
    call(mc.lists.batch_list_members, LIST, {"members": batch})
    call(
        mc.lists.update_list_member,
        LIST,
        subscriber_hash("p3@example.se"),
        {"status": "unsubscribed"},
    )
    page = call(mc.lists.get_list_members_info, LIST, count=10, offset=20)
    assert page["total_items"] == 25
    assert [m["email_address"] for m in page["members"]] == [
        f"p{i}@example.se" for i in range(20, 25)
    ]
    unsub = call(mc.lists.get_list_members_info, LIST, status="unsubscribed")
    assert [m["email_address"] for m in unsub["members"]] == ["p3@example.se"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert call(mc.lists.get_list_members_info, LIST, since_last_changed=future)["total_items"] == 0
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert call(mc.lists.get_list_members_info, LIST, since_last_changed=past)["total_items"] == 25
    assert call(mc.lists.get_list_members_info, LIST, count=1000)["total_items"] == 25
    # The SDK refuses count > 1000 itself; the server must too.
    with mailchimp_sandbox.no_contract():
        too_many = requests.get(
            f"{mailchimp_sandbox.api_url}/lists/{LIST}/members",
            params={"count": 1001},
            auth=("u", "k-us1"),
            timeout=5,
        )
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["field"] == "count"


def test_batch_subscribe_reports_created_updated_and_errors(mc):
    upsert(mc, "old@example.se")
    gone = upsert(mc, "gone@example.se")
    call(mc.lists.update_list_member, LIST, gone["id"], {"status": "unsubscribed"})
    result = call(
        mc.lists.batch_list_members,
        LIST,
        {
            "members": [
                {
                    "email_address": "new@example.se",
                    "status": "subscribed",
                    "merge_fields": {"FNAME": "Ny"},
                },
                {
                    "email_address": "old@example.se",
                    "status": "subscribed",
                    "merge_fields": {"FNAME": "Gammal"},
                },
                {"email_address": "gone@example.se", "status": "subscribed"},
            ],
            "update_existing": True,
        },
    )
    assert result["total_created"] == 1
    assert result["total_updated"] == 1
    assert result["error_count"] == 1
    assert result["errors"][0]["email_address"] == "gone@example.se"
    assert "compliance state" in result["errors"][0]["error"]
    assert result["updated_members"][0]["merge_fields"]["FNAME"] == "Gammal"
    without_update = call(
        mc.lists.batch_list_members,
        LIST,
        {
            "members": [{"email_address": "old@example.se", "status": "subscribed"}],
        },
    )
    assert without_update["errors"][0]["error_code"] == "ERROR_CONTACT_EXISTS"


def test_batch_over_500_is_400(mc):
    members = [{"email_address": f"b{i}@example.se", "status": "subscribed"} for i in range(501)]
    with pytest.raises(MailchimpError) as info:
        call(mc.lists.batch_list_members, LIST, {"members": members})
    assert info.value.status == 400


def test_tags_make_static_segments(mc):
    member = upsert(mc, "tag@example.se")
    call(
        mc.lists.update_list_member_tags,
        LIST,
        member["id"],
        {"tags": [{"name": "Styrelse", "status": "active"}]},
    )
    fetched = call(mc.lists.get_list_member, LIST, member["id"])
    assert [t["name"] for t in fetched["tags"]] == ["Styrelse"]
    segments = call(mc.lists.list_segments, LIST)["segments"]
    assert segments[0]["name"] == "Styrelse"
    assert segments[0]["member_count"] == 1
    assert segments[0]["type"] == "static"
    call(
        mc.lists.update_list_member_tags,
        LIST,
        member["id"],
        {"tags": [{"name": "Styrelse", "status": "inactive"}]},
    )
    assert call(mc.lists.get_list_member, LIST, member["id"])["tags"] == []


def test_email_change_moves_member(mc):
    member = upsert(mc, "old.name@example.se")
    changed = call(
        mc.lists.update_list_member, LIST, member["id"], {"email_address": "new.name@example.se"}
    )
    assert changed["id"] == subscriber_hash("new.name@example.se")
    with pytest.raises(MailchimpError):
        call(mc.lists.get_list_member, LIST, member["id"])


def test_fields_and_exclude_fields(mc):
    upsert(mc, "f1@example.se", merge_fields={"FNAME": "Frida"})
    only = call(
        mc.lists.get_list_members_info,
        LIST,
        fields=["members.email_address", "members.merge_fields.FNAME", "total_items"],
    )
    assert only == {
        "members": [{"email_address": "f1@example.se", "merge_fields": {"FNAME": "Frida"}}],
        "total_items": 1,
    }
    without = call(
        mc.lists.get_list_member, LIST, "f1@example.se", exclude_fields=["_links", "stats"]
    )
    assert "stats" not in without and "_links" not in without and without["status"] == "subscribed"
