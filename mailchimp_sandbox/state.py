"""The sandbox's account: audiences, members, campaigns, webhooks, inbox; JSON-serialisable.

Everything the API returns lives here as API-shaped dicts; private bookkeeping (content, tokens,
activity, counters) lives in separate dicts so API objects can be returned as they are.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_AUDIENCE_ID = "testaudience"
SECTIONS = (
    "audiences",
    "members",
    "forgotten",
    "segments",
    "webhooks",
    "campaigns",
    "content",
    "campaign_meta",
    "activity",
    "inbox",
    "tokens",
    "test_sends",
    "webhook_deliveries",
    "counters",
)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).isoformat()


def new_id(nbytes: int = 5) -> str:
    return secrets.token_hex(nbytes)


def default_audience(list_id: str) -> dict:
    return {
        "id": list_id,
        "web_id": 100001,
        "name": "SmåKom nyhetsbrev",
        "contact": {
            "company": "SmåKom",
            "address1": "Box 123",
            "address2": "",
            "city": "Stockholm",
            "state": "",
            "zip": "111 22",
            "country": "SE",
            "phone": "",
        },
        "permission_reminder": (
            "Du får det här mejlet för att du har anmält dig till SmåKoms nyhetsbrev på smakom.se."
        ),
        "use_archive_bar": True,
        "campaign_defaults": {
            "from_name": "SmåKom",
            "from_email": "nyhetsbrev@smakom.se",
            "subject": "",
            "language": "sv",
        },
        "notify_on_subscribe": "",
        "notify_on_unsubscribe": "",
        "date_created": iso(),
        "list_rating": 0,
        "email_type_option": False,
        "subscribe_url_short": f"https://eepurl.com/{list_id}",
        "subscribe_url_long": f"https://smakom.us1.list-manage.com/subscribe?id={list_id}",
        "beamer_address": f"us1-{list_id}@inbound.mailchimp.com",
        "visibility": "prv",
        "double_optin": True,
        "has_welcome": False,
        "marketing_permissions": False,
        "modules": [],
        "stats": {},
        "_links": [],
    }


class SandboxState:
    """Thread-safe holder of the sandbox data, optionally saved to a JSON file on change."""

    def __init__(self, audience_id: str = DEFAULT_AUDIENCE_ID, state_file: str | None = None):
        self.audience_id = audience_id
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self._save_lock = threading.Lock()  # saves land in order: the file is the latest state
        self.requests: list[dict] = []
        self.data: dict = {}
        if not self._load():
            self.reset_data()

    # Inspectable sections (tests read these directly).
    def __getattr__(self, name):
        if name in SECTIONS:
            return self.__dict__["data"][name]
        raise AttributeError(name)

    def reset_data(self) -> None:
        with self.lock:
            self.data = {name: {} for name in SECTIONS}
            self.data["inbox"] = []
            self.data["webhook_deliveries"] = []
            self.data["counters"] = {"web_id": 1000, "segment": 10000, "message": 0}
            self.add_audience(self.audience_id)

    def add_audience(self, list_id: str) -> dict:
        audience = default_audience(list_id)
        self.data["audiences"][list_id] = audience
        self.data["members"][list_id] = {}
        self.data["forgotten"][list_id] = []
        self.data["segments"][list_id] = {}
        self.data["webhooks"][list_id] = {}
        return audience

    def next(self, counter: str) -> int:
        with self.lock:
            self.data["counters"][counter] = self.data["counters"].get(counter, 0) + 1
            return self.data["counters"][counter]

    def snapshot(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.data)

    # Persistence: written atomically, so a crash mid-write never leaves half a file.
    def _load(self) -> bool:
        if not self.state_file or not self.state_file.exists():
            return False
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        self.data = {name: data.get(name, {}) for name in SECTIONS}
        for name in ("inbox", "webhook_deliveries"):
            if not isinstance(self.data[name], list):
                self.data[name] = []
        if self.audience_id not in self.data["audiences"]:
            self.add_audience(self.audience_id)
        return True

    def save(self) -> None:
        if not self.state_file:
            return
        with self._save_lock:
            with self.lock:
                text = json.dumps(self.data, ensure_ascii=False, indent=1)
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".sandbox-", dir=self.state_file.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, self.state_file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
