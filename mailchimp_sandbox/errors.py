"""Mailchimp's error answers: application/problem+json with type, title, status, detail, instance."""

from __future__ import annotations

import uuid

ERROR_DOCS = "https://mailchimp.com/developer/marketing/docs/errors/"
INVALID_DETAIL = (
    "The resource submitted could not be validated. "
    "For field-specific details, see the 'errors' array."
)


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: list[dict] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict:
        body = {
            "type": ERROR_DOCS,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": str(uuid.uuid4()),
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found() -> ApiError:
    return ApiError(404, "Resource Not Found", "The requested resource could not be found.")


def invalid(field: str, message: str, detail: str = INVALID_DETAIL) -> ApiError:
    return ApiError(400, "Invalid Resource", detail, [{"field": field, "message": message}])


def bad_request(detail: str, title: str = "Bad Request", errors: list | None = None) -> ApiError:
    return ApiError(400, title, detail, errors)
