"""The audience's Mailchimp segments and tags, by name: fetched by a task, read from the database.

The recipients chooser of a campaign lists them; the request never asks Mailchimp. `fetch()` runs
in a task (newsletter.tasks.segments) and periodically.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import MailchimpError
from newsletter.models import AudienceSyncState

logger = logging.getLogger(__name__)

NAME_MAX = 200


@dataclass(frozen=True)
class Segment:
    id: int
    name: str
    # Mailchimp's segment type: "static" is a tag (or a list pasted in), "saved" and "fuzzy" are
    # segments built from conditions.
    type: str
    member_count: int | None

    @property
    def is_tag(self) -> bool:
        return self.type == "static"


@dataclass(frozen=True)
class Cached:
    segments: list[Segment]
    fetched_at: datetime | None
    requested_at: datetime | None
    error: str

    @property
    def available(self) -> bool:
        return self.fetched_at is not None

    @property
    def pending(self) -> bool:
        """A fetch was asked for and has not finished since."""
        return self.requested_at is not None and (
            self.fetched_at is None or self.requested_at > self.fetched_at
        )

    def find(self, segment_id) -> Segment | None:
        return next((s for s in self.segments if str(s.id) == str(segment_id)), None)


def _state() -> AudienceSyncState:
    return AudienceSyncState.for_audience(settings.MAILCHIMP_AUDIENCE_ID)


def _clean(raw) -> Segment | None:
    """One segment as Mailchimp listed it, or None if it is not one we can send to."""
    if not isinstance(raw, dict):
        return None
    try:
        segment_id = int(raw.get("id"))
    except (TypeError, ValueError):
        return None
    if segment_id <= 0:
        return None
    count = raw.get("member_count")
    return Segment(
        id=segment_id,
        name=str(raw.get("name") or "").strip()[:NAME_MAX] or str(segment_id),
        type=str(raw.get("type") or ""),
        member_count=int(count) if isinstance(count, int) and count >= 0 else None,
    )


def cached() -> Cached:
    state = _state()
    segments = [s for s in (_clean(raw) for raw in state.segments or []) if s is not None]
    return Cached(
        segments=sorted(segments, key=lambda s: (s.name.casefold(), s.id)),
        fetched_at=state.segments_fetched_at,
        requested_at=state.segments_requested_at,
        error=state.segments_error,
    )


def request_fetch() -> None:
    """The editor asked for a fresh list (the view enqueues the task)."""
    AudienceSyncState.objects.filter(pk=_state().pk).update(segments_requested_at=timezone.now())


def fetch() -> bool:
    """Ask Mailchimp for the audience's segments and tags and keep them (task only)."""
    state = _state()
    try:
        listed = api.list_segments()
    except MailchimpError as exc:
        logger.warning("segments: fetching from Mailchimp failed: %s", exc)
        AudienceSyncState.objects.filter(pk=state.pk).update(segments_error=exc.message_sv)
        return False
    kept = []
    for raw in listed:
        segment = _clean(raw)
        if segment is not None:
            kept.append(
                {
                    "id": segment.id,
                    "name": segment.name,
                    "type": segment.type,
                    "member_count": segment.member_count,
                }
            )
    AudienceSyncState.objects.filter(pk=state.pk).update(
        segments=kept, segments_fetched_at=timezone.now(), segments_error=""
    )
    return True
