"""Marketing API: ping, audiences, members, tags/segments and audience webhooks."""

from __future__ import annotations

import copy
import hashlib
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime

from .errors import ApiError, bad_request, invalid, not_found
from .state import iso, new_id, now

STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
COMPLIANCE = ("unsubscribed", "cleaned")
MAX_PAGE = 1000
MAX_BATCH = 500
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEBHOOK_EVENTS = ("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign")
WEBHOOK_SOURCES = ("user", "admin", "api")
SORT_FIELDS = ("timestamp_opt", "timestamp_signup", "last_changed")
EPOCH_ISO = "1970-01-01T00:00:00+00:00"


def subscriber_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def parse_time(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise invalid(field, "Please provide a valid ISO 8601 date and time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def time_key(value: str) -> str:
    """A stored time as a string that sorts in time order, cheaply: the sandbox writes UTC
    ISO 8601 with whole seconds ("2026-01-10T10:00:00+00:00"), which sorts as text; anything
    else is parsed (a 100,000-member audience is filtered and sorted on every page request)."""
    if len(value) == 25 and value.endswith("+00:00") and value[10] == "T":
        return value
    return _canonical(value)


def _canonical(value: str) -> str:
    return parse_time(value, "").replace(microsecond=0).isoformat()


def get_audience(sb, list_id: str) -> dict:
    audience = sb.state.audiences.get(list_id)
    if audience is None:
        raise not_found()
    return audience


def get_member(sb, list_id: str, member_id: str) -> dict:
    get_audience(sb, list_id)
    members = sb.state.members[list_id]
    # The id is the hash; Mailchimp also accepts the email address itself.
    member = members.get(member_id.lower()) or members.get(subscriber_hash(member_id))
    if member is None:
        raise not_found()
    return member


def query_int(req, name: str, default: int) -> int:
    values = req.query.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise invalid(name, f"{name} must be an integer.") from None


# --- ping and audiences -------------------------------------------------------------------


def ping(sb, req):
    return 200, {"health_status": "Everything's Chimpy!"}


def audience_stats(sb, list_id: str) -> dict:
    members = sb.state.members[list_id].values()
    counts = {s: 0 for s in ("subscribed", "unsubscribed", "cleaned", "pending")}
    for member in members:
        if member["status"] in counts:
            counts[member["status"]] += 1
    campaigns = [
        c for c in sb.state.campaigns.values() if c["recipients"].get("list_id") == list_id
    ]
    sent = [c for c in campaigns if c["status"] == "sent"]
    return {
        "member_count": counts["subscribed"],
        "unsubscribe_count": counts["unsubscribed"],
        "cleaned_count": counts["cleaned"],
        "member_count_since_send": counts["subscribed"],
        "unsubscribe_count_since_send": counts["unsubscribed"],
        "cleaned_count_since_send": counts["cleaned"],
        "campaign_count": len(campaigns),
        "campaign_last_sent": max((c["send_time"] for c in sent), default=""),
        "merge_field_count": 3,
        "avg_sub_rate": 0,
        "avg_unsub_rate": 0,
        "target_sub_rate": 0,
        "open_rate": 0,
        "click_rate": 0,
        "last_sub_date": "",
        "last_unsub_date": "",
    }


def audience_view(sb, list_id: str) -> dict:
    audience = copy.deepcopy(get_audience(sb, list_id))
    audience["stats"] = audience_stats(sb, list_id)
    return audience


def get_list(sb, req, list_id):
    return 200, audience_view(sb, list_id)


LIST_REQUIRED = ("name", "contact", "permission_reminder", "campaign_defaults", "email_type_option")
CONTACT_REQUIRED = ("company", "address1", "city", "state", "zip", "country")
CAMPAIGN_DEFAULTS_REQUIRED = ("from_name", "from_email", "subject", "language")


def patch_list(sb, req, list_id):
    """PATCH /lists/{id}: Mailchimp requires the whole set of audience settings in the body."""
    body = req.body
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    with sb.state.lock:
        audience = get_audience(sb, list_id)
        for name in LIST_REQUIRED:
            if name not in body:
                raise invalid(name, "This value should not be blank.")
        contact, defaults = body["contact"], body["campaign_defaults"]
        if not isinstance(contact, dict) or not isinstance(defaults, dict):
            raise invalid("contact", "Schema describes object, other type found instead")
        for name in CONTACT_REQUIRED:
            if name not in contact or (name != "state" and not str(contact[name]).strip()):
                raise invalid(f"contact.{name}", "This value should not be blank.")
        for name in CAMPAIGN_DEFAULTS_REQUIRED:
            if name not in defaults:
                raise invalid(f"campaign_defaults.{name}", "This value should not be blank.")
        if not EMAIL_RE.match(str(defaults["from_email"])):
            raise invalid(
                "campaign_defaults.from_email", "This value is not a valid email address."
            )
        if not str(body["permission_reminder"]).strip():
            raise invalid("permission_reminder", "This value should not be blank.")
        audience["name"] = str(body["name"])
        audience["contact"] = {**audience["contact"], **contact}
        audience["permission_reminder"] = str(body["permission_reminder"])
        audience["campaign_defaults"] = {**audience["campaign_defaults"], **defaults}
        audience["email_type_option"] = bool(body["email_type_option"])
        for optional in (
            "use_archive_bar",
            "double_optin",
            "notify_on_subscribe",
            "notify_on_unsubscribe",
        ):
            if optional in body:
                audience[optional] = body[optional]
        view = audience_view(sb, list_id)
    sb.save()
    return 200, view


def get_lists(sb, req):
    lists = [audience_view(sb, list_id) for list_id in sb.state.audiences]
    constraints = {"may_create": False, "max_instances": 1, "current_total_instances": len(lists)}
    return 200, {
        "lists": lists,
        "total_items": len(lists),
        "constraints": constraints,
        "_links": [],
    }


# --- members ----------------------------------------------------------------------------


def member_view(member: dict) -> dict:
    return copy.deepcopy(member)


def list_members(sb, req, list_id):
    get_audience(sb, list_id)
    count = query_int(req, "count", 10)
    offset = query_int(req, "offset", 0)
    if count > MAX_PAGE or count < 0:
        raise invalid("count", f"count must be between 0 and {MAX_PAGE}.")
    members = list(sb.state.members[list_id].values())
    if status := (req.query.get("status") or [None])[-1]:
        members = [m for m in members if m["status"] == status]
    if since := (req.query.get("since_last_changed") or [None])[-1]:
        parse_time(since, "since_last_changed")  # 400 if it is not a time
        moment = time_key(since)
        members = [m for m in members if time_key(m["last_changed"]) >= moment]
    if before := (req.query.get("before_last_changed") or [None])[-1]:
        moment = parse_time(before, "before_last_changed")
        members = [m for m in members if parse_time(m["last_changed"], "") < moment]
    if email := (req.query.get("unique_email_id") or [None])[-1]:
        members = [m for m in members if m["unique_email_id"] == email]
    sort_field = (req.query.get("sort_field") or [None])[-1]
    if sort_field:
        if sort_field not in SORT_FIELDS:
            raise invalid("sort_field", f"sort_field must be one of: {', '.join(SORT_FIELDS)}.")
        sort_dir = ((req.query.get("sort_dir") or ["ASC"])[-1] or "ASC").upper()
        if sort_dir not in ("ASC", "DESC"):
            raise invalid("sort_dir", "sort_dir must be ASC or DESC.")
        # Stable: members changed in the same second keep their order between requests.
        members.sort(
            key=lambda m: time_key(m.get(sort_field) or EPOCH_ISO), reverse=sort_dir == "DESC"
        )
    page = members[offset : offset + count]
    return 200, {
        "members": [member_view(m) for m in page],
        "list_id": list_id,
        "total_items": len(members),
        "_links": [],
    }


def check_merge_fields(merge_fields) -> dict:
    if merge_fields is None:
        return {}
    if not isinstance(merge_fields, dict):
        raise invalid("merge_fields", "Merge fields must be an object.")
    allowed = {"FNAME", "LNAME", "ORG", "PHONE", "ADDRESS"}
    for key, value in merge_fields.items():
        if key.upper() not in allowed:
            raise ApiError(
                400,
                "Invalid Resource",
                "Your merge fields were invalid.",
                [{"field": key, "message": f"Merge field {key} does not exist on this audience."}],
            )
        if value is not None and not isinstance(value, (str, int, float, dict)):
            raise invalid(key, "Merge field values must be strings.")
    return {k.upper(): v for k, v in merge_fields.items()}


def new_member(sb, list_id: str, email: str) -> dict:
    moment = iso()
    return {
        "id": subscriber_hash(email),
        "email_address": email.strip(),
        "unique_email_id": new_id(),
        "contact_id": new_id(16),
        "full_name": "",
        "web_id": sb.state.next("web_id"),
        "email_type": "html",
        "status": "subscribed",
        "consents_to_one_to_one_messaging": True,
        "merge_fields": {"FNAME": "", "LNAME": "", "ORG": ""},
        "interests": {},
        "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
        "ip_signup": "",
        "timestamp_signup": "",
        "ip_opt": "",
        "timestamp_opt": "",
        "member_rating": 2,
        "last_changed": moment,
        "language": "",
        "vip": False,
        "email_client": "",
        "location": {
            "latitude": 0,
            "longitude": 0,
            "gmtoff": 0,
            "dstoff": 0,
            "country_code": "",
            "timezone": "",
            "region": "",
        },
        "source": "API - Generic",
        "tags_count": 0,
        "tags": [],
        "list_id": list_id,
        "_links": [],
    }


def compliance_error(email: str) -> ApiError:
    return bad_request(
        f"{email} is in a compliance state due to unsubscribe, bounce, or compliance review "
        "and cannot be subscribed.",
        title="Member In Compliance State",
    )


def forgotten_error(email: str) -> ApiError:
    return bad_request(
        f"{email} was permanently deleted and cannot be re-imported. "
        "The contact must re-subscribe to get back on the list.",
        title="Forgotten Email Not Subscribed",
    )


def apply_member(
    sb, list_id: str, body: dict, member: dict | None, *, upsert: bool, source: str = "api"
) -> dict:
    """Create or change a member from a request body; returns the stored member.

    Raises ApiError for what Mailchimp refuses; fires webhooks and confirmation mails.
    """
    if not isinstance(body, dict):
        raise invalid("", "The request body must be a JSON object.")
    email = body.get("email_address")
    creating = member is None
    if creating:
        if not email or not EMAIL_RE.match(str(email)):
            raise invalid("email_address", "Please provide a valid email address.")
        status = body.get("status_if_new") if upsert else body.get("status")
        if upsert and not status:
            status = body.get("status")
        if not status:
            field = "status_if_new" if upsert else "status"
            raise invalid(field, "This value should not be blank.")
    else:
        status = body.get("status")
        if email and not EMAIL_RE.match(str(email)):
            raise invalid("email_address", "Please provide a valid email address.")
    if status and status not in STATUSES:
        raise invalid("status", f"Status must be one of: {', '.join(STATUSES)}.")
    merge_fields = check_merge_fields(body.get("merge_fields"))
    hashed = subscriber_hash(email) if email else None
    if creating and hashed in sb.state.forgotten[list_id] and status == "subscribed":
        raise forgotten_error(email)
    if not creating and status == "subscribed" and member["status"] in COMPLIANCE:
        raise compliance_error(member["email_address"])

    events = []
    if creating:
        member = new_member(sb, list_id, email)
        old_status = None
        if hashed in sb.state.forgotten[list_id]:
            sb.state.forgotten[list_id].remove(hashed)
    else:
        old_status = member["status"]
    old_email = member["email_address"]
    old_merges = dict(member["merge_fields"])

    if status:
        member["status"] = status
    member["merge_fields"].update(merge_fields)
    for key in ("email_type", "language", "vip", "ip_signup", "ip_opt", "interests"):
        if key in body:
            member[key] = body[key]
    for key in ("timestamp_signup", "timestamp_opt"):
        if body.get(key):
            member[key] = iso(parse_time(body[key], key))
    moment = iso()
    if member["status"] == "subscribed" and old_status != "subscribed":
        member["timestamp_opt"] = body.get("timestamp_opt") and member["timestamp_opt"] or moment
        member.pop("unsubscribe_reason", None)
    if member["status"] == "unsubscribed" and old_status != "unsubscribed":
        member["unsubscribe_reason"] = (
            body.get("unsubscribe_reason") or "N/A (Unsubscribed by admin)"
        )
    if creating and not member["timestamp_signup"]:
        member["timestamp_signup"] = moment
    fname, lname = member["merge_fields"].get("FNAME", ""), member["merge_fields"].get("LNAME", "")
    member["full_name"] = f"{fname} {lname}".strip()

    members = sb.state.members[list_id]
    if email and not creating and subscriber_hash(email) != member["id"]:
        new_hash = subscriber_hash(email)
        if new_hash in members:
            raise bad_request(f"{email} is already a list member.", title="Member Exists")
        del members[member["id"]]
        member["id"] = new_hash
        member["email_address"] = email.strip()
        events.append(("upemail", {"old_email": old_email, "new_email": email.strip()}))
    member["last_changed"] = moment
    members[member["id"]] = member

    if member["status"] != old_status:
        if member["status"] == "subscribed":
            events.append(("subscribe", {}))
        elif member["status"] == "unsubscribed" and old_status is not None:
            events.append(("unsubscribe", {"action": "unsub", "reason": "manual"}))
        elif member["status"] == "pending":
            sb.send_confirmation(list_id, member)
    elif not creating and member["merge_fields"] != old_merges:
        events.append(("profile", {}))
    for kind, extra in events:
        sb.webhooks.fire(list_id, kind, source, member, extra)
    return member


def add_member(sb, req, list_id):
    get_audience(sb, list_id)
    email = (req.body or {}).get("email_address") if isinstance(req.body, dict) else None
    if email and subscriber_hash(email) in sb.state.members[list_id]:
        existing = sb.state.members[list_id][subscriber_hash(email)]
        if existing["status"] != "archived":
            raise bad_request(
                f"{email} is already a list member. Use PUT to insert or update list members.",
                title="Member Exists",
            )
        return 200, member_view(apply_member(sb, list_id, req.body, existing, upsert=False))
    return 200, member_view(apply_member(sb, list_id, req.body, None, upsert=False))


def get_member_view(sb, req, list_id, member_id):
    return 200, member_view(get_member(sb, list_id, member_id))


def put_member(sb, req, list_id, member_id):
    get_audience(sb, list_id)
    body = req.body if isinstance(req.body, dict) else {}
    email = body.get("email_address")
    if not email:
        raise invalid("email_address", "This value should not be blank.")
    if subscriber_hash(email) != member_id.lower() and email.lower() != member_id.lower():
        raise invalid("email_address", "The email address does not match the subscriber hash.")
    member = sb.state.members[list_id].get(subscriber_hash(email))
    return 200, member_view(apply_member(sb, list_id, body, member, upsert=True))


def patch_member(sb, req, list_id, member_id):
    member = get_member(sb, list_id, member_id)
    return 200, member_view(apply_member(sb, list_id, req.body or {}, member, upsert=False))


def archive_member(sb, req, list_id, member_id):
    member = get_member(sb, list_id, member_id)
    if member["status"] == "archived":
        raise not_found()
    was_subscribed = member["status"] == "subscribed"
    member["status"] = "archived"
    member["last_changed"] = iso()
    if was_subscribed:
        extra = {"action": "delete", "reason": "manual"}
        sb.webhooks.fire(list_id, "unsubscribe", "api", member, extra)
    return 204, None


def delete_permanent(sb, req, list_id, member_id):
    member = get_member(sb, list_id, member_id)
    del sb.state.members[list_id][member["id"]]
    sb.state.forgotten[list_id].append(member["id"])
    for segment in sb.state.segments[list_id].values():
        if member["id"] in segment["member_ids"]:
            segment["member_ids"].remove(member["id"])
    if member["status"] == "subscribed":
        extra = {"action": "delete", "reason": "manual"}
        sb.webhooks.fire(list_id, "unsubscribe", "api", member, extra)
    return 204, None


def batch_subscribe(sb, req, list_id):
    get_audience(sb, list_id)
    body = req.body if isinstance(req.body, dict) else None
    if body is None or not isinstance(body.get("members"), list):
        raise invalid("members", "This value should not be blank.")
    entries = body["members"]
    if len(entries) > MAX_BATCH:
        raise invalid("members", f"You can only add up to {MAX_BATCH} members in one request.")
    update_existing = bool(body.get("update_existing"))
    created, updated, errors = [], [], []
    for entry in entries:
        email = entry.get("email_address", "") if isinstance(entry, dict) else ""
        existing = sb.state.members[list_id].get(subscriber_hash(email)) if email else None
        try:
            if existing is not None and not update_existing:
                raise bad_request(f"{email} is already a list member.", title="Member Exists")
            member = apply_member(sb, list_id, entry, existing, upsert=False)
        except ApiError as exc:
            code = "ERROR_CONTACT_EXISTS" if exc.title == "Member Exists" else "ERROR_GENERIC"
            field = (exc.errors or [{}])[0].get("field", "") if exc.errors else ""
            errors.append(
                {
                    "email_address": email,
                    "error": exc.detail,
                    "error_code": code,
                    "field": field,
                    "field_message": exc.errors[0]["message"] if exc.errors else "",
                }
            )
            continue
        (updated if existing is not None else created).append(member_view(member))
    return 200, {
        "new_members": created,
        "updated_members": updated,
        "errors": errors,
        "total_created": len(created),
        "total_updated": len(updated),
        "error_count": len(errors),
        "_links": [],
    }


# --- tags and static segments -----------------------------------------------------------


def segment_for_tag(sb, list_id: str, name: str, create: bool) -> dict | None:
    for segment in sb.state.segments[list_id].values():
        if segment["name"] == name:
            return segment
    if not create:
        return None
    seg_id = sb.state.next("segment")
    segment = {
        "id": seg_id,
        "name": name,
        "type": "static",
        "created_at": iso(),
        "updated_at": iso(),
        "member_ids": [],
    }
    sb.state.segments[list_id][str(seg_id)] = segment
    return segment


def refresh_member_tags(sb, list_id: str, member: dict) -> None:
    member["tags"] = [
        {"id": s["id"], "name": s["name"]}
        for s in sb.state.segments[list_id].values()
        if member["id"] in s["member_ids"]
    ]
    member["tags_count"] = len(member["tags"])


def post_member_tags(sb, req, list_id, member_id):
    member = get_member(sb, list_id, member_id)
    body = req.body if isinstance(req.body, dict) else {}
    tags = body.get("tags")
    if not isinstance(tags, list):
        raise invalid("tags", "This value should not be blank.")
    for tag in tags:
        name = str(tag.get("name", "")).strip() if isinstance(tag, dict) else ""
        if not name:
            raise invalid("tags.name", "Tag names cannot be blank.")
        active = tag.get("status", "active") == "active"
        segment = segment_for_tag(sb, list_id, name, create=active)
        if segment is None:
            continue
        if active and member["id"] not in segment["member_ids"]:
            segment["member_ids"].append(member["id"])
        elif not active and member["id"] in segment["member_ids"]:
            segment["member_ids"].remove(member["id"])
        segment["updated_at"] = iso()
    refresh_member_tags(sb, list_id, member)
    member["last_changed"] = iso()
    return 204, None


def get_member_tags(sb, req, list_id, member_id):
    member = get_member(sb, list_id, member_id)
    tags = [
        {"id": t["id"], "name": t["name"], "date_added": member["last_changed"]}
        for t in member["tags"]
    ]
    return 200, {"tags": tags, "total_items": len(tags), "_links": []}


def segment_view(sb, list_id: str, segment: dict) -> dict:
    view = {k: v for k, v in segment.items() if k != "member_ids"}
    # Mailchimp: "the number of active subscribers currently included in the segment".
    members = sb.state.members[list_id]
    view["member_count"] = sum(
        1
        for member_id in segment["member_ids"]
        if (members.get(member_id) or {}).get("status") == "subscribed"
    )
    view["list_id"] = list_id
    view["options"] = {"match": "any", "conditions": []}
    view["_links"] = []
    return view


def list_segments(sb, req, list_id):
    get_audience(sb, list_id)
    kind = (req.query.get("type") or [""])[-1]
    segments = [
        segment_view(sb, list_id, s)
        for s in sb.state.segments[list_id].values()
        if not kind or s["type"] == kind
    ]
    count = min(query_int(req, "count", 10), 1000)
    offset = query_int(req, "offset", 0)
    return 200, {
        "segments": segments[offset : offset + count],
        "list_id": list_id,
        "total_items": len(segments),
        "_links": [],
    }


def create_segment(sb, req, list_id):
    get_audience(sb, list_id)
    body = req.body if isinstance(req.body, dict) else {}
    name = str(body.get("name", "")).strip()
    if not name:
        raise invalid("name", "This value should not be blank.")
    if segment_for_tag(sb, list_id, name, create=False):
        raise bad_request(f"Sorry, a segment named '{name}' already exists.")
    segment = segment_for_tag(sb, list_id, name, create=True)
    for email in body.get("static_segment") or []:
        member = sb.state.members[list_id].get(subscriber_hash(email))
        if member:
            segment["member_ids"].append(member["id"])
            refresh_member_tags(sb, list_id, member)
    return 200, segment_view(sb, list_id, segment)


def get_segment(sb, req, list_id, segment_id):
    get_audience(sb, list_id)
    segment = sb.state.segments[list_id].get(str(segment_id))
    if segment is None:
        raise not_found()
    return 200, segment_view(sb, list_id, segment)


def tag_search(sb, req, list_id):
    get_audience(sb, list_id)
    name = (req.query.get("name") or [""])[-1].lower()
    tags = [
        {"id": s["id"], "name": s["name"]}
        for s in sb.state.segments[list_id].values()
        if name in s["name"].lower()
    ]
    return 200, {"tags": tags, "total_items": len(tags)}


# --- audience webhooks ------------------------------------------------------------------


def webhook_view(webhook: dict) -> dict:
    return copy.deepcopy(webhook)


def verify_webhook_url(url: str) -> int | None:
    """Mailchimp's validator: a GET that must answer 200 before the webhook is saved."""
    # Only http(s) URLs get this far (checked in create_webhook).
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": "MailChimp.com WebHook Validator"}, method="GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def create_webhook(sb, req, list_id):
    get_audience(sb, list_id)
    body = req.body if isinstance(req.body, dict) else {}
    url = str(body.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise invalid("url", "This value should be a valid URL.")
    if any(w["url"] == url for w in sb.state.webhooks[list_id].values()):
        raise bad_request("Sorry, you can't use the same webhook URL more than once.")
    # Answer the validator outside the state lock: the URL may call back into the sandbox.
    sb.state.lock.release()
    try:
        status = verify_webhook_url(url)
    finally:
        sb.state.lock.acquire()
    if status != 200:
        raise invalid(
            "url",
            "We couldn't verify the URL is working. Please double check and try again. "
            f"HTTP Code: {status or 'no response'}",
        )
    events = {name: True for name in WEBHOOK_EVENTS}
    events.update({k: bool(v) for k, v in (body.get("events") or {}).items() if k in events})
    sources = {"user": True, "admin": True, "api": False}
    sources.update({k: bool(v) for k, v in (body.get("sources") or {}).items() if k in sources})
    webhook = {
        "id": new_id(),
        "url": url,
        "events": events,
        "sources": sources,
        "list_id": list_id,
        "_links": [],
    }
    sb.state.webhooks[list_id][webhook["id"]] = webhook
    return 200, webhook_view(webhook)


def list_webhooks(sb, req, list_id):
    get_audience(sb, list_id)
    hooks = [webhook_view(w) for w in sb.state.webhooks[list_id].values()]
    return 200, {"webhooks": hooks, "list_id": list_id, "total_items": len(hooks), "_links": []}


def get_webhook(sb, req, list_id, webhook_id):
    get_audience(sb, list_id)
    webhook = sb.state.webhooks[list_id].get(webhook_id)
    if webhook is None:
        raise not_found()
    return 200, webhook_view(webhook)


def delete_webhook(sb, req, list_id, webhook_id):
    get_audience(sb, list_id)
    if sb.state.webhooks[list_id].pop(webhook_id, None) is None:
        raise not_found()
    return 204, None


def is_unsubscribable(member: dict) -> bool:
    return member["status"] in ("subscribed", "pending")


def unsubscribe_member(sb, list_id: str, member: dict, campaign_id: str, source: str) -> bool:
    """The unsubscribe page and one-click: mark unsubscribed and fire the webhook."""
    if member["status"] != "subscribed":
        return False
    member["status"] = "unsubscribed"
    member["unsubscribe_reason"] = "N/A (Unsubscribed by user)"
    member["last_changed"] = iso()
    activity = sb.state.activity.get(campaign_id) if campaign_id else None
    if activity is not None:
        activity["unsubscribes"].append(
            {"email": member["email_address"], "member_id": member["id"], "at": iso(now())}
        )
    extra = {"action": "unsub", "reason": "manual", "campaign_id": campaign_id or ""}
    sb.webhooks.fire(list_id, "unsubscribe", source, member, extra)
    return True
