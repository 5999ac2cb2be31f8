"""Mailchimp Transactional (Mandrill) 1.0: messages/send.json and users/ping.json, as anymail calls them."""

from __future__ import annotations

import re
import secrets

from .wire import Response


def error(status: int, name: str, message: str, code: int = -1) -> Response:
    return Response(status, {"status": "error", "code": code, "name": name, "message": message})


def merge(text: str, values: dict[str, str]) -> str:
    if not text or not values:
        return text
    return re.sub(
        r"\*\|([A-Za-z0-9_]+)\|\*",
        lambda m: values.get(m.group(1).upper(), m.group(0)),
        text,
    )


def handle(sb, req) -> Response:
    if req.method != "POST":
        return error(405, "MethodNotAllowed", "Only POST is supported.")
    body = req.body if isinstance(req.body, dict) else None
    if body is None:
        return error(500, "ValidationError", "You must specify a key value")
    key = body.get("key")
    if not key or (sb.mandrill_key and key != sb.mandrill_key):
        return error(500, "Invalid_Key", "Invalid API key")
    if req.path in ("/users/ping.json", "/users/ping"):
        return Response(200, b'"PONG!"')  # a JSON string, as Mandrill answers
    if req.path not in ("/messages/send.json", "/messages/send-template.json"):
        return error(500, "Unknown_Method", f"Unknown method {req.path}")
    message = body.get("message")
    if not isinstance(message, dict) or not message.get("to"):
        return error(500, "ValidationError", 'Validation error: {"message":{"to":"required"}}')
    global_vars = {
        v["name"].upper(): str(v.get("content", "")) for v in message.get("global_merge_vars") or []
    }
    per_rcpt = {
        entry["rcpt"].lower(): {v["name"].upper(): str(v.get("content", "")) for v in entry["vars"]}
        for entry in message.get("merge_vars") or []
    }
    results = []
    headers = dict(message.get("headers") or {})
    for rcpt in message["to"]:
        email = rcpt.get("email", "")
        if "@" not in email:
            results.append(
                {
                    "email": email,
                    "status": "invalid",
                    "_id": secrets.token_hex(16),
                    "reject_reason": None,
                }
            )
            continue
        values = {**global_vars, **per_rcpt.get(email.lower(), {})}
        subject = merge(message.get("subject", ""), values)
        stored = sb.delivery.add_message(
            kind="transactional",
            to=email,
            to_name=rcpt.get("name", ""),
            from_email=message.get("from_email", ""),
            from_name=message.get("from_name", ""),
            subject=subject,
            html=merge(message.get("html") or "", values),
            text=merge(message.get("text") or "", values),
            headers={
                "From": f"{message.get('from_name', '')} <{message.get('from_email', '')}>".strip(),
                "To": email,
                "Subject": subject,
                **headers,
            },
            tags=message.get("tags") or [],
            metadata={
                **(message.get("metadata") or {}),
                **next(
                    (
                        m.get("values", {})
                        for m in message.get("recipient_metadata") or []
                        if m.get("rcpt", "").lower() == email.lower()
                    ),
                    {},
                ),
            },
            recipient_type=rcpt.get("type", "to"),
            attachments=[
                {"name": a.get("name"), "type": a.get("type")}
                for a in message.get("attachments") or []
            ],
        )
        mandrill_id = secrets.token_hex(16)
        stored["mandrill_id"] = mandrill_id
        results.append(
            {"email": email, "status": "sent", "_id": mandrill_id, "reject_reason": None}
        )
    return Response(200, results)
