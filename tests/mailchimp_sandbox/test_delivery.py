"""What a send delivers: merge tags per member, headers, the inbox, unsubscribe, reports."""

import re
from datetime import UTC, datetime
from html import unescape

import requests

from newsletter.mailchimp.client import call

from .helpers import LIST, ready_campaign, subscribe


def href(html, text):
    match = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", html)
    assert match, f"no link {text!r}"
    return unescape(match.group(1))


def send(mc, mailchimp_sandbox, **settings):
    campaign = ready_campaign(mc, **settings)
    call(mc.campaigns.send, campaign["id"])
    return campaign


def test_merge_tags_are_resolved_per_member(mc, mailchimp_sandbox):
    subscribe(mc, "anna@example.se", "Anna", "Åberg")
    subscribe(mc, "bertil@example.se", "Bertil <b>", "")
    subscribe(mc, "pending@example.se", status="pending")
    gone = subscribe(mc, "gone@example.se")
    call(mc.lists.update_list_member, LIST, gone["id"], {"status": "unsubscribed"})
    campaign = send(mc, mailchimp_sandbox, subject_line="Hej *|FNAME|*")
    mails = mailchimp_sandbox.messages(kind="campaign")
    assert [m["to"] for m in mails] == ["anna@example.se", "bertil@example.se"]
    anna, bertil = mails
    assert anna["subject"] == "Hej Anna"
    assert "<p>Hej Anna Åberg!</p>" in anna["html"]
    assert "Hej Bertil &lt;b&gt; !" in bertil["html"]  # merge values are escaped in HTML
    assert "anna@example.se ·" in anna["html"]
    assert "SmåKom, Box 123, 111 22 Stockholm, Sweden" in anna["html"]
    assert f"© {datetime.now(UTC).year}" in anna["html"]
    assert "*|UNKNOWN_TAG|*" in anna["html"]  # unknown tags stay, as Mailchimp leaves them
    assert 'class="mcnPreviewText"' in anna["html"] and "Det här händer i april" in anna["html"]
    assert href(anna["html"], "Webbversion") == campaign["archive_url"]
    unsub_anna = href(anna["html"], "Avregistrera")
    assert unsub_anna != href(bertil["html"], "Avregistrera")
    assert anna["headers"]["List-Unsubscribe"].startswith(f"<{unsub_anna}>")
    assert anna["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert anna["headers"]["Reply-To"] == "info@smakom.se"
    assert anna["campaign_id"] == campaign["id"]
    assert "Avregistrera" in anna["text"] and unsub_anna in anna["text"]
    # The archive page shows the campaign to anyone.
    archive = requests.get(campaign["archive_url"], timeout=5)
    assert archive.status_code == 200 and "Läs mer" in archive.text


def test_inbox_json_and_pages(mc, mailchimp_sandbox):
    subscribe(mc, "anna@example.se", "Anna")
    campaign = send(mc, mailchimp_sandbox)
    base = mailchimp_sandbox.base_url
    data = requests.get(f"{base}/_sandbox/inbox.json", timeout=5).json()
    [message] = data["messages"]
    assert set(message) >= {
        "to",
        "subject",
        "html",
        "text",
        "headers",
        "campaign_id",
        "sent_at",
        "kind",
        "id",
    }
    assert message["kind"] == "campaign" and message["campaign_id"] == campaign["id"]
    listing = requests.get(f"{base}/_sandbox/inbox", timeout=5)
    assert listing.status_code == 200
    assert f'href="/_sandbox/inbox/{message["id"]}"' in listing.text
    assert "Nyhetsbrev april" in listing.text
    page = requests.get(f"{base}/_sandbox/inbox/{message['id']}", timeout=5)
    assert page.status_code == 200 and "List-Unsubscribe" in page.text
    shown = requests.get(f"{base}/_sandbox/inbox/{message['id']}/html", timeout=5).text
    assert '<base target="_top">' in shown
    assert "/_sandbox/track/click/" in shown  # links go through click tracking
    assert "/unsubscribe?" in shown  # … but not the unsubscribe link
    assert requests.get(f"{base}/_sandbox/inbox/999", timeout=5).status_code == 404


def test_unsubscribe_page_unsubscribes_and_fires_form_encoded_webhook(
    mc, mailchimp_sandbox, receiver
):
    call(mc.lists.create_list_webhook, LIST, {"url": receiver.url})  # user source by default
    member = subscribe(mc, "anna@example.se", "Anna")
    campaign = send(mc, mailchimp_sandbox)
    [mail] = mailchimp_sandbox.messages(kind="campaign")
    url = href(mail["html"], "Avregistrera")
    confirm_page = requests.get(url, timeout=5)
    assert confirm_page.status_code == 200
    assert "anna@example.se" in confirm_page.text and "<form" in confirm_page.text
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "subscribed"
    done = requests.post(url, timeout=5)
    # The audience is Swedish (campaign_defaults.language "sv"): so is Mailchimp's page.
    assert done.status_code == 200 and "Du är avregistrerad" in done.text
    assert 'lang="sv"' in done.text and "Unsubscribe" not in done.text
    stored = call(mc.lists.get_list_member, LIST, member["id"])
    assert stored["status"] == "unsubscribed"
    assert stored["unsubscribe_reason"]
    assert mailchimp_sandbox.wait_for_webhooks()
    [post] = [p for p in receiver.posts() if p["form"]["type"] == "unsubscribe"]
    assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    form = post["form"]
    assert form["type"] == "unsubscribe"
    assert form["data[action]"] == "unsub"
    assert form["data[reason]"] == "manual"
    assert form["data[campaign_id]"] == campaign["id"]
    assert form["data[email]"] == "anna@example.se"
    assert form["data[list_id]"] == LIST
    assert form["data[merges][FNAME]"] == "Anna"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", form["fired_at"])
    report = call(mc.reports.get_campaign_report, campaign["id"])
    assert report["unsubscribed"] == 1
    unsubs = call(mc.reports.get_unsubscribed_list_for_campaign, campaign["id"])
    assert [u["email_address"] for u in unsubs["unsubscribes"]] == ["anna@example.se"]


def test_one_click_unsubscribe_from_header(mc, mailchimp_sandbox):
    member = subscribe(mc, "oc@example.se")
    send(mc, mailchimp_sandbox)
    [mail] = mailchimp_sandbox.messages(kind="campaign")
    url = mail["headers"]["List-Unsubscribe"].split(">")[0][1:]
    response = requests.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=5)
    assert response.status_code == 200
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "unsubscribed"


def test_test_mail_unsubscribe_link_unsubscribes_nobody(mc, mailchimp_sandbox):
    member = subscribe(mc, "anna@example.se")
    campaign = ready_campaign(mc)
    call(
        mc.campaigns.send_test_email,
        campaign["id"],
        {"test_emails": ["anna@example.se"], "send_type": "html"},
    )
    [mail] = mailchimp_sandbox.messages(kind="test")
    assert requests.post(href(mail["html"], "Avregistrera"), timeout=5).status_code == 200
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "subscribed"


def test_reports_count_opens_clicks_and_bounces(mc, mailchimp_sandbox, receiver):
    call(mc.lists.create_list_webhook, LIST, {"url": receiver.url})
    for name in ("a", "b", "c", "d"):
        subscribe(mc, f"{name}@example.se")
    campaign = send(mc, mailchimp_sandbox)
    base = mailchimp_sandbox.base_url
    # A person reading in the inbox viewer: the open pixel and a tracked click count.
    message = mailchimp_sandbox.messages(to="a@example.se")[0]
    shown = requests.get(f"{base}/_sandbox/inbox/{message['id']}/html", timeout=5).text
    pixel = re.search(r'<img src="([^"]+\.gif)"', shown).group(1)
    assert requests.get(base + pixel, timeout=5).headers["Content-Type"] == "image/gif"
    click = unescape(re.search(r'href="(/_sandbox/track/click/[^"]+)">Läs mer', shown).group(1))
    followed = requests.get(base + click, allow_redirects=False, timeout=5)
    assert followed.status_code == 302
    assert followed.headers["Location"] == "https://www.smakom.se/nyheter/a/"
    # Simulated activity: Apple-proxy opens, another click, a hard bounce.
    response = requests.post(
        f"{base}/_sandbox/campaigns/{campaign['id']}/activity",
        json={
            "events": [
                {"type": "open", "email": "b@example.se", "proxy": True},
                {"type": "open", "email": "b@example.se", "proxy": True},
                {"type": "open", "email": "c@example.se"},
                {
                    "type": "click",
                    "email": "c@example.se",
                    "url": "https://www.smakom.se/nyheter/a/",
                },
                {"type": "bounce", "email": "d@example.se", "bounce_type": "hard"},
            ]
        },
        timeout=5,
    )
    assert response.status_code == 200
    report = call(mc.reports.get_campaign_report, campaign["id"])
    assert report["emails_sent"] == 4
    assert report["opens"]["opens_total"] == 4
    assert report["opens"]["unique_opens"] == 3
    assert report["opens"]["proxy_excluded_opens"] == 2
    assert report["opens"]["proxy_excluded_unique_opens"] == 2
    assert report["opens"]["proxy_excluded_open_rate"] == round(2 / 3, 4)
    assert report["clicks"]["clicks_total"] == 2
    assert report["clicks"]["unique_subscriber_clicks"] == 2
    assert report["bounces"]["hard_bounces"] == 1
    details = call(mc.reports.get_campaign_click_details, campaign["id"])
    top = details["urls_clicked"][0]
    assert top["url"] == "https://www.smakom.se/nyheter/a/"
    assert top["total_clicks"] == 2 and top["unique_clicks"] == 2
    assert {u["url"] for u in details["urls_clicked"]} >= {"https://www.smakom.se/kalender/"}
    # The bounced address is cleaned, and the audience webhook is told.
    assert call(mc.lists.get_list_member, LIST, "d@example.se")["status"] == "cleaned"
    mailchimp_sandbox.wait_for_webhooks()
    cleaned = [p["form"] for p in receiver.posts() if p["form"]["type"] == "cleaned"]
    assert cleaned[0]["data[reason]"] == "hard"
    assert cleaned[0]["data[email]"] == "d@example.se"


def test_campaign_event_webhook_on_send(mc, mailchimp_sandbox, receiver):
    call(mc.lists.create_list_webhook, LIST, {"url": receiver.url})
    subscribe(mc, "a@example.se")
    campaign = send(mc, mailchimp_sandbox)
    mailchimp_sandbox.wait_for_webhooks()
    [event] = [p["form"] for p in receiver.posts() if p["form"]["type"] == "campaign"]
    assert event["data[id]"] == campaign["id"]
    assert event["data[status]"] == "sent"
    assert event["data[subject]"] == "Nyhetsbrev april"


def test_report_of_unsent_campaign_is_404(mc):
    import pytest

    from newsletter.mailchimp.client import MailchimpError

    campaign = ready_campaign(mc)
    with pytest.raises(MailchimpError) as info:
        call(mc.reports.get_campaign_report, campaign["id"])
    assert info.value.status == 404


def test_unsubscribe_page_follows_the_audience_language(mc, mailchimp_sandbox):
    member = subscribe(mc, "bo@example.se", "Bo")
    send(mc, mailchimp_sandbox)
    [mail] = mailchimp_sandbox.messages(kind="campaign")
    url = href(mail["html"], "Avregistrera")
    swedish = requests.get(url, timeout=5)
    assert 'lang="sv"' in swedish.text and ">Avregistrera</button>" in swedish.text
    # An English audience gets Mailchimp's English page.
    mailchimp_sandbox.state.audiences[LIST]["campaign_defaults"]["language"] = "en"
    english = requests.get(url, timeout=5)
    assert 'lang="en"' in english.text and ">Unsubscribe</button>" in english.text
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "subscribed"
