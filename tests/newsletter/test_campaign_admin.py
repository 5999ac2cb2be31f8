"""The editor's side: status panel, actions, the send permission. Views only enqueue."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageLogEntry

from newsletter.models import CampaignStatus
from newsletter.tasks.segments import fetch_segments
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def url(name, issue):
    return reverse(f"newsletter_campaign:{name}", args=[issue.pk])


@pytest.fixture
def synced(issue, sandbox, sender, django_capture_on_commit_callbacks):
    return publish(issue, sender, django_capture_on_commit_callbacks)


def test_editor_without_permission_can_test_but_not_send(
    client, synced, editor, sandbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    page = client.get(url("status", synced))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Skicka test" in html
    assert url("send", synced) not in html
    assert "skicka nyhetsbrev" in html  # tells the editor why sending is not offered

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("test", synced), {"emails": "redaktor@smakom.se"})
    assert response.status_code == 302
    assert len(sandbox.messages(to="redaktor@smakom.se", kind="test")) == 1

    # A sender's action is refused with 403, not only hidden (direct POSTs too).
    assert client.get(url("send", synced)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("send", synced)).status_code == 403
        when = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        assert client.post(url("schedule", synced), {"when": when}).status_code == 403
    assert campaign_of(synced).status == CampaignStatus.SYNCED
    assert api_calls(sandbox, "POST", "/actions/send") == []


def test_pages_never_call_mailchimp(client, synced, sender, sandbox):
    client.force_login(sender)
    before = len(api_calls(sandbox))
    assert client.get(url("status", synced)).status_code == 200
    assert client.get(url("send", synced)).status_code == 200
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[synced.pk]))
    assert edit.status_code == 200
    assert url("status", synced) in edit.content.decode()  # the way to the status panel
    assert len(api_calls(sandbox)) == before


def test_send_confirmation_shows_recipients_then_sends(
    client, synced, sender, sandbox, django_capture_on_commit_callbacks
):
    client.force_login(sender)
    confirm = client.get(url("send", synced)).content.decode()
    assert "skickas nu till 3 prenumeranter" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("send", synced), follow=True)
    assert "Nyhetsbrevet skickas." in response.content.decode()
    assert campaign_of(synced).status == CampaignStatus.SENT
    assert len(sandbox.messages(kind="campaign")) == len(SUBSCRIBERS)
    # A second click (or a stale tab) is refused, and nothing more reaches Mailchimp.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("send", synced), follow=True)
    assert "redan skickats" in again.content.decode()
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    entry = PageLogEntry.objects.get(page=synced, action="newsletter.campaign.sent")
    assert entry.user_id == sender.pk
    history = client.get(reverse("wagtailadmin_pages:history", args=[synced.pk]))
    assert "Nyhetsbrevet skickat" in history.content.decode()


def test_schedule_off_the_quarter_hour_tells_the_editor(
    client, synced, sender, sandbox, django_capture_on_commit_callbacks
):
    client.force_login(sender)
    local = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).replace(
        hour=9, minute=7, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("schedule", synced), {"when": local.strftime("%Y-%m-%dT%H:%M")}, follow=True
        )
    html = response.content.decode()
    assert "bara på hel kvart" in html and "09:15" in html
    campaign = campaign_of(synced)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert timezone.localtime(campaign.scheduled_for).strftime("%H:%M") == "09:15"
    assert "Schemalagd" in client.get(url("status", synced)).content.decode()


def test_failed_campaign_shows_error_and_retry(
    client, issue, sender, sandbox, settings, django_capture_on_commit_callbacks
):
    settings.MAILCHIMP_MAX_ATTEMPTS = 1
    sandbox.inject(status=503, count=1)
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    client.force_login(sender)
    html = client.get(url("status", issue)).content.decode()
    assert "Misslyckades" in html and "tekniska problem" in html
    assert url("retry", issue) in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("retry", issue))
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    assert "Misslyckades" not in client.get(url("status", issue)).content.decode()


def test_recipients_segment_limits_who_gets_the_issue(
    client, synced, sender, sandbox, settings, django_capture_on_commit_callbacks
):
    from newsletter.mailchimp.client import call, get_client

    segment = call(
        get_client().lists.create_segment,
        settings.MAILCHIMP_AUDIENCE_ID,
        {"name": "Kommunchefer", "static_segment": ["anna@kommun.se"]},
    )
    # The chooser offers the segments a task fetched (newsletter.services.segments).
    fetch_segments.enqueue()
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("recipients", synced), {"segment_id": segment["id"], "segment_name": "Kommunchefer"}
        )
    campaign = campaign_of(synced)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.recipient_count == 1
    patched = api_calls(sandbox, "PATCH", f"/campaigns/{campaign.mailchimp_id}")[-1]["body"]
    assert patched["recipients"]["segment_opts"] == {"saved_segment_id": segment["id"]}
    assert "skickas nu till 1 prenumerant." in client.get(url("send", synced)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("send", synced))
    assert [m["to"] for m in sandbox.messages(kind="campaign")] == ["anna@kommun.se"]


def test_status_panel_for_the_issue_editor(rf, synced, sender):
    from newsletter.admin.campaigns import CampaignStatusPanel

    request = rf.get("/")
    request.user = sender
    panel = CampaignStatusPanel(heading="Utskick").bind_to_model(synced.__class__)
    html = panel.get_bound_panel(instance=synced, request=request, form=None).render_html()
    assert 'data-campaign-status="synced"' in html
    assert url("status", synced) in html
