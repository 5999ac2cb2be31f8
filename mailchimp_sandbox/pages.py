"""The sandbox's own pages: inbox, unsubscribe/confirm pages, tracking, and /_sandbox/ controls."""

from __future__ import annotations

import base64
import copy
import html as html_lib
import json
import re
from urllib.parse import parse_qs, quote, urlencode

from .audiences import (
    apply_member,
    get_member,
    parse_time,
    subscriber_hash,
    unsubscribe_member,
)
from .errors import ApiError
from .state import iso
from .wire import Response, problem

HTML = "text/html; charset=utf-8"
TEST_TOKEN = "test"  # noqa: S105 - the unsubscribe "token" of test mails, not a secret
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f6f4;
color:#241c15}
header{background:#ffe01b;padding:12px 24px;font-weight:700}
main{max-width:1000px;margin:24px auto;padding:0 16px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px;border-bottom:1px solid #ddd;vertical-align:top}
.meta{background:#fff;padding:12px;margin-bottom:12px}
.meta dt{font-weight:700;float:left;clear:left;width:160px}
.meta dd{margin-left:170px}
iframe{width:100%;height:900px;border:1px solid #ccc;background:#fff}
pre{white-space:pre-wrap;background:#fff;padding:12px}
.box{background:#fff;max-width:560px;margin:48px auto;padding:32px;border-radius:4px}
button{background:#007c89;color:#fff;border:0;padding:10px 18px;font-size:16px;cursor:pointer}
"""


def page(title: str, body: str, status: int = 200, lang: str = "en") -> Response:
    text = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_lib.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><header>Mailchimp sandbox</header><main>{body}</main></body></html>"
    )
    return Response(status, text, HTML)


def json_response(data, status: int = 200) -> Response:
    return Response(status, data)


def form(req) -> dict[str, str]:
    if not req.raw:
        return {}
    try:
        fields = parse_qs(req.raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return {}
    return {k: v[-1] for k, v in fields.items()}


def json_body(req) -> dict:
    if not req.raw:
        return {}
    try:
        data = json.loads(req.raw)
    except ValueError:
        raise ApiError(400, "JSON Parse Error", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid Resource", "The body must be a JSON object.")
    return data


def handle(sb, req) -> Response:
    path = req.path
    try:
        for method, pattern, view in PAGE_ROUTES:
            match = re.fullmatch(pattern, path)
            if match and (method == req.method or (method == "GET" and req.method == "HEAD")):
                return view(sb, req, *match.groups())
    except ApiError as error:
        return problem(error)
    return page("Not found", "<p>Not found.</p>", 404)


# --- inbox -----------------------------------------------------------------------------------


def message_summary(message: dict) -> dict:
    keys = (
        "id",
        "kind",
        "to",
        "from_name",
        "reply_to",
        "subject",
        "html",
        "text",
        "headers",
        "campaign_id",
        "list_id",
        "member_id",
        "sent_at",
    )
    summary = {k: message.get(k) for k in keys}
    for extra in ("unsubscribe_url", "confirm_url", "tags", "metadata", "from_email"):
        if extra in message:
            summary[extra] = message[extra]
    return summary


def inbox_json(sb, req):
    with sb.state.lock:
        messages = [copy.deepcopy(message_summary(m)) for m in sb.state.inbox]
    to = (req.query.get("to") or [None])[-1]
    kind = (req.query.get("kind") or [None])[-1]
    if to:
        messages = [m for m in messages if m["to"].lower() == to.lower()]
    if kind:
        messages = [m for m in messages if m["kind"] == kind]
    return json_response({"messages": messages, "total_items": len(messages)})


def inbox_page(sb, req):
    with sb.state.lock:
        messages = list(reversed(sb.state.inbox))
    rows = "".join(
        f"<tr><td>{html_lib.escape(m['sent_at'])}</td><td>{html_lib.escape(m['kind'])}</td>"
        f"<td>{html_lib.escape(m['to'])}</td>"
        f'<td><a href="/_sandbox/inbox/{m["id"]}">{html_lib.escape(m["subject"] or "(no subject)")}'
        "</a></td></tr>"
        for m in messages
    )
    body = (
        f"<h1>Inbox</h1><p>{len(messages)} message(s) delivered by the sandbox: campaign sends, "
        "test emails, opt-in confirmations and transactional mail. "
        '<a href="/_sandbox/inbox.json">JSON</a></p>'
        "<table><thead><tr><th>Sent (UTC)</th><th>Kind</th><th>To</th><th>Subject</th></tr>"
        f"</thead><tbody>{rows or '<tr><td colspan=4>No messages yet.</td></tr>'}</tbody></table>"
    )
    return page("Inbox", body)


def find_message(sb, message_id: str) -> dict | None:
    with sb.state.lock:
        return next((m for m in sb.state.inbox if m["id"] == message_id), None)


def message_page(sb, req, message_id):
    message = find_message(sb, message_id)
    if message is None:
        return page("Not found", "<p>No such message.</p>", 404)
    headers = "".join(
        f"<dt>{html_lib.escape(k)}</dt><dd>{html_lib.escape(str(v))}</dd>"
        for k, v in message["headers"].items()
    )
    if message["html"]:
        view = f'<iframe title="Message" src="/_sandbox/inbox/{message_id}/html"></iframe>'
    else:
        view = f"<pre>{html_lib.escape(message['text'])}</pre>"
    text_link = f' · <a href="/_sandbox/inbox/{message_id}/text">Plain text</a>'
    body = (
        '<p><a href="/_sandbox/inbox">← Inbox</a></p>'
        f"<h1>{html_lib.escape(message['subject'])}</h1>"
        f'<dl class="meta"><dt>Kind</dt><dd>{html_lib.escape(message["kind"])}</dd>'
        f"<dt>Sent (UTC)</dt><dd>{html_lib.escape(message['sent_at'])}</dd>{headers}</dl>"
        f"<p>{text_link[3:]}</p>{view}"
    )
    return page(message["subject"], body)


def tracked_html(message: dict) -> str:
    """The message as a subscriber's client shows it: links tracked, an open pixel, top target."""
    html = message["html"]
    tracked = message["kind"] == "campaign"
    if tracked:

        def rewrite(match: re.Match) -> str:
            url = html_lib.unescape(match.group(2))
            if "/unsubscribe?" in url or not url.startswith(("http://", "https://")):
                return match.group(0)
            target = f"/_sandbox/track/click/{message['id']}?url={quote(url, safe='')}"
            return f"{match.group(1)}{html_lib.escape(target)}{match.group(3)}"

        html = re.sub(r'(?i)(<a\s[^>]*href=")([^"]+)(")', rewrite, html)
        pixel = f'<img src="/_sandbox/track/open/{message["id"]}.gif" width="1" height="1" alt="">'
        html = (
            re.sub(r"(?i)</body>", pixel + "</body>", html, count=1)
            if "</body>" in html.lower()
            else html + pixel
        )
    base = '<base target="_top">'
    if re.search(r"(?i)<head[^>]*>", html):
        return re.sub(r"(?i)(<head[^>]*>)", r"\1" + base, html, count=1)
    return base + html


def message_html(sb, req, message_id):
    message = find_message(sb, message_id)
    if message is None or not message["html"]:
        return page("Not found", "<p>No HTML part.</p>", 404)
    return Response(200, tracked_html(message), HTML)


def message_text(sb, req, message_id):
    message = find_message(sb, message_id)
    if message is None:
        return page("Not found", "<p>No such message.</p>", 404)
    return Response(200, message["text"], "text/plain; charset=utf-8")


# --- tracking ----------------------------------------------------------------------------------


def record_activity(sb, campaign_id: str, kind: str, at: str = "", **event) -> None:
    activity = sb.state.activity.get(campaign_id)
    if activity is None:
        return
    event["at"] = at or iso()
    activity[kind].append(event)


def event_time(event: dict) -> str:
    """An optional "at" (ISO 8601) on a simulated event: when it happened, for timeseries."""
    if not event.get("at"):
        return ""
    return iso(parse_time(str(event["at"]), "at"))


def track_open(sb, req, message_id):
    with sb.state.lock:
        message = find_message(sb, message_id)
        if message and message["kind"] == "campaign":
            record_activity(sb, message["campaign_id"], "opens", email=message["to"], proxy=False)
    sb.save()
    return Response(200, PIXEL, "image/gif", {"Cache-Control": "no-store"})


def track_click(sb, req, message_id):
    url = (req.query.get("url") or [""])[-1]
    if not url.startswith(("http://", "https://")):
        return page("Bad link", "<p>Unknown link.</p>", 400)
    with sb.state.lock:
        message = find_message(sb, message_id)
        if message and message["kind"] == "campaign":
            record_activity(sb, message["campaign_id"], "clicks", email=message["to"], url=url)
    sb.save()
    return Response(302, "", HTML, {"Location": url})


# --- unsubscribe and confirm pages ---------------------------------------------------------------


def member_for_token(sb, token: str):
    owner = sb.state.tokens.get(token)
    if not owner:
        return None, None
    member = sb.state.members.get(owner["list_id"], {}).get(owner["member_id"])
    return owner["list_id"], member


# Mailchimp shows its hosted pages in the audience's language (campaign_defaults.language).
WORDS = {
    "en": {
        "test_title": "Test email",
        "test_heading": "This is a test email",
        "test_text": "Unsubscribe links in test emails don't unsubscribe anyone.",
        "unsubscribe": "Unsubscribe",
        "invalid": "Link not valid",
        "unsubscribed": "Unsubscribed",
        "not_subscribed": "{email} is not subscribed to {name}.",
        "email_address": "Email address:",
        "done_heading": "Unsubscribe successful",
        "removed": "You have been removed from {name}.",
        "no_more": "{email} will no longer receive these emails.",
        "confirm": "Confirm",
        "confirmed": "Subscription confirmed",
    },
    "sv": {
        "test_title": "Testmejl",
        "test_heading": "Det här är ett testmejl",
        "test_text": "Avregistreringslänkar i testmejl avregistrerar ingen.",
        "unsubscribe": "Avregistrera",
        "invalid": "Länken är inte giltig",
        "unsubscribed": "Avregistrerad",
        "not_subscribed": "{email} prenumererar inte på {name}.",
        "email_address": "E-postadress:",
        "done_heading": "Du är avregistrerad",
        "removed": "Du har tagits bort från {name}.",
        "no_more": "{email} får inte längre de här mejlen.",
        "confirm": "Bekräfta",
        "confirmed": "Prenumerationen är bekräftad",
    },
}


def language_of(audience: dict | None) -> str:
    language = ((audience or {}).get("campaign_defaults") or {}).get("language", "")
    return "sv" if str(language).lower().startswith("sv") else "en"


def default_language(sb) -> str:
    return language_of(sb.state.audiences.get(sb.state.audience_id))


def unsubscribe_get(sb, req):
    token = (req.query.get("u") or [""])[-1]
    if token == TEST_TOKEN:
        lang = default_language(sb)
        w = WORDS[lang]
        return page(
            w["test_title"],
            f'<div class="box"><h1>{w["test_heading"]}</h1><p>{w["test_text"]}</p></div>',
            lang=lang,
        )
    with sb.state.lock:
        list_id, member = member_for_token(sb, token)
        audience = sb.state.audiences.get(list_id or "", {})
    lang = language_of(audience) if member is not None else default_language(sb)
    w = WORDS[lang]
    if member is None:
        return page(
            w["unsubscribe"], f'<div class="box"><h1>{w["invalid"]}</h1></div>', 404, lang=lang
        )
    email = html_lib.escape(member["email_address"])
    name = html_lib.escape(audience.get("name", ""))
    if member["status"] != "subscribed":
        return page(
            w["unsubscribed"],
            f'<div class="box"><h1>{w["unsubscribed"]}</h1>'
            f"<p>{w['not_subscribed'].format(email=email, name=name)}</p></div>",
            lang=lang,
        )
    query = html_lib.escape(urlencode({k: v[-1] for k, v in req.query.items()}))
    return page(
        w["unsubscribe"],
        f'<div class="box"><h1>{w["unsubscribe"]}</h1><p>{name}</p>'
        f'<form method="post" action="/unsubscribe?{query}">'
        f"<p>{w['email_address']} <strong>{email}</strong></p>"
        f'<button type="submit">{w["unsubscribe"]}</button></form></div>',
        lang=lang,
    )


def unsubscribe_post(sb, req):
    token = (req.query.get("u") or [""])[-1] or form(req).get("u", "")
    campaign_id = (req.query.get("c") or [""])[-1]
    if token == TEST_TOKEN:
        return unsubscribe_get(sb, req)
    with sb.state.lock:
        list_id, member = member_for_token(sb, token)
        if member is None:
            lang = default_language(sb)
            w = WORDS[lang]
            return page(
                w["unsubscribe"], f'<div class="box"><h1>{w["invalid"]}</h1></div>', 404, lang=lang
            )
        unsubscribe_member(sb, list_id, member, campaign_id, "user")
        audience = sb.state.audiences.get(list_id, {})
        email = html_lib.escape(member["email_address"])
    sb.save()
    lang = language_of(audience)
    w = WORDS[lang]
    name = html_lib.escape(audience.get("name", ""))
    return page(
        w["unsubscribed"],
        f'<div class="box"><h1>{w["done_heading"]}</h1>'
        f"<p>{w['removed'].format(name=name)}</p>"
        f"<p>{w['no_more'].format(email=email)}</p></div>",
        lang=lang,
    )


def confirm(sb, req):
    token = (req.query.get("u") or [""])[-1]
    with sb.state.lock:
        list_id, member = member_for_token(sb, token)
        if member is None:
            lang = default_language(sb)
            w = WORDS[lang]
            return page(
                w["confirm"], f'<div class="box"><h1>{w["invalid"]}</h1></div>', 404, lang=lang
            )
        if member["status"] == "pending":
            member["status"] = "subscribed"
            member["ip_opt"] = req.client_ip
            member["timestamp_opt"] = iso()
            member["last_changed"] = iso()
            sb.webhooks.fire(list_id, "subscribe", "user", member, {})
        audience = sb.state.audiences[list_id]
        name = audience["name"]
    sb.save()
    lang = language_of(audience)
    w = WORDS[lang]
    return page(
        w["confirmed"],
        f'<div class="box"><h1>{w["confirmed"]}</h1><p>{html_lib.escape(name)}</p></div>',
        lang=lang,
    )


def archive(sb, req, campaign_id):
    with sb.state.lock:
        campaign = sb.state.campaigns.get(campaign_id)
        if campaign is None:
            return page("Not found", "<p>No such campaign.</p>", 404)
        unsub = "#"
        _, html, text = sb.delivery.render_campaign(campaign, None, unsub)
    return Response(200, html or f"<pre>{html_lib.escape(text)}</pre>", HTML)


# --- controls -----------------------------------------------------------------------------------


def index(sb, req):
    return page(
        "Mailchimp sandbox",
        "<h1>Mailchimp sandbox</h1><ul>"
        '<li><a href="/_sandbox/inbox">Inbox</a></li>'
        '<li><a href="/_sandbox/state.json">State (JSON)</a></li>'
        '<li><a href="/_sandbox/webhooks.json">Webhook deliveries (JSON)</a></li></ul>'
        f"<p>Marketing API: <code>{sb.api_url}</code><br>"
        f"Transactional API: <code>{sb.mandrill_url}</code></p>",
    )


def reset(sb, req):
    sb.reset()
    return json_response({"reset": True})


def faults(sb, req):
    data = json_body(req)
    status, delay = data.get("status"), data.get("delay")
    if status is None and delay is None:
        raise ApiError(400, "Invalid Resource", "Give status or delay.")
    sb.inject(
        status=int(status) if status is not None else None,
        delay=float(delay) if delay is not None else None,
        count=int(data.get("count", 1)),
        api=data.get("api", "marketing"),
    )
    return json_response({"faults": sb.faults.items})


def state_json(sb, req):
    return json_response(sb.state.snapshot())


def webhook_deliveries(sb, req):
    with sb.state.lock:
        return json_response({"deliveries": copy.deepcopy(sb.state.webhook_deliveries)})


def deliver(sb, req, campaign_id):
    with sb.state.lock:
        campaign = sb.state.campaigns.get(campaign_id)
        if campaign is None:
            raise ApiError(404, "Resource Not Found", "The requested resource could not be found.")
        if campaign["status"] not in ("schedule", "sending"):
            raise ApiError(400, "Bad Request", "The campaign is not scheduled.")
    sb.deliver_due(campaign_id, force=True)
    with sb.state.lock:
        return json_response({"id": campaign_id, "status": campaign["status"]})


def activity(sb, req, campaign_id):
    """Simulate what subscribers did: opens (proxy or not), clicks, bounces."""
    data = json_body(req)
    with sb.state.lock:
        if campaign_id not in sb.state.activity:
            raise ApiError(400, "Bad Request", "The campaign has not been sent.")
        list_id = sb.state.activity[campaign_id]["list_id"]
        for event in data.get("events", []):
            kind, email = event.get("type"), event.get("email", "")
            at = event_time(event)
            if kind == "open":
                record_activity(
                    sb, campaign_id, "opens", at, email=email, proxy=bool(event.get("proxy"))
                )
            elif kind == "click":
                url = event.get("url", "")
                record_activity(sb, campaign_id, "clicks", at, email=email, url=url)
            elif kind == "bounce":
                bounce_type = event.get("bounce_type", "hard")
                record_activity(sb, campaign_id, "bounces", at, email=email, type=bounce_type)
                clean_member(sb, list_id, email, campaign_id, bounce_type)
            else:
                raise ApiError(400, "Invalid Resource", f"Unknown event type {kind!r}.")
        counts = {k: len(sb.state.activity[campaign_id][k]) for k in ("opens", "clicks", "bounces")}
    sb.save()
    return json_response(counts)


def admin_change(sb, req, list_id, member_id):
    """A change made in Mailchimp's own web app (webhook source "admin"): status, merge fields,
    email address. Creates the contact if it does not exist (needs email_address and status)."""
    data = json_body(req)
    with sb.state.lock:
        if list_id not in sb.state.audiences:
            raise ApiError(404, "Resource Not Found", "The requested resource could not be found.")
        try:
            member = get_member(sb, list_id, member_id)
        except ApiError:
            member = None
        member = apply_member(sb, list_id, data, member, upsert=False, source="admin")
        view = copy.deepcopy(member)
    sb.save()
    return json_response(view)


def clean_member(sb, list_id: str, email: str, campaign_id: str, bounce_type: str) -> None:
    member = sb.state.members.get(list_id, {}).get(subscriber_hash(email))
    if member is None or bounce_type != "hard" or member["status"] == "cleaned":
        return
    member["status"] = "cleaned"
    member["last_changed"] = iso()
    extra = {"campaign_id": campaign_id, "reason": "hard"}
    sb.webhooks.fire(list_id, "cleaned", "admin", member, extra)


PAGE_ROUTES = [
    ("GET", r"/", index),
    ("GET", r"/_sandbox/?", index),
    ("GET", r"/_sandbox/inbox/?", inbox_page),
    ("GET", r"/_sandbox/inbox\.json", inbox_json),
    ("GET", r"/_sandbox/inbox/([^/]+)", message_page),
    ("GET", r"/_sandbox/inbox/([^/]+)/html", message_html),
    ("GET", r"/_sandbox/inbox/([^/]+)/text", message_text),
    ("GET", r"/_sandbox/track/open/([^/]+)\.gif", track_open),
    ("GET", r"/_sandbox/track/click/([^/]+)", track_click),
    ("GET", r"/unsubscribe", unsubscribe_get),
    ("POST", r"/unsubscribe", unsubscribe_post),
    ("GET", r"/_sandbox/confirm", confirm),
    ("GET", r"/_sandbox/archive/([^/]+)", archive),
    ("POST", r"/_sandbox/reset", reset),
    ("POST", r"/_sandbox/faults", faults),
    ("GET", r"/_sandbox/state\.json", state_json),
    ("GET", r"/_sandbox/webhooks\.json", webhook_deliveries),
    ("POST", r"/_sandbox/campaigns/([^/]+)/deliver", deliver),
    ("POST", r"/_sandbox/campaigns/([^/]+)/activity", activity),
    ("POST", r"/_sandbox/lists/([^/]+)/members/([^/]+)/admin", admin_change),
]
