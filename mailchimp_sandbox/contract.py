"""Check Marketing API requests and responses against Mailchimp's OpenAPI description.

The description (tests/data/mailchimp-openapi.json, 3 MB) is loaded once per process and cached.
Its path parameters are camelCase (`{listId}`); they match any one real path segment.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "mailchimp-openapi.json"
SPEC_URI = "urn:mailchimp-openapi"
JSON_TYPES = ("application/json", "application/problem+json")


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern
    pointer: str  # JSON pointer of the operation inside the spec
    spec: dict


@dataclass
class ContractViolation:
    method: str
    path: str
    where: str  # "request", "response" or "route"
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.where}]: {self.message}"


@dataclass
class Contract:
    spec: dict
    operations: list[Operation] = field(default_factory=list)
    _validators: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path | str = SPEC_PATH) -> Contract:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        _fix_known_defects(spec)
        contract = cls(spec=spec)
        for template, item in spec["paths"].items():
            regex = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
            pattern = re.compile(f"^{regex}/?$")
            for method, op in item.items():
                if method in ("parameters", "summary", "description"):
                    continue
                pointer = "/paths/" + _escape(template) + "/" + method
                contract.operations.append(
                    Operation(method.upper(), template, pattern, pointer, op)
                )
        # Literal segments beat parameters: /lists/{listId}/members before /lists/{listId}/{x}.
        contract.operations.sort(key=lambda o: -len(re.sub(r"\{[^}]+\}", "", o.template)))
        return contract

    def find(self, method: str, path: str) -> Operation | None:
        for op in self.operations:
            if op.method == method and op.pattern.match(path):
                return op
        return None

    def _validator(self, pointer: str) -> OAS30Validator:
        with self._lock:
            validator = self._validators.get(pointer)
            if validator is None:
                resource = Resource.from_contents(self.spec, default_specification=DRAFT4)
                registry = Registry().with_resource(SPEC_URI, resource)
                validator = OAS30Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry)
                self._validators[pointer] = validator
            return validator

    def _errors(self, pointer: str, instance) -> list[str]:
        try:
            errors = sorted(self._validator(pointer).iter_errors(instance), key=str)
        except ValidationError as exc:  # pragma: no cover - defensive
            errors = [exc]
        return [_describe(e) for e in errors[:5]]

    def check(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]] | None = None,
        body=None,
        status: int | None = None,
        content_type: str = "",
        response=None,
        check_request: bool = True,
    ) -> list[ContractViolation]:
        """Violations of one exchange; `path` is the part after /3.0, without the query."""
        method = method.upper()
        op = self.find(method, path)
        if op is None:
            return [ContractViolation(method, path, "route", "no such operation in the API")]
        found: list[ContractViolation] = []
        if check_request:
            found += self._check_request(op, path, query or {}, body)
        if status is not None:
            answer = self._check_response(op, path, status, content_type, response)
            if query and ({"fields", "exclude_fields"} & set(query)):
                # The caller asked for part of the answer: missing properties are expected.
                answer = [v for v in answer if "is a required property" not in v.message]
            found += answer
        return found

    def _check_request(self, op, path, query, body) -> list[ContractViolation]:
        found = []
        params = {p["name"]: p for p in op.spec.get("parameters", []) if p.get("in") == "query"}
        for name, values in query.items():
            param = params.get(name)
            if param is None:
                found.append(
                    ContractViolation(op.method, path, "request", f"unknown query {name!r}")
                )
                continue
            value = _coerce(values, param.get("schema", {}))
            index = op.spec["parameters"].index(param)
            pointer = f"{op.pointer}/parameters/{index}/schema"
            for message in self._errors(pointer, value):
                found.append(ContractViolation(op.method, path, "request", f"?{name}: {message}"))
        request_body = op.spec.get("requestBody")
        if request_body:
            if body is None:
                if request_body.get("required"):
                    found.append(ContractViolation(op.method, path, "request", "body required"))
            elif "application/json" in request_body.get("content", {}):
                pointer = f"{op.pointer}/requestBody/content/application~1json/schema"
                for message in self._errors(pointer, body):
                    found.append(ContractViolation(op.method, path, "request", message))
        return found

    def _check_response(self, op, path, status, content_type, response) -> list[ContractViolation]:
        responses = op.spec.get("responses", {})
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return [ContractViolation(op.method, path, "response", f"undocumented status {status}")]
        if key == "default" and 200 <= status < 300:
            return [ContractViolation(op.method, path, "response", f"undocumented status {status}")]
        content = responses[key].get("content", {})
        media = (content_type or "").split(";")[0].strip()
        if not content:
            if response not in (None, "", b""):
                return [
                    ContractViolation(op.method, path, "response", "body where none is described")
                ]
            return []
        if media not in content:
            return [
                ContractViolation(
                    op.method, path, "response", f"content type {media!r} not described"
                )
            ]
        pointer = f"{op.pointer}/responses/{key}/content/{_escape(media)}/schema"
        return [
            ContractViolation(op.method, path, "response", message)
            for message in self._errors(pointer, response)
        ]


def _fix_known_defects(node) -> None:
    """Correct what the description gets wrong about the live API (in memory only).

    - `merge_fields` values are declared as objects, but Mailchimp sends and takes strings
      (FNAME), numbers and address objects: allow any value.
    """
    if isinstance(node, dict):
        merge = node.get("properties", {}).get("merge_fields")
        if isinstance(merge, dict) and isinstance(merge.get("additionalProperties"), dict):
            merge["additionalProperties"] = {}
        for value in node.values():
            _fix_known_defects(value)
    elif isinstance(node, list):
        for value in node:
            _fix_known_defects(value)


def _escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def _coerce(values: list[str], schema: dict):
    kind = schema.get("type")
    if kind == "array":
        items = [v for value in values for v in value.split(",")]
        return [_coerce([v], schema.get("items", {})) for v in items]
    value = values[-1]
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value.lower(), value)
    return value


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message[:300]}"


@lru_cache(maxsize=1)
def get_contract() -> Contract:
    """The project's copy of the API description, loaded once per process."""
    return Contract.load()


def violations_in(log: list[dict]) -> list[ContractViolation]:
    """Violations in a sandbox request log (only Marketing API exchanges are described)."""
    contract = get_contract()
    found = []
    for entry in log:
        if entry.get("api") != "marketing" or entry.get("contract_exempt"):
            continue
        found += contract.check(
            entry["method"],
            entry["api_path"],
            query=entry.get("query"),
            body=entry.get("body"),
            status=entry.get("status"),
            content_type=entry.get("response_content_type", ""),
            response=entry.get("response"),
        )
    return found
