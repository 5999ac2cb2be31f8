"""A date and time to send at, always Swedish time (Europe/Stockholm).

Wagtail's own date/time picker (AdminDateTimeInput: month and weekday names in the admin's
language, quarter-hour steps here), while the value is read and shown in Europe/Stockholm
whatever the server's TIME_ZONE, the editor's Wagtail time zone preference (which the admin
activates for each request) or the browser's zone: the picker only edits text, never converts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.widgets import AdminDateTimeInput

from newsletter.services.campaigns import STOCKHOLM, round_up_to_quarter

FORMAT = "%Y-%m-%d %H:%M"
INPUT_FORMATS = [FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H.%M", "%Y-%m-%d %H:%M:%S"]


def now_in_stockholm() -> datetime:
    return timezone.now().astimezone(STOCKHOLM)


def suggested_time(now: datetime | None = None) -> datetime:
    """A quarter hour at least three quarters ahead: what the picker opens on."""
    now = (now or timezone.now()).astimezone(STOCKHOLM)
    return round_up_to_quarter(now + timedelta(minutes=45))


class QuarterHourPicker(AdminDateTimeInput):
    """Wagtail's picker; its time list in Mailchimp's quarter hours."""

    def __init__(self, attrs=None, js_overlay_parent_selector="body"):
        attrs = {"placeholder": "ÅÅÅÅ-MM-DD TT:MM", "inputmode": "numeric", **(attrs or {})}
        super().__init__(
            attrs=attrs, format=FORMAT, js_overlay_parent_selector=js_overlay_parent_selector
        )

    def get_config(self):
        # validateOnBlur off: the calendar would otherwise replace a time it cannot read with the
        # current time on leaving the field, and a typo would be sent now; the server refuses it
        # with a reason instead.
        return {**super().get_config(), "step": 15, "validateOnBlur": False}


class StockholmDateTimeField(forms.DateTimeField):
    """A wall-clock time in Sweden. A time that does not exist there (the hour skipped when
    summer time starts) or is ambiguous (the hour repeated in October) is refused by Django's
    make_aware rather than guessed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", INPUT_FORMATS)
        kwargs.setdefault("widget", QuarterHourPicker())
        kwargs.setdefault("label", gettext_lazy("Date and time (Swedish time)"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        with timezone.override(STOCKHOLM):
            return super().prepare_value(value)

    def to_python(self, value):
        with timezone.override(STOCKHOLM):
            try:
                return super().to_python(value)
            except forms.ValidationError as error:
                if getattr(error, "code", None) != "ambiguous_timezone":
                    raise
                raise forms.ValidationError(
                    _(
                        "That time does not exist in Sweden or occurs twice there (the clocks "
                        "change that night). Choose another time."
                    ),
                    code="ambiguous_timezone",
                ) from None
