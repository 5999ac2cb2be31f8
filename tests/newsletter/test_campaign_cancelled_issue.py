"""A cancelled issue never goes out: deleting or unpublishing an issue whose campaign is scheduled
unschedules it, the campaign record outlives the page until Mailchimp confirms, and the reconciler
finds Mailchimp campaigns scheduled for issues that no longer exist."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

from io import StringIO

import pytest

from django.core.management import call_command
from django.urls import reverse

from wagtail.models import ModelLogEntry

from newsletter.mailchimp import campaigns as api
from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import api_calls, campaign_of, in_two_days

pytestmark = pytest.mark.django_db


def test_deleting_a_scheduled_issue_unschedules_its_campaign_and_keeps_the_record(
    client, scheduled, sandbox, sender, django_capture_on_commit_callbacks
):
    campaign = campaign_of(scheduled)
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailadmin_pages:delete", args=[scheduled.pk]))
    assert response.status_code == 302
    assert not NewsletterIssuePage.objects.filter(pk=scheduled.pk).exists()

    kept = Campaign.objects.get(pk=campaign.pk)
    assert kept.page_id is None and kept.issue_title == scheduled.title
    assert kept.status == CampaignStatus.SYNCED and kept.scheduled_for is None
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert sandbox.deliver_due(campaign.mailchimp_id, force=True) == 0
    assert ModelLogEntry.objects.filter(action="newsletter.campaign.unscheduled").exists()


def test_a_delete_whose_unschedule_failed_is_finished_by_the_reconciler(
    scheduled, sandbox, settings, django_capture_on_commit_callbacks
):
    settings.MAILCHIMP_MAX_ATTEMPTS = 1
    campaign = campaign_of(scheduled)
    sandbox.inject(status=503, count=2)  # the delete's unschedule, and the unpublish's
    with django_capture_on_commit_callbacks(execute=True):
        NewsletterIssuePage.objects.get(pk=scheduled.pk).delete()
    kept = Campaign.objects.get(pk=campaign.pk)
    assert kept.page_id is None and kept.status == CampaignStatus.FAILED
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"

    dry = StringIO()
    call_command("newsletter_campaign", "reconcile", "--dry-run", stdout=dry)
    assert "unschedule (to do)" in dry.getvalue()
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"

    out = StringIO()
    call_command("newsletter_campaign", "reconcile", stdout=out)
    assert "(done)" in out.getvalue()
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.SYNCED


def test_unpublishing_a_campaign_scheduled_only_at_mailchimp_unschedules_it(
    scheduled, sandbox, sender, django_capture_on_commit_callbacks
):
    # A failure left the CMS at FAILED while Mailchimp still holds the schedule.
    campaign = campaign_of(scheduled)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        NewsletterIssuePage.objects.get(pk=scheduled.pk).unpublish(user=sender)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert campaign_of(scheduled).status == CampaignStatus.SYNCED


def test_the_reconciler_unschedules_mailchimp_campaigns_of_issues_that_no_longer_exist(
    scheduled, sandbox
):
    campaign = campaign_of(scheduled)
    # The record itself is gone (deleted before this release kept it): only Mailchimp has it.
    Campaign.objects.filter(pk=campaign.pk).delete()
    # A campaign someone made in Mailchimp's own app is none of ours: it stays scheduled.
    theirs = api.create_campaign(
        api.campaign_body(
            subject="Mailchimp-app",
            preview_text="",
            title="Made in Mailchimp",
            from_name="SmåKom",
            reply_to="info@smakom.se",
        )
    )
    api.set_content(theirs["id"], "<p>*|UNSUB|* *|LIST:ADDRESSLINE|*</p>", "*|UNSUB|*")
    api.schedule(theirs["id"], in_two_days())

    out = StringIO()
    call_command("newsletter_campaign", "reconcile", stdout=out)

    assert "no longer exists" in out.getvalue()
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert sandbox.state.campaigns[theirs["id"]]["status"] == "schedule"
    assert len(api_calls(sandbox, "POST", "/actions/unschedule")) == 1
