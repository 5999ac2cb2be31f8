"""Audience webhooks fired as Mailchimp fires them: form-encoded POSTs from a background thread."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from .state import now

TIMEOUT = 10


def member_fields(member: dict, list_id: str) -> list[tuple[str, str]]:
    fields = [
        ("data[id]", member["unique_email_id"]),
        ("data[list_id]", list_id),
        ("data[email]", member["email_address"]),
        ("data[email_type]", member.get("email_type", "html")),
    ]
    merges = {"EMAIL": member["email_address"], **(member.get("merge_fields") or {})}
    for key, value in merges.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                fields.append((f"data[merges][{key}][{sub}]", str(subvalue)))
        else:
            fields.append((f"data[merges][{key}]", "" if value is None else str(value)))
    fields.append(("data[ip_opt]", member.get("ip_opt", "")))
    return fields


def payload(kind: str, member: dict | None, list_id: str, extra: dict) -> list[tuple[str, str]]:
    """The form fields Mailchimp posts for one event."""
    fired = [("type", kind), ("fired_at", now().strftime("%Y-%m-%d %H:%M:%S"))]
    if kind == "upemail":
        return fired + [
            ("data[list_id]", list_id),
            ("data[new_id]", member["unique_email_id"]),
            ("data[new_email]", extra["new_email"]),
            ("data[old_email]", extra["old_email"]),
        ]
    if kind == "cleaned":
        return fired + [
            ("data[list_id]", list_id),
            ("data[campaign_id]", extra.get("campaign_id", "")),
            ("data[reason]", extra.get("reason", "hard")),
            ("data[email]", member["email_address"]),
        ]
    if kind == "campaign":
        return fired + [
            ("data[id]", extra["id"]),
            ("data[subject]", extra["subject"]),
            ("data[status]", extra["status"]),
            ("data[reason]", extra.get("reason", "")),
            ("data[list_id]", list_id),
        ]
    fields = fired
    if kind == "unsubscribe":
        fields += [
            ("data[action]", extra.get("action", "unsub")),
            ("data[reason]", extra["reason"]),
        ]
    fields += member_fields(member, list_id)
    if kind == "subscribe":
        fields.append(("data[ip_signup]", member.get("ip_signup", "")))
    if kind == "unsubscribe":
        fields.append(("data[campaign_id]", extra.get("campaign_id", "")))
    return fields


class WebhookDispatcher:
    """Delivers queued events in order, retrying failures with a short backoff."""

    def __init__(self, sb, retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0)):
        self.sb = sb
        self.retry_delays = tuple(retry_delays)
        self._queue: list = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._busy = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=5)

    def clear(self) -> None:
        with self._cond:
            self._queue.clear()

    def fire(self, list_id: str, kind: str, source: str, member: dict | None, extra: dict) -> int:
        """Queue one event for every webhook of the audience that wants it; returns how many."""
        hooks = self.sb.state.webhooks.get(list_id, {}).values()
        wanted = [
            h
            for h in hooks
            if h["events"].get(kind)
            and (kind in ("campaign", "cleaned") or h["sources"].get(source))
        ]
        if not wanted:
            return 0
        fields = payload(kind, member, list_id, extra)
        for hook in wanted:
            record = {
                "webhook_id": hook["id"],
                "url": hook["url"],
                "type": kind,
                "source": source,
                "fields": fields,
                "attempts": 0,
                "status": "pending",
                "last_status": None,
            }
            self.sb.state.webhook_deliveries.append(record)
            self._push(time.monotonic(), record)
        return len(wanted)

    def fire_campaign(self, list_id: str, campaign: dict) -> None:
        extra = {
            "id": campaign["id"],
            "subject": campaign["settings"].get("subject_line", ""),
            "status": "sent",
        }
        self.fire(list_id, "campaign", "api", None, extra)

    def _push(self, due: float, record: dict) -> None:
        with self._cond:
            heapq.heappush(self._queue, (due, next(self._order), record))
            self._cond.notify_all()

    def idle(self) -> bool:
        with self._cond:
            return not self._queue and not self._busy

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery is done (succeeded or given up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.02)
        return self.idle()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (
                    not self._queue or self._queue[0][0] > time.monotonic()
                ):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(timeout=wait)
                if self._stopping:
                    return
                _, _, record = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(record)
            finally:
                with self._cond:
                    self._busy -= 1

    def _deliver(self, record: dict) -> None:
        body = urlencode(record["fields"]).encode()
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked on creation
            record["url"],
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "MailChimp",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError):
            status = None
        with self.sb.state.lock:
            record["attempts"] += 1
            record["last_status"] = status
            if status is not None and 200 <= status < 300:
                record["status"] = "delivered"
            elif record["attempts"] <= len(self.retry_delays):
                record["status"] = "retrying"
            else:
                record["status"] = "failed"
        self.sb.save()
        if record["status"] == "retrying":
            self._push(time.monotonic() + self.retry_delays[record["attempts"] - 1], record)
