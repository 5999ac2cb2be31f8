"""The whole campaign flow over real HTTP against the Mailchimp sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime

import pytest
import time_machine

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import PageLogEntry

from newsletter.models import CampaignStatus
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def test_publish_test_schedule_unschedule_send_report(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    # Publish → the sync task creates the campaign with content from the published revision.
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.mailchimp_id
    assert campaign.synced_revision_id == issue.live_revision_id
    assert campaign.recipient_count == len(SUBSCRIBERS)
    created = api_calls(sandbox, "POST", "/campaigns")[0]["body"]
    assert created["type"] == "regular"
    assert created["settings"]["subject_line"] == "SmåKom nyhetsbrev april 2022"
    assert created["settings"]["preview_text"] == "Nyheter från SmåKom"
    assert created["settings"]["reply_to"] == "info@smakom.se"
    assert created["recipients"] == {"list_id": "testaudience"}
    assert created["tracking"]["opens"] is True
    content = api_calls(sandbox, "PUT", "/content")[-1]["body"]
    assert "*|UNSUB|*" in content["html"] and "*|UNSUB|*" in content["plain_text"]

    # Re-publishing before sending updates the same campaign.
    issue.subject = "SmåKom nyhetsbrev april 2022 (rättad)"
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    assert len(api_calls(sandbox, "POST", "/campaigns")) == 1
    patched = api_calls(sandbox, "PATCH", f"/campaigns/{campaign.mailchimp_id}")[-1]["body"]
    assert patched["settings"]["subject_line"] == "SmåKom nyhetsbrev april 2022 (rättad)"
    assert campaign_of(issue).synced_revision_id == issue.live_revision_id

    # Test email.
    with django_capture_on_commit_callbacks(execute=True):
        c, emails = service.request_test(issue, ["Redaktor@SmaKom.se"])
        tasks.enqueue(tasks.send_test_campaign, c.pk, emails, sender.pk)
    tests_in_inbox = sandbox.messages(to="redaktor@smakom.se", kind="test")
    assert len(tests_in_inbox) == 1
    assert campaign_of(issue).tests_sent == 1

    # Schedule at a time off the quarter hour: rounded up.
    when = (timezone.now() + datetime.timedelta(days=1)).replace(minute=7, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        c, rounded = service.request_schedule(issue, when)
        tasks.enqueue(tasks.schedule_campaign, c.pk, rounded.isoformat(), sender.pk)
    assert rounded == when.replace(minute=15)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_for == rounded
    schedule_body = api_calls(sandbox, "POST", "/actions/schedule")[-1]["body"]
    assert schedule_body["schedule_time"].endswith(":15:00+00:00")

    # Unschedule.
    with django_capture_on_commit_callbacks(execute=True):
        c = service.request_unschedule(issue)
        tasks.enqueue(tasks.unschedule_campaign, c.pk, sender.pk)
    assert campaign_of(issue).status == CampaignStatus.SYNCED

    # Send now: every subscriber gets it, once.
    with django_capture_on_commit_callbacks(execute=True):
        c, key = service.request_send(issue)
        tasks.enqueue(tasks.send_campaign, c.pk, key, sender.pk)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENT
    assert campaign.sent_at is not None
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    delivered = sandbox.messages(kind="campaign")
    assert sorted(m["to"] for m in delivered) == sorted(SUBSCRIBERS)

    # Report, by the periodic task (never by the editor's page).
    tasks.refresh_campaign_reports.enqueue()
    campaign = campaign_of(issue)
    assert campaign.report["emails_sent"] == len(SUBSCRIBERS)
    assert {"opens", "unique_opens", "clicks", "unsubscribes", "bounces", "top_links"} <= set(
        campaign.report
    )
    assert campaign.report_refreshed_at is not None

    # Page history has each step.
    logged = set(PageLogEntry.objects.filter(page=issue).values_list("action", flat=True))
    assert {
        "newsletter.campaign.synced",
        "newsletter.campaign.test_sent",
        "newsletter.campaign.scheduled",
        "newsletter.campaign.unscheduled",
        "newsletter.campaign.sent",
    } <= logged


def test_scheduled_campaign_delivered_by_mailchimp_is_recorded(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    when = timezone.now() + datetime.timedelta(hours=2)
    _c, rounded = service.request_schedule(issue, when)
    assert service.run_schedule(campaign.pk, rounded.isoformat()).ok
    sandbox.deliver_due(campaign.mailchimp_id, force=True)
    with time_machine.travel(rounded + datetime.timedelta(minutes=1)):
        tasks.refresh_campaign_reports.enqueue()
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENT
    assert campaign.report["emails_sent"] == len(SUBSCRIBERS)
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 0


def test_go_live_at_schedules_the_campaign(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue.live = False
    issue.save()
    go_live = timezone.now() + datetime.timedelta(days=2)
    go_live = go_live.replace(minute=20, second=0, microsecond=0)
    issue.go_live_at = go_live
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision(user=sender).publish(user=sender)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_for == go_live.replace(minute=30)


def test_unpublishing_a_scheduled_issue_unschedules_it(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    _c, rounded = service.request_schedule(issue, timezone.now() + datetime.timedelta(hours=3))
    service.run_schedule(campaign.pk, rounded.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        issue.unpublish(user=sender)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert len(api_calls(sandbox, "POST", "/actions/unschedule")) == 1


def test_management_command_runs_the_same_operations(issue, sandbox, sender, capsys):
    publish(issue, sender)  # no on-commit: the command does the sync in the foreground
    call_command("newsletter_campaign", issue.slug, "sync")
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    call_command("newsletter_campaign", str(issue.pk), "test", "a@smakom.se", "b@smakom.se")
    assert len(sandbox.messages(kind="test")) == 2
    call_command("newsletter_campaign", issue.slug, "send", "--user", "ansvarig")
    assert campaign_of(issue).status == CampaignStatus.SENT
    call_command("newsletter_campaign", issue.slug, "report")
    assert "emails_sent: 3" in capsys.readouterr().out
    call_command("mailchimp_check")
    out = capsys.readouterr().out
    assert "members: 3" in out


def test_republishing_a_scheduled_issue_keeps_its_schedule(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    _c, rounded = service.request_schedule(issue, timezone.now() + datetime.timedelta(days=1))
    assert service.run_schedule(campaign.pk, rounded.isoformat()).ok
    issue.preheader = "Ny förhandstext"
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_for == rounded
    assert campaign.synced_revision_id == issue.live_revision_id
    # Mailchimp doesn't edit a scheduled campaign: unschedule, update, schedule again.
    paths = [(r["method"], r["api_path"].rsplit("/", 1)[-1]) for r in api_calls(sandbox)]
    tail = paths[paths.index(("POST", "schedule")) + 1 :]
    assert ("POST", "unschedule") in tail and ("POST", "schedule") in tail
    assert sandbox.state.campaigns[campaign.mailchimp_id]["settings"]["preview_text"] == (
        "Ny förhandstext"
    )


def test_republishing_after_mailchimp_sent_the_scheduled_issue_records_it(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    _c, rounded = service.request_schedule(issue, timezone.now() + datetime.timedelta(hours=1))
    assert service.run_schedule(campaign.pk, rounded.isoformat()).ok
    sandbox.deliver_due(campaign.mailchimp_id, force=True)
    issue.intro = "<p>Rättelse efter utskicket.</p>"
    with time_machine.travel(rounded + datetime.timedelta(minutes=5)):
        issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SENT
    assert api_calls(sandbox, "POST", "/actions/unschedule") == []
    assert api_calls(sandbox, "PATCH") == []
