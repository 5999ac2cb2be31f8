"""Campaigns: CRUD, content, send checklist, tests, schedule, send, and every refusal."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from newsletter.mailchimp.client import MailchimpError, call

from .helpers import GOOD_HTML, LIST, ready_campaign, subscribe

SETTINGS = {"subject_line": "", "from_name": "SmåKom", "reply_to": "info@smakom.se"}


def next_quarter(minutes_ahead=30):
    moment = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=minutes_ahead)
    return moment.replace(minute=(moment.minute // 15) * 15)


def test_create_get_list_patch_delete(mc):
    campaign = call(
        mc.campaigns.create,
        {
            "type": "regular",
            "recipients": {"list_id": LIST},
            "settings": {
                "subject_line": "Hej",
                "from_name": "SmåKom",
                "reply_to": "info@smakom.se",
            },
            "tracking": {"opens": True, "html_clicks": True},
        },
    )
    assert campaign["status"] == "save"
    assert campaign["settings"]["subject_line"] == "Hej"
    assert campaign["recipients"]["list_name"] == "SmåKom nyhetsbrev"
    assert call(mc.campaigns.get, campaign["id"])["id"] == campaign["id"]
    patched = call(
        mc.campaigns.update,
        campaign["id"],
        {
            "settings": {
                "subject_line": "Hej igen",
                "title": "T",
                "from_name": "SmåKom",
                "reply_to": "info@smakom.se",
            }
        },
    )
    assert patched["settings"]["subject_line"] == "Hej igen"
    assert patched["settings"]["from_name"] == "SmåKom"
    listed = call(mc.campaigns.list, status="save")
    assert [c["id"] for c in listed["campaigns"]] == [campaign["id"]]
    call(mc.campaigns.remove, campaign["id"])
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.get, campaign["id"])
    assert info.value.status == 404


def test_create_with_unknown_list_is_invalid(mc):
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.create, {"type": "regular", "recipients": {"list_id": "nope"}})
    assert info.value.errors[0]["field"] == "recipients.list_id"


def test_content_roundtrip_and_plain_text_made_from_html(mc):
    campaign = ready_campaign(mc)
    content = call(mc.campaigns.get_content, campaign["id"])
    assert content["html"] == GOOD_HTML
    assert "Läs mer (https://www.smakom.se/nyheter/a/)" in content["plain_text"]
    call(
        mc.campaigns.set_content,
        campaign["id"],
        {"html": GOOD_HTML, "plain_text": "Text *|UNSUB|*"},
    )
    assert call(mc.campaigns.get_content, campaign["id"])["plain_text"] == "Text *|UNSUB|*"


@pytest.mark.parametrize(
    "overrides, html, missing",
    [
        ({"reply_to": ""}, GOOD_HTML, "Reply-to address"),
        ({"subject_line": ""}, GOOD_HTML, "Subject line"),
        ({}, GOOD_HTML.replace("*|UNSUB|*", "#"), "Unsubscribe link"),
        ({}, GOOD_HTML.replace("*|LIST:ADDRESSLINE|*", ""), "Postal address"),
    ],
)
def test_checklist_and_send_refusals(mc, overrides, html, missing):
    campaign = ready_campaign(mc, html=html, **overrides)
    checklist = call(mc.campaigns.get_send_checklist, campaign["id"])
    assert checklist["is_ready"] is False
    errors = [i["heading"] for i in checklist["items"] if i["type"] == "error"]
    assert errors == [missing]
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.send, campaign["id"])
    assert info.value.status == 400
    assert "not ready" in info.value.detail
    with pytest.raises(MailchimpError):
        call(mc.campaigns.schedule, campaign["id"], {"schedule_time": next_quarter().isoformat()})
    assert call(mc.campaigns.get, campaign["id"])["status"] == "save"


@pytest.mark.parametrize("tag", ["*|LIST:ADDRESS|*", "*|HTML:LIST_ADDRESS_HTML|*"])
def test_other_address_tags_satisfy_the_checklist(mc, tag):
    campaign = ready_campaign(mc, html=GOOD_HTML.replace("*|LIST:ADDRESSLINE|*", tag))
    assert call(mc.campaigns.get_send_checklist, campaign["id"])["is_ready"] is True


def test_test_email_goes_to_inbox_with_test_prefix(mc, mailchimp_sandbox):
    subscribe(mc, "anna@example.se", "Anna")
    campaign = ready_campaign(mc)
    call(
        mc.campaigns.send_test_email,
        campaign["id"],
        {"test_emails": ["anna@example.se", "redaktor@smakom.se"], "send_type": "html"},
    )
    mails = mailchimp_sandbox.messages(kind="test")
    assert [m["to"] for m in mails] == ["anna@example.se", "redaktor@smakom.se"]
    assert mails[0]["subject"] == "[Test] Nyhetsbrev april"
    assert "Hej Anna" in mails[0]["html"]
    assert mails[0]["campaign_id"] == campaign["id"]
    call(
        mc.campaigns.send_test_email,
        campaign["id"],
        {"test_emails": ["x@example.se"], "send_type": "plaintext"},
    )
    plain = mailchimp_sandbox.messages(to="x@example.se")[0]
    assert plain["html"] == "" and "Avregistrera" in plain["text"]
    assert call(mc.campaigns.get, campaign["id"])["status"] == "save"


def test_test_email_limits(mc):
    campaign = ready_campaign(mc)
    seven = [f"t{i}@example.se" for i in range(7)]
    with pytest.raises(MailchimpError) as info:
        call(
            mc.campaigns.send_test_email,
            campaign["id"],
            {"test_emails": seven, "send_type": "html"},
        )
    assert info.value.status == 400
    assert "6" in info.value.detail
    for _ in range(12):
        call(
            mc.campaigns.send_test_email,
            campaign["id"],
            {"test_emails": ["t@example.se"], "send_type": "html"},
        )
    with pytest.raises(MailchimpError) as info:
        call(
            mc.campaigns.send_test_email,
            campaign["id"],
            {"test_emails": ["t@example.se"], "send_type": "html"},
        )
    assert "12" in info.value.detail
    other = ready_campaign(mc)
    for _ in range(12):
        call(
            mc.campaigns.send_test_email,
            other["id"],
            {"test_emails": ["t@example.se"], "send_type": "html"},
        )
    third = ready_campaign(mc)
    with pytest.raises(MailchimpError) as info:
        call(
            mc.campaigns.send_test_email,
            third["id"],
            {"test_emails": ["t@example.se"], "send_type": "html"},
        )
    assert "daily limit of 24" in info.value.detail


def test_schedule_rules_and_unschedule(mc):
    campaign = ready_campaign(mc)
    off_quarter = next_quarter() + timedelta(minutes=7)
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.schedule, campaign["id"], {"schedule_time": off_quarter.isoformat()})
    assert "quarter-hour" in info.value.errors[0]["message"]
    past = next_quarter(minutes_ahead=-60)
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.schedule, campaign["id"], {"schedule_time": past.isoformat()})
    assert "future" in info.value.errors[0]["message"]
    when = next_quarter()
    call(mc.campaigns.schedule, campaign["id"], {"schedule_time": when.isoformat()})
    scheduled = call(mc.campaigns.get, campaign["id"])
    assert scheduled["status"] == "schedule"
    assert datetime.fromisoformat(scheduled["send_time"]) == when
    with pytest.raises(MailchimpError):
        call(mc.campaigns.send, campaign["id"])
    call(mc.campaigns.unschedule, campaign["id"])
    assert call(mc.campaigns.get, campaign["id"])["status"] == "save"
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.unschedule, campaign["id"])
    assert info.value.status == 400


def test_scheduled_campaign_is_delivered_when_due(mc, mailchimp_sandbox):
    subscribe(mc, "due@example.se", "Due")
    campaign = ready_campaign(mc)
    call(mc.campaigns.schedule, campaign["id"], {"schedule_time": next_quarter().isoformat()})
    response = requests.post(
        f"{mailchimp_sandbox.base_url}/_sandbox/campaigns/{campaign['id']}/deliver", timeout=5
    )
    assert response.json()["status"] == "sent"
    assert call(mc.campaigns.get, campaign["id"])["status"] == "sent"
    assert [m["to"] for m in mailchimp_sandbox.messages(kind="campaign")] == ["due@example.se"]


def test_scheduled_campaign_goes_out_by_the_clock(mc, mailchimp_sandbox):
    import time

    import time_machine

    subscribe(mc, "clock@example.se")
    campaign = ready_campaign(mc)
    when = next_quarter(minutes_ahead=16)
    call(mc.campaigns.schedule, campaign["id"], {"schedule_time": when.isoformat()})
    with time_machine.travel(when + timedelta(seconds=5), tick=True):
        deadline = time.monotonic() + 5
        while call(mc.campaigns.get, campaign["id"])["status"] != "sent":
            assert time.monotonic() < deadline, "the sandbox's clock did not send it"
            time.sleep(0.2)


def test_send_and_never_twice(mc, mailchimp_sandbox):
    for i in range(3):
        subscribe(mc, f"s{i}@example.se")
    campaign = ready_campaign(mc)
    call(mc.campaigns.send, campaign["id"])
    sent = call(mc.campaigns.get, campaign["id"])
    assert sent["status"] == "sent"
    assert sent["emails_sent"] == 3
    assert sent["send_time"]
    with pytest.raises(MailchimpError) as info:
        call(mc.campaigns.send, campaign["id"])
    assert info.value.status == 400
    assert "already been sent" in info.value.detail
    with pytest.raises(MailchimpError):
        call(
            mc.campaigns.update, campaign["id"], {"settings": SETTINGS | {"subject_line": "Ändrad"}}
        )
    with pytest.raises(MailchimpError):
        call(mc.campaigns.set_content, campaign["id"], {"html": GOOD_HTML})
    with pytest.raises(MailchimpError):
        call(mc.campaigns.schedule, campaign["id"], {"schedule_time": next_quarter().isoformat()})
    assert len(mailchimp_sandbox.messages(kind="campaign")) == 3


def test_cancel_send_while_sending(mc, mailchimp_sandbox):
    subscribe(mc, "c@example.se")
    campaign = ready_campaign(mc)
    mailchimp_sandbox.send_delay = 5
    try:
        call(mc.campaigns.send, campaign["id"])
        assert call(mc.campaigns.get, campaign["id"])["status"] == "sending"
        with pytest.raises(MailchimpError):
            call(mc.campaigns.send, campaign["id"])
        call(mc.campaigns.cancel_send, campaign["id"])
    finally:
        mailchimp_sandbox.send_delay = 0
    assert call(mc.campaigns.get, campaign["id"])["status"] == "canceled"
    assert mailchimp_sandbox.deliver_due(campaign["id"], force=True) == 0
    assert mailchimp_sandbox.messages(kind="campaign") == []
    with pytest.raises(MailchimpError):
        call(mc.campaigns.cancel_send, campaign["id"])


def test_send_to_a_tag_only(mc, mailchimp_sandbox):
    board = subscribe(mc, "board@example.se")
    subscribe(mc, "other@example.se")
    call(
        mc.lists.update_list_member_tags,
        LIST,
        board["id"],
        {"tags": [{"name": "Styrelse", "status": "active"}]},
    )
    [segment] = call(mc.lists.list_segments, LIST)["segments"]
    campaign = ready_campaign(mc)
    updated = call(
        mc.campaigns.update,
        campaign["id"],
        {
            "recipients": {"list_id": LIST, "segment_opts": {"saved_segment_id": segment["id"]}},
            "settings": SETTINGS | {"subject_line": "Till styrelsen"},
        },
    )
    assert updated["recipients"]["recipient_count"] == 1
    call(mc.campaigns.send, campaign["id"])
    assert [m["to"] for m in mailchimp_sandbox.messages(kind="campaign")] == ["board@example.se"]


def test_static_segment_condition(mc, mailchimp_sandbox):
    board = subscribe(mc, "b2@example.se")
    subscribe(mc, "o2@example.se")
    call(
        mc.lists.update_list_member_tags,
        LIST,
        board["id"],
        {"tags": [{"name": "Medlem", "status": "active"}]},
    )
    tag_id = call(mc.lists.list_segments, LIST)["segments"][0]["id"]
    campaign = ready_campaign(mc)
    call(
        mc.campaigns.update,
        campaign["id"],
        {
            "recipients": {
                "list_id": LIST,
                "segment_opts": {
                    "match": "any",
                    "conditions": [
                        {
                            "condition_type": "StaticSegment",
                            "field": "static_segment",
                            "op": "static_is",
                            "value": tag_id,
                        }
                    ],
                },
            },
            "settings": SETTINGS | {"subject_line": "Medlemmar"},
        },
    )
    call(mc.campaigns.send, campaign["id"])
    assert [m["to"] for m in mailchimp_sandbox.messages(kind="campaign")] == ["b2@example.se"]


def test_unknown_segment_is_refused(mc):
    campaign = ready_campaign(mc)
    with pytest.raises(MailchimpError) as info:
        call(
            mc.campaigns.update,
            campaign["id"],
            {
                "recipients": {"list_id": LIST, "segment_opts": {"saved_segment_id": 999}},
                "settings": SETTINGS | {"subject_line": "x"},
            },
        )
    assert info.value.errors[0]["field"] == "recipients.segment_opts.saved_segment_id"


def test_report_summary_on_the_sent_campaign(mc, mailchimp_sandbox):
    subscribe(mc, "rs@example.se")
    campaign = ready_campaign(mc)
    call(mc.campaigns.send, campaign["id"])
    requests.post(
        f"{mailchimp_sandbox.base_url}/_sandbox/campaigns/{campaign['id']}/activity",
        json={"events": [{"type": "open", "email": "rs@example.se"}]},
        timeout=5,
    )
    summary = call(mc.campaigns.get, campaign["id"])["report_summary"]
    assert summary["unique_opens"] == 1 and summary["open_rate"] == 1


def test_schedule_time_with_offset_is_stored_in_utc(mc):
    from zoneinfo import ZoneInfo

    campaign = ready_campaign(mc)
    when = next_quarter(minutes_ahead=120)
    local = when.astimezone(ZoneInfo("Europe/Stockholm"))
    call(mc.campaigns.schedule, campaign["id"], {"schedule_time": local.isoformat()})
    assert call(mc.campaigns.get, campaign["id"])["send_time"] == when.isoformat()
