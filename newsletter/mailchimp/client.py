"""The one place that builds the Mailchimp Marketing SDK client and interprets its failures."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass

import mailchimp_marketing
import requests
from mailchimp_marketing.api_client import ApiClientError

from django.conf import settings
from django.utils.translation import gettext as _

RETRYABLE_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class MailchimpError(Exception):
    """A failed Mailchimp call, with Mailchimp's problem+json fields when it sent them."""

    status: int | None
    title: str = ""
    detail: str = ""
    type: str = ""
    instance: str = ""
    errors: list | None = None

    def __str__(self) -> str:
        return f"Mailchimp {self.status or 'network'}: {self.title} {self.detail}".strip()

    @property
    def retryable(self) -> bool:
        # No status means the request never got an answer (timeout, refused connection).
        return self.status is None or self.status in RETRYABLE_STATUSES

    @property
    def message_sv(self) -> str:
        """What an editor is shown, in Swedish, with Mailchimp's own detail."""
        if self.status is None:
            base = _("Mailchimp could not be reached (network error or timeout).")
        elif self.status == 401:
            base = _("Mailchimp did not accept the API key.")
        elif self.status == 403:
            base = _("Mailchimp denied access.")
        elif self.status == 404:
            base = _("Mailchimp could not find what was requested.")
        elif self.status == 429:
            base = _(
                "Mailchimp is not accepting more calls right now (too many simultaneous calls)."
            )
        elif self.status >= 500:
            base = _("Mailchimp is having technical problems right now.")
        else:
            base = _("Mailchimp refused the request.")
        extra = " ".join(p for p in [self.title, self.detail] if p)
        return f"{base} {extra}".strip() if extra else base

    @classmethod
    def from_sdk(cls, exc: ApiClientError) -> MailchimpError:
        text = exc.text
        if (
            isinstance(text, (requests.Timeout, requests.ConnectionError, OSError))
            or exc.status_code is None
        ):
            return cls(status=None, title=type(text).__name__, detail=str(text)[:500])
        body = text
        if isinstance(text, str):
            try:
                body = json.loads(text)
            except ValueError:
                body = {"detail": text[:500]}
        if not isinstance(body, dict):
            body = {"detail": str(body)[:500]}
        return cls(
            status=exc.status_code,
            title=str(body.get("title", "")),
            detail=str(body.get("detail", "")),
            type=str(body.get("type", "")),
            instance=str(body.get("instance", "")),
            errors=body.get("errors"),
        )


class MailchimpNotConfigured(MailchimpError):
    """No API key: nothing is sent, and retrying cannot help until an operator configures it."""

    def __init__(self):
        super().__init__(status=None, title="ImproperlyConfigured", detail="MAILCHIMP_API_KEY")

    @property
    def retryable(self) -> bool:
        return False

    @property
    def message_sv(self) -> str:
        return _("Mailchimp is not configured (MAILCHIMP_API_KEY is missing).")


def is_configured() -> bool:
    return bool(settings.MAILCHIMP_API_KEY and settings.MAILCHIMP_AUDIENCE_ID)


def get_client() -> mailchimp_marketing.Client:
    """The SDK client for the configured account; MAILCHIMP_API_URL points it elsewhere (the sandbox)."""
    if not settings.MAILCHIMP_API_KEY:
        raise MailchimpNotConfigured()
    client = mailchimp_marketing.Client()
    client.set_config(
        {"api_key": settings.MAILCHIMP_API_KEY, "timeout": settings.MAILCHIMP_TIMEOUT}
    )
    if settings.MAILCHIMP_API_URL:
        # The SDK replaces the word "server" in the URL with the data centre: keep the override verbatim.
        client.api_client.host = settings.MAILCHIMP_API_URL.rstrip("/")
        client.api_client.server = ""
    return client


def call(operation, *args, **kwargs):
    """Run one SDK call; raise MailchimpError on any failure, including the SDK's quiet ones."""
    try:
        result = operation(*args, **kwargs)
    except ApiClientError as exc:
        raise MailchimpError.from_sdk(exc) from exc
    except requests.RequestException as exc:
        raise MailchimpError(status=None, title=type(exc).__name__, detail=str(exc)[:500]) from exc
    # The SDK returns the raw response when the body is empty or not JSON (problem+json included).
    if isinstance(result, requests.Response):
        if not result.ok:
            raise MailchimpError.from_sdk(ApiClientError(result.text, result.status_code))
        return None
    return result


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: MD5 of the lower-cased address."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def retry_delay(attempt: int, base: float = 2.0, cap: float = 600.0) -> float:
    """Exponential backoff with full jitter, in seconds, for the given 1-based attempt."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
