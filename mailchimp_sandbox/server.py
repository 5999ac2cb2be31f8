"""A local stand-in for Mailchimp: Marketing API v3 subset, Mandrill messages/send, an inbox.

Framework-free (standard library HTTP server), so it runs in a thread in tests and as a process
under `manage.py mailchimp_sandbox`.

    server = SandboxServer()
    server.start()
    settings.MAILCHIMP_API_URL = server.api_url
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import audiences as aud
from . import campaigns as camp
from . import mandrill, pages
from .delivery import Delivery
from .errors import ApiError, not_found
from .state import DEFAULT_AUDIENCE_ID, SandboxState, now
from .webhooks import WebhookDispatcher
from .wire import Request, Response, problem

MAX_CONNECTIONS = 10
MAX_BODY = 5 * 1024 * 1024
P = r"([^/]+)"

# (method, pattern after /3.0, handler)
ROUTES = [
    ("GET", r"/ping", aud.ping),
    ("GET", r"/lists", aud.get_lists),
    ("GET", rf"/lists/{P}", aud.get_list),
    ("PATCH", rf"/lists/{P}", aud.patch_list),
    ("POST", rf"/lists/{P}", aud.batch_subscribe),
    ("GET", rf"/lists/{P}/members", aud.list_members),
    ("POST", rf"/lists/{P}/members", aud.add_member),
    ("GET", rf"/lists/{P}/members/{P}", aud.get_member_view),
    ("PUT", rf"/lists/{P}/members/{P}", aud.put_member),
    ("PATCH", rf"/lists/{P}/members/{P}", aud.patch_member),
    ("DELETE", rf"/lists/{P}/members/{P}", aud.archive_member),
    ("POST", rf"/lists/{P}/members/{P}/actions/delete-permanent", aud.delete_permanent),
    ("GET", rf"/lists/{P}/members/{P}/tags", aud.get_member_tags),
    ("POST", rf"/lists/{P}/members/{P}/tags", aud.post_member_tags),
    ("GET", rf"/lists/{P}/segments", aud.list_segments),
    ("POST", rf"/lists/{P}/segments", aud.create_segment),
    ("GET", rf"/lists/{P}/segments/{P}", aud.get_segment),
    ("GET", rf"/lists/{P}/tag-search", aud.tag_search),
    ("GET", rf"/lists/{P}/webhooks", aud.list_webhooks),
    ("POST", rf"/lists/{P}/webhooks", aud.create_webhook),
    ("GET", rf"/lists/{P}/webhooks/{P}", aud.get_webhook),
    ("DELETE", rf"/lists/{P}/webhooks/{P}", aud.delete_webhook),
    ("GET", r"/campaigns", camp.list_campaigns),
    ("POST", r"/campaigns", camp.create_campaign),
    ("GET", rf"/campaigns/{P}", camp.get_campaign_view),
    ("PATCH", rf"/campaigns/{P}", camp.patch_campaign),
    ("DELETE", rf"/campaigns/{P}", camp.delete_campaign),
    ("GET", rf"/campaigns/{P}/content", camp.get_content),
    ("PUT", rf"/campaigns/{P}/content", camp.put_content),
    ("GET", rf"/campaigns/{P}/send-checklist", camp.send_checklist),
    ("POST", rf"/campaigns/{P}/actions/test", camp.test_campaign),
    ("POST", rf"/campaigns/{P}/actions/schedule", camp.schedule_campaign),
    ("POST", rf"/campaigns/{P}/actions/unschedule", camp.unschedule_campaign),
    ("POST", rf"/campaigns/{P}/actions/send", camp.send_campaign),
    ("POST", rf"/campaigns/{P}/actions/cancel-send", camp.cancel_send),
    ("GET", rf"/reports/{P}", camp.report),
    ("GET", rf"/reports/{P}/unsubscribed", camp.report_unsubscribed),
    ("GET", rf"/reports/{P}/click-details", camp.report_click_details),
]
COMPILED = [(m, re.compile(f"^{p}/?$"), h) for m, p, h in ROUTES]


class _Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: list[dict] = []

    def add(
        self,
        status=None,
        delay=None,
        count=1,
        api="marketing",
        method=None,
        path=None,
        body_has=None,
        title=None,
        detail=None,
        hook=None,
    ) -> None:
        with self.lock:
            self.items.append(
                {
                    "status": status,
                    "delay": delay,
                    "count": count,
                    "api": api,
                    "method": method,
                    "path": path,
                    "body_has": body_has,
                    "title": title,
                    "detail": detail,
                    "hook": hook,
                }
            )

    @staticmethod
    def matches(fault: dict, req) -> bool:
        if req is None:
            return not (fault.get("method") or fault.get("path") or fault.get("body_has"))
        if fault.get("method") and fault["method"].upper() != req.method.upper():
            return False
        if fault.get("path") and fault["path"] not in req.path:
            return False
        body = req.body if isinstance(req.body, dict) else {}
        return not (fault.get("body_has") and fault["body_has"] not in body)

    def take(self, api: str, req=None) -> dict | None:
        with self.lock:
            for fault in self.items:
                if fault["api"] == api and fault["count"] > 0 and self.matches(fault, req):
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self.items.remove(fault)
                    return dict(fault)
        return None

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        state_file: str | None = None,
        audience_id: str = DEFAULT_AUDIENCE_ID,
        mandrill_key: str | None = None,
        webhook_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0),
        send_delay: float = 0.0,
        max_connections: int = MAX_CONNECTIONS,
        max_body: int = MAX_BODY,
        max_log: int | None = None,
        verbose: bool = False,
    ):
        self.host = host
        self.port = port
        self.api_key = api_key
        self.mandrill_key = mandrill_key
        self.audience_id = audience_id
        self.state = SandboxState(audience_id, state_file)
        self.delivery = Delivery(self)
        self.webhooks = WebhookDispatcher(self, webhook_retry_delays)
        self.faults = _Faults()
        self.send_delay = send_delay
        self.max_connections = max_connections
        self.max_body = max_body
        self.max_log = max_log  # a long-running process keeps only the latest requests
        self.verbose = verbose
        self.contract_exempt = False
        self._inflight = 0
        self._generation = 0  # bumped by reset(): late answers of an old test are not logged
        self._inflight_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._clock: threading.Thread | None = None
        self._stop = threading.Event()

    # Lifecycle -------------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        handler = type("Handler", (_Handler,), {"sandbox": self})
        self._httpd = _HTTPServer((self.host, self.port), handler)
        self.port = self._httpd.server_address[1]
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        self.webhooks.start()
        self._clock = threading.Thread(target=self._run_clock, name="sandbox-clock", daemon=True)
        self._clock.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.webhooks.stop()
        if self._clock:
            self._clock.join(timeout=5)
        self.save()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/3.0"

    @property
    def mandrill_url(self) -> str:
        return f"{self.base_url}/api/1.0"

    @property
    def in_flight(self) -> int:
        """API requests being answered right now."""
        with self._inflight_lock:
            return self._inflight

    @property
    def requests(self) -> list[dict]:
        return self.state.requests

    @property
    def inbox(self) -> list[dict]:
        return self.state.inbox

    # Test controls ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh account: default audience only, empty inbox and log, no faults."""
        self.webhooks.clear()
        self.faults.clear()
        with self.state.lock:
            self._generation += 1
            self.state.reset_data()
            self.state.requests.clear()
        self.contract_exempt = False
        self.save()

    def inject(
        self,
        status: int | None = None,
        count: int = 1,
        delay: float | None = None,
        api: str = "marketing",
        *,
        method: str | None = None,
        path: str | None = None,
        body_has: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        hook=None,
    ) -> None:
        """The next `count` API requests answer `status` (500, 429…) or answer after `delay` s.

        `api` is "marketing" (the /3.0 API, default) or "mandrill". Only requests that match
        count: `method`, `path` (a substring of the path after /3.0, e.g. a member hash) and
        `body_has` (a key of the JSON body, e.g. "merge_fields"). `title`/`detail` replace the
        problem's text (e.g. a 400 "Invalid Resource"). `hook(req)` is called (outside the
        state lock) before the matching request is handled, e.g. to change members mid-pull.
        """
        if status is None and delay is None and hook is None:
            raise ValueError("inject() needs status, delay or hook")
        self.faults.add(
            status=status,
            delay=delay,
            count=count,
            api=api,
            method=method,
            path=path,
            body_has=body_has,
            title=title,
            detail=detail,
            hook=hook,
        )

    @contextlib.contextmanager
    def no_contract(self):
        """Requests made inside are left out of contract checks (for deliberately bad ones)."""
        self.contract_exempt = True
        try:
            yield self
        finally:
            self.contract_exempt = False

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no API request is in progress (e.g. slow ones a client gave up on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._inflight_lock:
                if self._inflight == 0:
                    return True
            time.sleep(0.02)
        return False

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        return self.webhooks.wait(timeout)

    def send_confirmation(self, list_id: str, member: dict) -> None:
        self.delivery.send_confirmation(list_id, member)

    def messages(self, to: str | None = None, kind: str | None = None) -> list[dict]:
        with self.state.lock:
            return [
                m
                for m in self.state.inbox
                if (to is None or m["to"].lower() == to.lower())
                and (kind is None or m["kind"] == kind)
            ]

    def deliver_due(self, campaign_id: str | None = None, force: bool = False) -> int:
        """Deliver scheduled (or slow-sending) campaigns whose time has come; returns how many."""
        delivered = 0
        with self.state.lock:
            for campaign in list(self.state.campaigns.values()):
                if campaign_id and campaign["id"] != campaign_id:
                    continue
                meta = self.state.campaign_meta.get(campaign["id"], {})
                due = meta.get("deliver_at")
                if campaign["status"] not in ("schedule", "sending") or not due:
                    continue
                if force or due <= now().isoformat():
                    campaign["status"] = "sending"
                    self.delivery.deliver_campaign(campaign)
                    delivered += 1
        if delivered:
            self.save()
        return delivered

    def later(self, seconds: float, action) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        timer.start()

    def save(self) -> None:
        self.state.save()

    def _run_clock(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.deliver_due()
            except Exception:  # noqa: BLE001 - the clock must keep running
                if self.verbose:
                    traceback.print_exc()

    # Request handling ------------------------------------------------------------------------

    def _enter(self) -> bool:
        with self._inflight_lock:
            self._inflight += 1
            return self._inflight <= self.max_connections

    def _leave(self) -> None:
        with self._inflight_lock:
            self._inflight -= 1

    def handle(self, method: str, raw_path: str, headers, raw: bytes, client_ip: str) -> Response:
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        if path.startswith("/3.0/") or path == "/3.0":
            api, sub = "marketing", path[4:] or "/"
        elif path.startswith("/api/1.0/"):
            api, sub = "mandrill", path[8:]
        else:
            api, sub = "page", path
        req = Request(method, sub, query, dict(headers.items()), raw, client_ip=client_ip)
        generation = self._generation
        entry = {
            "api": api,
            "method": method,
            "path": path,
            "api_path": sub,
            "query": query,
            "body": None,
            "started": time.time(),
            "contract_exempt": self.contract_exempt,
        }
        if api == "page":
            # Pages and controls are not part of the API log.
            return pages.handle(self, req)
        counted = self._enter()
        try:
            if not counted:
                response = problem(
                    ApiError(
                        429,
                        "Too Many Requests",
                        "You have exceeded the limit of 10 simultaneous connections.",
                    )
                )
            else:
                response = self._handle_api(api, req, entry)
        finally:
            self._leave()
        entry.update(
            status=response.status,
            response_content_type=response.content_type,
            response=response.body,
            duration=time.time() - entry["started"],
        )
        with self.state.lock:
            if generation == self._generation:
                self.state.requests.append(entry)
                if self.max_log and len(self.state.requests) > self.max_log:
                    del self.state.requests[: -self.max_log]
        return response

    def _handle_api(self, api: str, req: Request, entry: dict) -> Response:
        if req.raw:
            try:
                req.body = json.loads(req.raw)
            except ValueError:
                req.body = req.raw.decode("utf-8", "replace")
                entry["body"] = req.body
                if api == "marketing":
                    return problem(
                        ApiError(
                            400,
                            "JSON Parse Error",
                            "We encountered an unspecified JSON parsing error.",
                        )
                    )
            entry["body"] = req.body
        if api == "marketing":
            # Mailchimp sends at the scheduled time, not when a clock happens to tick: whatever
            # is due has gone out before a request is answered (also under a test's time travel).
            self.deliver_due()
        fault = self.faults.take(api, req)
        if fault and fault.get("hook"):
            fault["hook"](req)
        if fault and fault.get("delay"):
            time.sleep(fault["delay"])
        if fault and fault.get("status"):
            status = int(fault["status"])
            if api == "mandrill":
                return Response(
                    status,
                    {"status": "error", "code": -99, "name": "GeneralError", "message": "Injected"},
                )
            titles = {429: "Too Many Requests", 503: "Service Unavailable"}
            headers = {"Retry-After": "1"} if status == 429 else {}
            return problem(
                ApiError(
                    status,
                    fault.get("title") or titles.get(status, "Internal Server Error"),
                    fault.get("detail")
                    or "An unexpected internal error has occurred (injected by the sandbox).",
                    headers=headers,
                )
            )
        if api == "mandrill":
            with self.state.lock:
                response = mandrill.handle(self, req)
            self.save()
            return response
        try:
            self._authenticate(req)
            handler, params = self._route(req)
            with self.state.lock:
                status, body = handler(self, req, *params)
        except ApiError as error:
            return problem(error)
        if req.method != "GET":
            self.save()
        if body is None:
            return Response(status, None, "application/json; charset=utf-8")
        return Response(status, select_fields(body, req.query))

    def _authenticate(self, req: Request) -> None:
        header = req.headers.get("Authorization") or req.headers.get("authorization") or ""
        key = ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode("utf-8")
                key = decoded.split(":", 1)[1] if ":" in decoded else ""
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        elif header.lower().startswith(("bearer ", "apikey ")):
            key = header.split(" ", 1)[1].strip()
        if not key:
            raise ApiError(401, "API Key Missing", "Your request did not include an API key.")
        valid = (
            key == self.api_key if self.api_key else bool(re.fullmatch(r"[^-\s]+-[a-z]+\d+", key))
        )
        if not valid:
            raise ApiError(
                401,
                "API Key Invalid",
                "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            )

    def _route(self, req: Request):
        allowed = False
        for method, pattern, handler in COMPILED:
            match = pattern.match(req.path)
            if match:
                if method == req.method:
                    return handler, [unquote(g) for g in match.groups()]
                allowed = True
        if allowed:
            raise ApiError(
                405,
                "Method Not Allowed",
                "The requested method and resource are not compatible. See the Allow header "
                "for this resource's available methods.",
            )
        raise not_found()


def select_fields(body, query: dict[str, list[str]]):
    """Mailchimp's `fields` / `exclude_fields`: comma-separated dotted paths into the answer."""

    def paths(name):
        return [p.split(".") for v in query.get(name, []) for p in v.split(",") if p.strip()]

    include, exclude = paths("fields"), paths("exclude_fields")

    def keep(node, wanted):
        if isinstance(node, list):
            return [keep(item, wanted) for item in node]
        if not isinstance(node, dict):
            return node
        result = {}
        for key, value in node.items():
            matches = [p for p in wanted if p[0] == key]
            if any(len(p) == 1 for p in matches):
                result[key] = value
            elif matches:
                result[key] = keep(value, [p[1:] for p in matches])
        return result

    def drop(node, unwanted):
        if isinstance(node, list):
            return [drop(item, unwanted) for item in node]
        if not isinstance(node, dict):
            return node
        result = {}
        for key, value in node.items():
            matches = [p for p in unwanted if p[0] == key]
            if any(len(p) == 1 for p in matches):
                continue
            result[key] = drop(value, [p[1:] for p in matches]) if matches else value
        return result

    if include:
        body = keep(body, include)
    if exclude:
        body = drop(body, exclude)
    return body


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    sandbox: SandboxServer
    server_version = "MailchimpSandbox/1.0"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.sandbox.max_body:
            response = problem(
                ApiError(413, "Request Entity Too Large", "The request body is too large.")
            )
            # Read what was sent (up to a bound) so the client sees the answer, not a reset.
            remaining = min(length, 8 * self.sandbox.max_body)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            self.close_connection = True
            self._send(response)
            return
        raw = self.rfile.read(length) if length else b""
        try:
            response = self.sandbox.handle(
                self.command, self.path, self.headers, raw, self.client_address[0]
            )
        except Exception as exc:  # noqa: BLE001 - answer like Mailchimp's 500, log for us
            traceback.print_exc()
            response = problem(ApiError(500, "Internal Server Error", f"Sandbox error: {exc}"))
        self._send(response)

    def _send(self, response: Response) -> None:
        data = response.encoded()
        self.send_response(response.status)
        if data or response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        if self.sandbox.verbose:
            super().log_message(format, *args)
