"""Marketing API: campaigns, content, send checklist, actions, delivery and reports."""

from __future__ import annotations

import copy
import math
from datetime import datetime, timedelta

from .audiences import get_audience, parse_time, query_int, subscriber_hash
from .errors import ApiError, bad_request, invalid, not_found
from .merge import ADDRESS_TAGS, html_to_text, links_in
from .state import iso, new_id, now

TYPES = ("regular", "plaintext", "absplit", "rss", "variate")
EDITABLE = ("save", "paused", "schedule")
SENT = ("sending", "sent", "canceling", "canceled")
MAX_TEST_ADDRESSES = 6
MAX_TESTS_PER_CAMPAIGN = 12
MAX_TESTS_PER_DAY = 24


def get_campaign(sb, campaign_id: str) -> dict:
    campaign = sb.state.campaigns.get(campaign_id)
    if campaign is None:
        raise not_found()
    return campaign


def recipients_of(sb, campaign: dict) -> list[dict]:
    """Subscribed members the campaign goes to: the audience, or its static segment / tag."""
    list_id = campaign["recipients"].get("list_id")
    if not list_id or list_id not in sb.state.members:
        return []
    members = [m for m in sb.state.members[list_id].values() if m["status"] == "subscribed"]
    segment_id = segment_of(campaign)
    if segment_id is not None:
        segment = sb.state.segments[list_id].get(str(segment_id))
        ids = set(segment["member_ids"]) if segment else set()
        members = [m for m in members if m["id"] in ids]
    return members


def segment_of(campaign: dict) -> int | None:
    opts = campaign["recipients"].get("segment_opts") or {}
    if opts.get("saved_segment_id"):
        return int(opts["saved_segment_id"])
    for condition in opts.get("conditions") or []:
        if condition.get("condition_type") == "StaticSegment" or condition.get("field") in (
            "static_segment",
            "tag",
        ):
            try:
                return int(condition.get("value"))
            except (TypeError, ValueError):
                return -1
    return None


def campaign_view(sb, campaign: dict) -> dict:
    view = copy.deepcopy(campaign)
    list_id = view["recipients"].get("list_id")
    if list_id and view["status"] not in SENT:
        view["recipients"]["recipient_count"] = len(recipients_of(sb, campaign))
    if list_id in sb.state.audiences:
        view["recipients"]["list_name"] = sb.state.audiences[list_id]["name"]
        view["recipients"]["list_is_active"] = True
    activity = sb.state.activity.get(campaign["id"])
    if activity is not None and "report_summary" in view:
        sent = max(len(activity["recipients"]) - len(activity["bounces"]), 0)
        openers = {o["email"] for o in activity["opens"]}
        clickers = {c["email"] for c in activity["clicks"]}
        view["report_summary"].update(
            opens=len(activity["opens"]),
            unique_opens=len(openers),
            open_rate=rate(len(openers), sent),
            clicks=len(activity["clicks"]),
            subscriber_clicks=len(clickers),
            click_rate=rate(len(clickers), sent),
        )
    return view


def check_segment(sb, list_id: str, opts) -> None:
    """A saved segment / tag id must exist in the audience, as Mailchimp checks."""
    if not opts:
        return
    if not isinstance(opts, dict):
        raise invalid("recipients.segment_opts", "segment_opts must be an object.")
    probe = {"recipients": {"segment_opts": opts}}
    segment_id = segment_of(probe)
    if segment_id is not None and str(segment_id) not in sb.state.segments.get(list_id, {}):
        raise invalid(
            "recipients.segment_opts.saved_segment_id",
            f"The segment or tag {segment_id} does not exist in this audience.",
        )


def merge_section(target: dict, source, name: str) -> None:
    if source is None:
        return
    if not isinstance(source, dict):
        raise invalid(name, f"{name} must be an object.")
    target.update(source)


def create_campaign(sb, req):
    body = req.body if isinstance(req.body, dict) else None
    if body is None:
        raise invalid("", "The request body must be a JSON object.")
    kind = body.get("type")
    if kind not in TYPES:
        raise invalid("type", f"Type must be one of: {', '.join(TYPES)}.")
    recipients = body.get("recipients") or {}
    list_id = recipients.get("list_id")
    if list_id:
        get_list_or_invalid(sb, list_id)
    campaign_id = new_id()
    web_id = sb.state.next("web_id")
    archive = f"{sb.base_url}/_sandbox/archive/{campaign_id}"
    campaign = {
        "id": campaign_id,
        "web_id": web_id,
        "type": kind,
        "create_time": iso(),
        "archive_url": archive,
        "long_archive_url": archive,
        "status": "save",
        "emails_sent": 0,
        "send_time": "",
        "content_type": "template",
        "needs_block_refresh": False,
        "resendable": False,
        "recipients": {
            "list_id": list_id or "",
            "list_is_active": bool(list_id),
            "list_name": "",
            "segment_text": "",
            "recipient_count": 0,
        },
        "settings": {
            "subject_line": "",
            "preview_text": "",
            "title": "",
            "from_name": "",
            "reply_to": "",
            "use_conversation": False,
            "to_name": "",
            "folder_id": "",
            "authenticate": True,
            "auto_footer": False,
            "inline_css": False,
            "auto_tweet": False,
            "fb_comments": False,
            "timewarp": False,
            "template_id": 0,
            "drag_and_drop": False,
        },
        "tracking": {
            "opens": True,
            "html_clicks": True,
            "text_clicks": False,
            "goal_tracking": False,
            "ecomm360": False,
            "google_analytics": "",
            "clicktale": "",
        },
        "delivery_status": {"enabled": False},
        "_links": [],
    }
    if recipients.get("segment_opts"):
        check_segment(sb, list_id, recipients["segment_opts"])
        campaign["recipients"]["segment_opts"] = recipients["segment_opts"]
    merge_section(campaign["settings"], body.get("settings"), "settings")
    merge_section(campaign["tracking"], body.get("tracking"), "tracking")
    sb.state.campaigns[campaign_id] = campaign
    sb.state.content[campaign_id] = {"html": "", "plain_text": ""}
    sb.state.campaign_meta[campaign_id] = {"tests": 0, "deliver_at": None}
    return 200, campaign_view(sb, campaign)


def get_list_or_invalid(sb, list_id: str) -> dict:
    try:
        return get_audience(sb, list_id)
    except ApiError:
        raise invalid("recipients.list_id", "The list does not exist.") from None


def list_campaigns(sb, req):
    count = query_int(req, "count", 10)
    offset = query_int(req, "offset", 0)
    if count > 1000 or count < 0:
        raise invalid("count", "count must be between 0 and 1000.")
    campaigns = list(sb.state.campaigns.values())
    if status := (req.query.get("status") or [None])[-1]:
        campaigns = [c for c in campaigns if c["status"] == status]
    if list_id := (req.query.get("list_id") or [None])[-1]:
        campaigns = [c for c in campaigns if c["recipients"].get("list_id") == list_id]
    page = campaigns[offset : offset + count]
    return 200, {
        "campaigns": [campaign_view(sb, c) for c in page],
        "total_items": len(campaigns),
        "_links": [],
    }


def get_campaign_view(sb, req, campaign_id):
    return 200, campaign_view(sb, get_campaign(sb, campaign_id))


def refuse_if_sent(campaign: dict) -> None:
    if campaign["status"] in SENT:
        raise bad_request(
            "This campaign has already been sent and can no longer be edited.",
            title="Bad Request",
        )


def patch_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    refuse_if_sent(campaign)
    body = req.body if isinstance(req.body, dict) else None
    if body is None:
        raise invalid("", "The request body must be a JSON object.")
    recipients = body.get("recipients")
    if recipients is not None:
        # Like Mailchimp, `recipients` is replaced as a whole: one without segment_opts sends
        # the campaign to the whole audience again.
        if recipients.get("list_id"):
            get_list_or_invalid(sb, recipients["list_id"])
            campaign["recipients"]["list_id"] = recipients["list_id"]
        if recipients.get("segment_opts"):
            check_segment(sb, campaign["recipients"]["list_id"], recipients["segment_opts"])
            campaign["recipients"]["segment_opts"] = recipients["segment_opts"]
        else:
            campaign["recipients"].pop("segment_opts", None)
    merge_section(campaign["settings"], body.get("settings"), "settings")
    merge_section(campaign["tracking"], body.get("tracking"), "tracking")
    return 200, campaign_view(sb, campaign)


def delete_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    if campaign["status"] in ("schedule", "sending"):
        raise bad_request("This campaign is scheduled or sending and cannot be deleted.")
    for section in ("campaigns", "content", "campaign_meta"):
        getattr(sb.state, section).pop(campaign_id, None)
    return 204, None


# --- content ---------------------------------------------------------------------------


def content_view(sb, campaign_id: str) -> dict:
    content = sb.state.content[campaign_id]
    return {
        "html": content["html"],
        "plain_text": content["plain_text"],
        "archive_html": content["html"],
        "_links": [],
    }


def get_content(sb, req, campaign_id):
    get_campaign(sb, campaign_id)
    return 200, content_view(sb, campaign_id)


def put_content(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    refuse_if_sent(campaign)
    body = req.body if isinstance(req.body, dict) else None
    if body is None:
        raise invalid("", "The request body must be a JSON object.")
    html = body.get("html")
    if html is None and body.get("template"):
        raise invalid("template", "The sandbox does not store Mailchimp templates; send html.")
    if html is not None and not isinstance(html, str):
        raise invalid("html", "html must be a string.")
    content = sb.state.content[campaign_id]
    if html is not None:
        content["html"] = html
        campaign["content_type"] = "html"
    plain = body.get("plain_text")
    content["plain_text"] = plain if plain else html_to_text(content["html"])
    return 200, content_view(sb, campaign_id)


# --- checklist and actions ---------------------------------------------------------------


def checklist_items(sb, campaign: dict) -> list[dict]:
    settings = campaign["settings"]
    html = sb.state.content[campaign["id"]]["html"]
    plain = sb.state.content[campaign["id"]]["plain_text"]
    body = html or plain
    checks = [
        (1, bool(campaign["recipients"].get("list_id")), "Audience", "Choose an audience."),
        (2, bool(settings.get("subject_line")), "Subject line", "Add a subject line."),
        (3, bool(settings.get("from_name")), "From name", "Add a from name."),
        (4, bool(settings.get("reply_to")), "Reply-to address", "Add a reply-to email address."),
        (5, bool(body), "Content", "Add content to your campaign."),
        (
            6,
            "*|UNSUB|*" in body,
            "Unsubscribe link",
            "Your campaign content must include an unsubscribe link (*|UNSUB|*).",
        ),
        (
            7,
            any(tag in body for tag in ADDRESS_TAGS),
            "Postal address",
            "Your campaign content must include your postal address (*|LIST:ADDRESSLINE|*).",
        ),
    ]
    items = [
        {
            "type": "success" if ok else "error",
            "id": item_id,
            "heading": heading,
            "details": "Looks good." if ok else details,
        }
        for item_id, ok, heading, details in checks
    ]
    if campaign["recipients"].get("list_id") and not recipients_of(sb, campaign):
        items.append(
            {
                "type": "warning",
                "id": 8,
                "heading": "Recipients",
                "details": "There are no subscribed contacts in this audience or segment.",
            }
        )
    return items


def send_checklist(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    items = checklist_items(sb, campaign)
    ready = not any(i["type"] == "error" for i in items)
    return 200, {"is_ready": ready, "items": items, "_links": []}


def require_ready(sb, campaign: dict) -> None:
    problems = [i for i in checklist_items(sb, campaign) if i["type"] == "error"]
    if problems:
        raise bad_request(
            "Your Campaign is not ready to send. " + " ".join(i["details"] for i in problems),
            errors=[{"field": p["heading"], "message": p["details"]} for p in problems],
        )


def test_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    body = req.body if isinstance(req.body, dict) else {}
    emails = body.get("test_emails")
    send_type = body.get("send_type")
    if not isinstance(emails, list) or not emails:
        raise invalid("test_emails", "This value should not be blank.")
    if send_type not in ("html", "plaintext"):
        raise invalid("send_type", "send_type must be html or plaintext.")
    if len(emails) > MAX_TEST_ADDRESSES:
        raise bad_request(
            f"You can send a test to at most {MAX_TEST_ADDRESSES} email addresses at a time.",
            title="Invalid Resource",
        )
    meta = sb.state.campaign_meta[campaign_id]
    if meta["tests"] >= MAX_TESTS_PER_CAMPAIGN:
        raise bad_request(
            f"You have reached the maximum of {MAX_TESTS_PER_CAMPAIGN} test emails "
            "for this campaign.",
            title="Test Limit Reached",
        )
    today = now().date().isoformat()
    if sb.state.test_sends.get(today, 0) >= MAX_TESTS_PER_DAY:
        raise bad_request(
            f"You have reached your daily limit of {MAX_TESTS_PER_DAY} test emails. "
            "Try again in 24 hours.",
            title="Test Limit Reached",
        )
    content = sb.state.content[campaign_id]
    if not (content["html"] or content["plain_text"]):
        raise bad_request("Your campaign has no content to test.")
    meta["tests"] += 1
    sb.state.test_sends[today] = sb.state.test_sends.get(today, 0) + 1
    for email in emails:
        sb.delivery.deliver_test(campaign, str(email), plaintext=send_type == "plaintext")
    return 204, None


def schedule_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    if campaign["status"] in SENT:
        raise bad_request("This campaign has already been sent.")
    if campaign["status"] == "schedule":
        raise bad_request("This campaign is already scheduled. Unschedule it first.")
    body = req.body if isinstance(req.body, dict) else {}
    value = body.get("schedule_time")
    if not value:
        raise invalid("schedule_time", "This value should not be blank.")
    moment: datetime = parse_time(value, "schedule_time")
    if moment.minute % 15 or moment.second or moment.microsecond:
        raise invalid(
            "schedule_time",
            "Campaigns may only be scheduled to send on the quarter-hour (:00, :15, :30, :45).",
        )
    if moment <= now():
        raise invalid("schedule_time", "The schedule time must be in the future.")
    require_ready(sb, campaign)
    campaign["status"] = "schedule"
    campaign["send_time"] = iso(moment)
    sb.state.campaign_meta[campaign_id]["deliver_at"] = iso(moment)
    return 204, None


def unschedule_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    if campaign["status"] != "schedule":
        raise bad_request("Cannot unschedule a campaign that is not scheduled.")
    campaign["status"] = "save"
    campaign["send_time"] = ""
    sb.state.campaign_meta[campaign_id]["deliver_at"] = None
    return 204, None


def send_campaign(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    if campaign["status"] in SENT:
        raise bad_request("This campaign has already been sent.", title="Bad Request")
    if campaign["status"] == "schedule":
        raise bad_request("This campaign is scheduled. Unschedule it before sending it now.")
    require_ready(sb, campaign)
    campaign["status"] = "sending"
    campaign["send_time"] = iso()
    if sb.send_delay > 0:
        # Stays "sending" for a while, as a real send does: cancel-send can stop it.
        # Due when the delay is over (whole seconds, rounded up: the clock must not finish it early).
        delay = timedelta(seconds=math.ceil(sb.send_delay) + 1)
        sb.state.campaign_meta[campaign_id]["deliver_at"] = iso(now() + delay)
        sb.later(sb.send_delay, lambda: sb.deliver_due(campaign_id, force=True))
    else:
        sb.delivery.deliver_campaign(campaign)
    return 204, None


def cancel_send(sb, req, campaign_id):
    campaign = get_campaign(sb, campaign_id)
    if campaign["status"] != "sending":
        raise bad_request("Only a campaign that is sending can be canceled.")
    campaign["status"] = "canceled"
    sb.state.campaign_meta[campaign_id]["deliver_at"] = None
    return 204, None


# --- reports ----------------------------------------------------------------------------


def get_sent_campaign(sb, campaign_id: str) -> tuple[dict, dict]:
    campaign = get_campaign(sb, campaign_id)
    activity = sb.state.activity.get(campaign_id)
    if activity is None:
        raise not_found()
    return campaign, activity


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0


def report(sb, req, campaign_id):
    campaign, activity = get_sent_campaign(sb, campaign_id)
    sent = len(activity["recipients"])
    opens = activity["opens"]
    real_opens = [o for o in opens if not o.get("proxy")]
    unique_open = {o["email"] for o in opens}
    unique_real = {o["email"] for o in real_opens}
    clicks = activity["clicks"]
    unique_clickers = {c["email"] for c in clicks}
    unique_url_clicks = {(c["email"], c["url"]) for c in clicks}
    bounces = activity["bounces"]
    list_id = campaign["recipients"]["list_id"]
    delivered = max(sent - len(bounces), 0)
    return 200, {
        "id": campaign_id,
        "campaign_title": campaign["settings"].get("title", ""),
        "type": campaign["type"],
        "list_id": list_id,
        "list_is_active": True,
        "list_name": sb.state.audiences.get(list_id, {}).get("name", ""),
        "subject_line": campaign["settings"].get("subject_line", ""),
        "preview_text": campaign["settings"].get("preview_text", ""),
        "emails_sent": sent,
        "abuse_reports": 0,
        "unsubscribed": len(activity["unsubscribes"]),
        "send_time": campaign["send_time"],
        "bounces": {
            "hard_bounces": sum(1 for b in bounces if b["type"] == "hard"),
            "soft_bounces": sum(1 for b in bounces if b["type"] == "soft"),
            "syntax_errors": sum(1 for b in bounces if b["type"] == "syntax"),
        },
        "forwards": {"forwards_count": 0, "forwards_opens": 0},
        "opens": {
            "opens_total": len(opens),
            "proxy_excluded_opens": len(real_opens),
            "unique_opens": len(unique_open),
            "proxy_excluded_unique_opens": len(unique_real),
            "open_rate": rate(len(unique_open), delivered),
            "proxy_excluded_open_rate": rate(len(unique_real), delivered),
            "last_open": max((o["at"] for o in opens), default=""),
        },
        "clicks": {
            "clicks_total": len(clicks),
            "unique_clicks": len(unique_url_clicks),
            "unique_subscriber_clicks": len(unique_clickers),
            "click_rate": rate(len(unique_clickers), delivered),
            "last_click": max((c["at"] for c in clicks), default=""),
        },
        "list_stats": {"sub_rate": 0, "unsub_rate": 0, "open_rate": 0, "click_rate": 0},
        "timeseries": timeseries(campaign, activity),
        "delivery_status": {"enabled": False},
        "_links": [],
    }


TIMESERIES_HOURS = 24


def timeseries(campaign: dict, activity: dict) -> list[dict]:
    """Mailchimp's hourly breakdown of the first 24 hours after sending: emails sent, unique
    opens (with and without Apple's proxy opens) and recipients who clicked, in each hour."""
    send_time = campaign.get("send_time")
    if not send_time:
        return []
    start = parse_time(send_time, "send_time").replace(minute=0, second=0)
    rows = []
    for hour in range(TIMESERIES_HOURS):
        begin = start + timedelta(hours=hour)
        end = begin + timedelta(hours=1)

        def within(event, begin=begin, end=end):
            return begin <= parse_time(event["at"], "at") < end

        opens = [o for o in activity["opens"] if within(o)]
        rows.append(
            {
                "timestamp": iso(begin),
                "emails_sent": len(activity["recipients"]) if hour == 0 else 0,
                "unique_opens": len({o["email"] for o in opens}),
                "proxy_excluded_unique_opens": len(
                    {o["email"] for o in opens if not o.get("proxy")}
                ),
                "recipients_clicks": len({c["email"] for c in activity["clicks"] if within(c)}),
            }
        )
    return rows


def report_unsubscribed(sb, req, campaign_id):
    campaign, activity = get_sent_campaign(sb, campaign_id)
    list_id = campaign["recipients"]["list_id"]
    count = query_int(req, "count", 10)
    offset = query_int(req, "offset", 0)
    rows = []
    for entry in activity["unsubscribes"]:
        member = sb.state.members.get(list_id, {}).get(entry["member_id"], {})
        rows.append(
            {
                "email_id": entry["member_id"],
                "email_address": entry["email"],
                "merge_fields": copy.deepcopy(member.get("merge_fields", {})),
                "vip": bool(member.get("vip")),
                "timestamp": entry["at"],
                "reason": member.get("unsubscribe_reason", ""),
                "campaign_id": campaign_id,
                "list_id": list_id,
                "list_is_active": True,
                "_links": [],
            }
        )
    return 200, {
        "unsubscribes": rows[offset : offset + count],
        "campaign_id": campaign_id,
        "total_items": len(rows),
        "_links": [],
    }


def report_click_details(sb, req, campaign_id):
    _, activity = get_sent_campaign(sb, campaign_id)
    sent = len(activity["recipients"])
    total = len(activity["clicks"]) or 0
    urls = list(activity["links"])
    for click in activity["clicks"]:
        if click["url"] not in urls:
            urls.append(click["url"])
    rows = []
    for index, url in enumerate(urls):
        clicks = [c for c in activity["clicks"] if c["url"] == url]
        unique = {c["email"] for c in clicks}
        rows.append(
            {
                "id": subscriber_hash(url)[:10],
                "url": url,
                "total_clicks": len(clicks),
                "click_percentage": rate(len(clicks), total),
                "unique_clicks": len(unique),
                "unique_click_percentage": rate(len(unique), sent),
                "last_click": max((c["at"] for c in clicks), default=""),
                "ab_split": {"a": {}, "b": {}},
                "campaign_id": campaign_id,
                "_links": [],
                "_order": index,
            }
        )
    rows.sort(key=lambda r: (-r["total_clicks"], r.pop("_order")))
    count = query_int(req, "count", 10)
    offset = query_int(req, "offset", 0)
    return 200, {
        "urls_clicked": rows[offset : offset + count],
        "campaign_id": campaign_id,
        "total_items": len(rows),
        "_links": [],
    }


def new_activity(campaign: dict, html: str) -> dict:
    return {
        "recipients": [],
        "opens": [],
        "clicks": [],
        "bounces": [],
        "unsubscribes": [],
        "links": [u for u in links_in(html) if "/unsubscribe" not in u],
        "list_id": campaign["recipients"].get("list_id"),
    }
