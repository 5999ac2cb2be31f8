"""A send time is a Swedish wall-clock time whatever zone the server, the editor's Wagtail
preference or the request runs in; and the warnings an editor confirms are the ones they saw.
Through the admin views, the real state machine and the Mailchimp sandbox over HTTP."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from wagtail.users.models import UserProfile

from newsletter.admin.campaigns import PublishAndSendForm, ScheduleForm
from newsletter.admin.stockholm_time import suggested_time
from newsletter.models import CampaignStatus, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    api_calls,
    campaign_of,
    issue,
    publish,
    sandbox,
    sender,
    site_settings,
    unpublished,
)
from tests.newsletter.campaign_fixtures import campaign_url as url

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")


def in_two_days():
    return (timezone.now().astimezone(STOCKHOLM) + datetime.timedelta(days=2)).date()


def test_the_forms_read_stockholm_time_in_any_active_zone():
    day = in_two_days()
    expected = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=STOCKHOLM)
    with timezone.override(NEW_YORK):
        schedule = ScheduleForm({"when": f"{day} 08:00"})
        assert schedule.is_valid(), schedule.errors
        both = PublishAndSendForm({"operation": "schedule", "when": f"{day}T08:00"})
        assert both.is_valid(), both.errors
    for when in (schedule.cleaned_data["when"], both.cleaned_data["when"]):
        assert when == expected  # the same instant, not 08:00 in New York
        assert when.astimezone(STOCKHOLM).hour == 8


def test_the_picker_shows_the_suggestion_in_stockholm_time_in_any_zone():
    suggestion = suggested_time()
    with timezone.override(NEW_YORK):
        html = str(ScheduleForm(initial={"when": suggestion})["when"])
    assert suggestion.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") in html
    # Wagtail's own picker, on Mailchimp's quarter hours.
    assert "initDateTimeChooser" in html and '"step": 15' in html
    assert suggestion.minute % 15 == 0 and suggestion > timezone.now()


def test_a_time_that_does_not_exist_in_sweden_is_refused():
    # Summer time starts on the last Sunday of March: 02:00-03:00 does not exist then.
    year = timezone.now().year + 1
    last_sunday = max(
        datetime.date(year, 3, d) for d in range(25, 32) if datetime.date(year, 3, d).weekday() == 6
    )
    form = ScheduleForm({"when": f"{last_sunday} 02:30"})
    assert not form.is_valid()


def test_a_sender_in_new_york_schedules_the_stockholm_wall_clock_time(
    client, issue, sender, sandbox, settings, django_capture_on_commit_callbacks
):
    """The server's TIME_ZONE and the sender's Wagtail time zone preference (activated by the
    admin for each request) both New York: 08:00 is still 08:00 in Sweden."""
    settings.TIME_ZONE = "America/New_York"
    profile = UserProfile.get_for_user(sender)
    profile.current_time_zone = "America/New_York"
    profile.save()
    issue = unpublished(issue, sender)
    client.force_login(sender)
    day = in_two_days()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("publish_send", issue), {"operation": "schedule", "when": f"{day} 08:00"}
        )
    assert response.status_code == 302
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    expected = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=STOCKHOLM)
    assert campaign.scheduled_for == expected
    # What Mailchimp was asked for: the same instant, in UTC.
    (call,) = api_calls(sandbox, "POST", "/actions/schedule")
    asked = datetime.datetime.fromisoformat(call["body"]["schedule_time"].replace("Z", "+00:00"))
    assert asked == expected
    # And what the sender reads back: Swedish time, not New York's.
    page = client.get(response["Location"]).content.decode()
    shown = date_format(day, "j F Y")  # as the panel writes it: "3 december 2026"
    assert f"{shown} 08:00" in page
    # New York's wall clock (02:00) is nowhere beside that day (the picker's own default value,
    # the next quarter hour from now, may be 02:00 at night: that is not the schedule).
    assert f"{shown} 02:00" not in page and f"{day:%Y-%m-%d} 02:00" not in page
    state = client.get(url("state", issue)).json()["html"]
    assert "08:00 (svensk tid)" in state


def test_the_status_page_schedule_form_in_new_york_keeps_stockholm_time(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    profile = UserProfile.get_for_user(sender)
    profile.current_time_zone = "America/New_York"
    profile.save()
    client.force_login(sender)
    status = client.get(url("status", issue)).content.decode()
    assert "svensk tid" in status and "initDateTimeChooser" in status
    now = timezone.now().astimezone(STOCKHOLM)
    assert now.strftime("%H:") in status  # "it is now … in Sweden"
    day = in_two_days()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("schedule", issue), {"when": f"{day} 07:50"}, follow=True)
    assert "08:00" in response.content.decode()  # rounded up to the quarter hour, Swedish time
    expected = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=STOCKHOLM)
    assert campaign_of(issue).scheduled_for == expected


# ---------------------------------------------------------------------------------------------
# "Jag har sett varningarna": the acknowledgement names the warnings the editor was shown.


def edit_post(issue, **extra):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    fields = {
        "title": issue.title,
        "slug": issue.slug,
        "issue_date": issue.issue_date.isoformat(),
        "subject": issue.subject,
        "preheader": issue.preheader,
        "intro": rich_text("<p>Hej! Här kommer aprilnumret.</p>"),
        "body": streamfield(
            [("text", {"heading": "Välkommen", "text": rich_text("<p>Vi träffades.</p>")})]
        ),
    }
    fields.update({k: v for k, v in extra.items() if k in fields})
    data = nested_form_data(fields)
    data.update({k: v for k, v in extra.items() if k not in fields})
    return data


@pytest.fixture
def warned(issue, sender):
    """A draft dated 2022: "check the issue date" is a warning (no errors)."""
    return unpublished(issue, sender)


def test_publishing_with_the_warnings_seen_publishes(
    client, warned, sender, sandbox, django_capture_on_commit_callbacks
):
    checklist = warned.update_readiness()
    assert checklist.warnings and not checklist.errors
    codes = ",".join(item.code for item in checklist.warnings)
    client.force_login(sender)
    edit = reverse("wagtailadmin_pages:edit", args=[warned.pk])
    html = client.get(edit).content.decode()
    # The panel's checkbox carries the codes; the dialog asks on Publish from any tab.
    assert f'name="acknowledge-warnings" value="{codes}"' in html
    assert 'id="publish-warnings-dialog"' in html and "publish-warnings.js" in html

    data = edit_post(warned, **{"action-publish": "action-publish"})
    refused = client.post(edit, data, follow=True).content.decode()
    assert "data-publish-warnings-refused" in refused  # the edit page reopens the dialog
    assert not NewsletterIssuePage.objects.get(pk=warned.pk).live

    data["acknowledge-warnings"] = codes
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, data)
    assert response.status_code == 302
    assert NewsletterIssuePage.objects.get(pk=warned.pk).live


def test_a_warning_that_appeared_since_is_asked_about_again(
    client, warned, sender, sandbox, django_capture_on_commit_callbacks
):
    checklist = warned.update_readiness()
    seen = ",".join(item.code for item in checklist.warnings)
    client.force_login(sender)
    edit = reverse("wagtailadmin_pages:edit", args=[warned.pk])
    # An unsaved edit empties the preview text (a new warning) after the list was shown.
    data = edit_post(
        warned, preheader="", **{"action-publish": "action-publish", "acknowledge-warnings": seen}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, data, follow=True)
    html = response.content.decode()
    assert "data-publish-warnings-refused" in html
    assert not NewsletterIssuePage.objects.get(pk=warned.pk).live
    assert api_calls(sandbox, "POST") == []
    # Hostile or stale values acknowledge nothing.
    for value in ("1", "on", "", ",,", "<script>"):
        data["acknowledge-warnings"] = value
        client.post(edit, data)
        assert not NewsletterIssuePage.objects.get(pk=warned.pk).live
