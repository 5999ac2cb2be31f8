""" "Publicera och skicka", the live campaign state and the send confirmation's refusals, through
the admin views, the real state machine and the Mailchimp sandbox over HTTP."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageLogEntry

from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    editor,
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


def tomorrow_in_stockholm(hour, minute):
    day = (timezone.now().astimezone(STOCKHOLM) + datetime.timedelta(days=1)).date()
    return day, datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def test_publish_and_schedule_a_draft_for_a_swedish_time(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = unpublished(issue, sender)
    client.force_login(sender)
    day, expected = tomorrow_in_stockholm(7, 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("publish_send", issue),
            {"operation": "schedule", "when": f"{day.isoformat()} 07:10"},
            follow=True,
        )
    html = response.content.decode()
    assert "Numret är publicerat och schemaläggs" in html and "07:15" in html
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    # 07:15 in Sweden, whatever the server's zone (UTC+1 or +2 by the season).
    assert campaign.scheduled_for == expected.replace(minute=15)
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["status"] == "schedule"
    assert len(api_calls(sandbox, "POST", "/actions/schedule")) == 1


def test_publish_and_send_now_sends_once_to_everyone(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = unpublished(issue, sender)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("publish_send", issue), {"operation": "send"}, follow=True)
    assert "Numret är publicerat och nyhetsbrevet skickas." in response.content.decode()
    assert campaign_of(issue).status == CampaignStatus.SENT
    assert sorted(m["to"] for m in sandbox.messages(kind="campaign")) == sorted(SUBSCRIBERS)
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    # A second click is refused before anything is queued.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("publish_send", issue), {"operation": "send"}, follow=True)
    assert "redan skickats" in again.content.decode()
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1


def test_send_now_on_a_live_current_issue_goes_through_the_state_machine(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("publish_send", issue), {"operation": "send"}, follow=True)
    assert "Nyhetsbrevet skickas." in response.content.decode()
    assert campaign_of(issue).status == CampaignStatus.SENT
    # Not published again: one publish log entry, from the fixture.
    assert PageLogEntry.objects.filter(page=issue, action="wagtail.publish").count() == 1


def test_an_issue_with_errors_is_neither_published_nor_sent(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = unpublished(issue, sender)
    issue.subject = ""
    issue.save_revision(user=sender)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("publish_send", issue), {"operation": "send"}, follow=True)
    assert "Numret kan inte publiceras: Ämnesraden är tom." in response.content.decode()
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert not Campaign.objects.filter(page_id=issue.pk).exclude(mailchimp_id="").exists()
    assert api_calls(sandbox, "POST") == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"operation": "schedule", "when": "2026-13-45 08:00"}, "Ange datum och tid"),
        ({"operation": "schedule", "when": "08:00"}, "Ange datum och tid"),
        ({"operation": "schedule", "when": ""}, "Ange datum och tid"),
        ({"operation": "schedule", "when": "<script>alert(1)</script>"}, "Ange datum och tid"),
        ({"operation": "schedule", "when": "2020-01-01 08:00"}, "redan passerat"),
        ({"operation": "schedule", "when": "9999-01-01 08:00"}, "för långt fram"),
        ({"operation": "blast"}, "Välj"),
    ],
)
def test_hostile_times_are_refused_and_nothing_is_published(
    client, issue, sender, sandbox, data, message, django_capture_on_commit_callbacks
):
    issue = unpublished(issue, sender)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("publish_send", issue), data, follow=True)
    assert message in response.content.decode()
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert api_calls(sandbox, "POST") == []


def test_without_the_send_permission_the_answer_is_403(client, issue, editor, sandbox):
    issue = unpublished(issue, editor)
    client.force_login(editor)
    response = client.post(url("publish_send", issue), {"operation": "send"})
    assert response.status_code == 403
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    # Nor is the menu item offered.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert "publish-send-dialog" not in edit


def test_the_dialog_shows_inbox_recipients_and_checklist(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    client.force_login(sender)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert 'id="publish-send-dialog"' in html
    assert "Publicera och skicka…" in html
    assert "SmåKom nyhetsbrev april 2022" in html  # subject
    assert "Nyheter från SmåKom" in html  # preheader
    assert "info@smakom.se" in html  # sender
    assert "3 prenumeranter" in html
    assert "svensk tid" in html


def test_before_the_first_sync_the_dialog_estimates_the_recipients(client, issue, sender):
    # No campaign yet: the CMS's own subscribers stand in (the unsubscribed not counted), and a
    # chosen segment shows its member count from the fetched list.
    from newsletter.models import AudienceSyncState
    from tests.newsletter.audience_support import make_subscriber

    for n in range(4):
        make_subscriber(f"person{n}@kommun.se")
    make_subscriber("borta@kommun.se", status="unsubscribed")
    draft = unpublished(issue, sender)
    client.force_login(sender)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).content.decode()
    assert not Campaign.objects.filter(page=draft).exists()
    assert "cirka 4 prenumeranter" in html

    Campaign.objects.create(page=draft, segment_id=4711, segment_name="Styrelser")
    state = AudienceSyncState.for_audience(settings.MAILCHIMP_AUDIENCE_ID)
    state.segments = [{"id": 4711, "name": "Styrelser", "type": "static", "member_count": 12}]
    state.segments_fetched_at = timezone.now()
    state.save()
    html = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).content.decode()
    assert "Styrelser (cirka 12 prenumeranter" in html


def test_the_dialogs_forms_post_with_their_csrf_token(issue, sender, sandbox):
    """Wagtail renders action-menu items without the request's context processors; a browser
    (unlike the default test client) checks CSRF, so the dialog's forms must carry the token."""
    import re

    from django.test import Client

    issue = unpublished(issue, sender)
    client = Client(enforce_csrf_checks=True)
    client.force_login(sender)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    dialog = html[html.index('id="publish-send-dialog"') :]
    forms = re.findall(r'<form method="post" action="([^"]+)".*?</form>', dialog, re.S)
    assert url("publish_send", issue) in forms and url("test", issue) in forms
    for action in (url("publish_send", issue), url("test", issue)):
        form = re.search(
            rf'<form method="post" action="{re.escape(action)}".*?</form>', dialog, re.S
        )
        assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', form.group(0)), action
    action = re.escape(url("publish_send", issue))
    publish_form = re.search(
        rf'action="{action}".*?name="csrfmiddlewaretoken" value="([^"]+)"', dialog, re.S
    )
    assert publish_form and publish_form.group(1)
    day, _ = tomorrow_in_stockholm(9, 0)
    response = client.post(
        url("publish_send", issue),
        {
            "csrfmiddlewaretoken": publish_form.group(1),
            "operation": "schedule",
            "when": f"{day.isoformat()} 09:00",
        },
    )
    assert response.status_code == 302
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live


def test_state_endpoint_reports_pending_until_the_worker_has_run(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = unpublished(issue, sender)
    client.force_login(sender)
    # Queued but not run: the panel is told to keep polling.
    response = client.post(url("publish_send", issue), {"operation": "send"})
    assert response.status_code == 302
    state = client.get(url("state", issue)).json()
    assert state["pending"] is True
    # The worker runs (the sync, then the send): settled, and the panel's HTML says "Skickat".
    from newsletter.tasks import campaigns as tasks

    campaign = Campaign.objects.get(page_id=issue.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_after_publish.call(campaign.pk, "send", None, sender.pk)
    state = client.get(url("state", issue)).json()
    assert state == {"status": "sent", "pending": False, "html": state["html"]}
    assert 'data-campaign-status="sent"' in state["html"] and "Skickad" in state["html"]


def test_state_endpoint_needs_edit_permission(client, issue, sandbox):
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user("utomstaende", password="x")
    client.force_login(outsider)
    assert client.get(url("state", issue)).status_code in (302, 403)


def test_send_confirmation_for_a_sent_campaign_offers_no_send(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("send", issue))
    assert campaign_of(issue).status == CampaignStatus.SENT
    html = client.get(url("send", issue)).content.decode()
    assert "Ja, skicka nu" not in html
    assert "Det här numret skickades" in html
    assert "redan skickats" in html


def test_send_confirmation_states_why_it_would_be_refused(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    """Not yet in Mailchimp (no sync ran) and an unsubscribe stuck on its way: no send button,
    and the reasons are there before the click."""
    from newsletter.models import Subscriber

    issue = publish(issue, sender)  # the sync is queued, not run
    Subscriber.objects.create(
        email="gone@kommun.se",
        status=Subscriber.Status.UNSUBSCRIBED,
        mailchimp_needs_push=True,
        mailchimp_last_error="Mailchimp svarade inte.",
    )
    client.force_login(sender)
    html = client.get(url("send", issue)).content.decode()
    assert "Ja, skicka nu" not in html
    assert "finns inte i Mailchimp ännu" in html
    assert "1 avregistrering har inte nått Mailchimp" in html


def test_a_schedule_is_reported_as_a_success(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    client.force_login(sender)
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).replace(
        hour=9, minute=7, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("schedule", issue), {"when": when.strftime("%Y-%m-%dT%H:%M")}, follow=True
        )
    messages = [m for m in response.context["messages"]]
    assert [m.level_tag for m in messages] == ["success"]


def stop_failing(sandbox):
    with sandbox.faults.lock:
        sandbox.faults.items.clear()


def test_a_sync_that_fails_for_good_keeps_the_intent_and_offers_to_redo_it(
    client, issue, sender, editor, sandbox, django_capture_on_commit_callbacks
):
    """Mailchimp refuses the campaign (a 4xx, no automatic retry): the issue is published but the
    schedule the sender asked for is not made. The panel says so, and "Försök igen och
    schemalägg" brings the campaign up to date and schedules it for the time asked."""
    issue = unpublished(issue, sender)
    client.force_login(sender)
    day, expected = tomorrow_in_stockholm(6, 45)
    sandbox.inject(status=400, count=5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("publish_send", issue),
            {"operation": "schedule", "when": f"{day.isoformat()} 06:45"},
        )
    campaign = campaign_of(issue)
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert campaign.status == CampaignStatus.FAILED and campaign.failed_operation == "sync"
    assert campaign.publish_send_intent["operation"] == "schedule"

    state = client.get(url("state", issue)).json()
    assert state["pending"] is False
    assert "”Publicera och skicka” blev inte utfört" in state["html"]
    assert "inte schemalagts till" in state["html"] and "06:45 (svensk tid)" in state["html"]
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert "data-publish-send-intent" in edit
    status = client.get(url("status", issue)).content.decode()
    assert "Försök igen och schemalägg" in status

    # Only a sender may redo a sender's decision.
    client.force_login(editor)
    assert client.post(url("retry", issue)).status_code == 403
    assert campaign_of(issue).status == CampaignStatus.FAILED

    stop_failing(sandbox)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("retry", issue), follow=True)
    assert "Försöker igen." in response.content.decode()
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_for == expected
    assert campaign.publish_send_intent == {}
    assert "blev inte utfört" not in client.get(url("state", issue)).json()["html"]
    # Done once: a second "Try again" has nothing to redo.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("retry", issue), follow=True)
    assert "Det finns inget att försöka igen." in again.content.decode()
    assert len(api_calls(sandbox, "POST", "/actions/schedule")) == 1


def test_a_later_decision_replaces_the_intent_that_was_not_carried_out(
    client, issue, sender, sandbox, django_capture_on_commit_callbacks
):
    from newsletter.services import campaigns as service

    issue = unpublished(issue, sender)
    client.force_login(sender)
    sandbox.inject(status=400, count=5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("publish_send", issue), {"operation": "send"})
    assert campaign_of(issue).publish_send_intent["operation"] == "send"
    assert "har inte skickats som du bad om" in client.get(url("state", issue)).json()["html"]
    stop_failing(sandbox)
    with django_capture_on_commit_callbacks(execute=True):
        operation, args = service.request_retry(issue)  # e.g. the reconciler or a plain retry
    # The sender's own decision afterwards (here: a schedule) wins; the old intent is gone.
    from newsletter.tasks import campaigns as tasks

    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_operation(campaign_of(issue).pk, operation, args)
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    html = client.get(url("state", issue)).json()["html"]
    assert "har inte skickats som du bad om" in html  # still not carried out: still said
    when = timezone.now().astimezone(STOCKHOLM) + datetime.timedelta(days=2)
    service.request_schedule(issue, when.replace(minute=0, second=0, microsecond=0), user=sender)
    assert campaign_of(issue).publish_send_intent == {}
    assert "blev inte utfört" not in client.get(url("state", issue)).json()["html"]


@pytest.mark.parametrize("second", ["send", "schedule"])
def test_a_second_submission_while_the_first_is_on_its_way_is_refused_clearly(
    client, issue, sender, sandbox, second, django_capture_on_commit_callbacks
):
    """A double click or a second tab: the first "Publicera och skicka" is queued (the worker has
    not run); the second is refused with the reason, and in the end one campaign, one send."""
    from newsletter.tasks import campaigns as tasks

    issue = unpublished(issue, sender)
    client.force_login(sender)
    day, _when = tomorrow_in_stockholm(9, 0)
    form = {"operation": "send"}
    assert client.post(url("publish_send", issue), form).status_code == 302
    again = {"operation": second, "when": f"{day.isoformat()} 09:00"}
    response = client.post(url("publish_send", issue), again, follow=True)
    assert "”Publicera och skicka” är redan på väg för det här numret" in response.content.decode()
    campaign = campaign_of(issue)
    assert campaign.publish_send_intent["operation"] == "send"
    assert campaign.decision != "schedule"
    # Nor does the dialog offer it again meanwhile.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert "data-send-blocked" in edit and "data-publish-send-now" not in edit
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_after_publish.call(campaign.pk, "send", None, sender.pk)
    assert campaign_of(issue).status == CampaignStatus.SENT
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    assert api_calls(sandbox, "POST", "/actions/schedule") == []
    assert len(api_calls(sandbox, "POST", "/campaigns")) == 1


def test_the_skipped_summer_time_hour_is_refused_in_swedish_and_kept_in_the_dialog(
    client, issue, sender, sandbox
):
    import time_machine

    issue = unpublished(issue, sender)
    # 2027-03-28 is the last Sunday of March: 02:00-03:00 does not exist in Sweden.
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=STOCKHOLM), tick=False):
        client.force_login(sender)
        response = client.post(
            url("publish_send", issue), {"operation": "schedule", "when": "2027-03-28 02:30"}
        )
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
    assert "Den tiden finns inte i Sverige" in html
    assert "data-publish-send-reopen" in html and 'value="2027-03-28 02:30"' in html
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert api_calls(sandbox, "POST") == []
