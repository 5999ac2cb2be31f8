"""Plain request/response values passed between the HTTP handler and the API modules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass
class Request:
    method: str
    path: str  # the part after the API prefix
    query: dict[str, list[str]]
    headers: dict
    raw: bytes
    body: object = None
    client_ip: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: object = None  # dict/list → JSON; str → text/HTML; bytes as is
    content_type: str = "application/json; charset=utf-8"
    headers: dict = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def problem(error: ApiError) -> Response:
    return Response(
        error.status, error.body(), "application/problem+json; charset=utf-8", error.headers
    )
