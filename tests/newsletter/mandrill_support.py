"""Posts to anymail's Mandrill tracking webhook as Mandrill makes them: signed and authenticated
with the keys cms/settings/test.py sets (ANYMAIL MANDRILL_WEBHOOK_KEY and WEBHOOK_SECRET)."""

import base64
import hashlib
import hmac
import json
import time

PATH = "/newsletter/webhooks/anymail/mandrill/"
WEBHOOK_KEY = "test-mandrill-webhook-key"  # ANYMAIL MANDRILL_WEBHOOK_KEY in the test settings
BASIC_AUTH = "anymail:secret"  # ANYMAIL WEBHOOK_SECRET in the test settings


def mandrill_event(kind: str, email: str, event_id: str, ts: int | None = None) -> dict:
    """One event as Mandrill posts it (abridged to what anymail reads)."""
    ts = ts or int(time.time()) + 1
    return {
        "event": kind,
        "_id": event_id,
        "ts": ts,
        "msg": {
            "_id": event_id,
            "email": email,
            "sender": "nyhetsbrev@smakom.se",
            "subject": "Bekräfta din prenumeration",
            "state": "bounced" if "bounce" in kind else "sent",
            "tags": [],
            "metadata": {},
            "ts": ts - 60,
        },
    }


def signed_raw(
    client, params: dict, *, key: str = WEBHOOK_KEY, auth: str = BASIC_AUTH, path: str = PATH
):
    """A correctly signed and authenticated post of arbitrary form params."""
    # Mandrill signs the exact URL it posts to (with the basic auth) plus the sorted params.
    url = f"http://{auth}@testserver{path}"
    signed = url + "".join(k + params[k] for k in sorted(params))
    signature = base64.b64encode(
        hmac.new(key.encode(), signed.encode(), hashlib.sha1).digest()
    ).decode()
    return client.post(
        path,
        params,
        HTTP_X_MANDRILL_SIGNATURE=signature,
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(auth.encode()).decode(),
    )


def signed_post(client, events: list[dict], **signing):
    return signed_raw(client, {"mandrill_events": json.dumps(events)}, **signing)
