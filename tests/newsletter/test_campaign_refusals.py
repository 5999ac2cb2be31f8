"""What the campaign refuses, over real HTTP against the sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from wagtail.models import Page

from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage
from newsletter.services import campaigns as service
from newsletter.services.publish_gate import IssueNotPublishable
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import api_calls, campaign_of, make_issue, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(issue, sandbox, sender, django_capture_on_commit_callbacks):
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    return issue


def _send(issue):
    campaign, key = service.request_send(issue)
    return service.run_send(campaign.pk, key)


def test_second_send_is_refused(synced, sandbox):
    assert _send(synced).ok
    with pytest.raises(service.CampaignRefused, match="redan skickats"):
        service.request_send(synced)
    with pytest.raises(CommandError, match="redan skickats"):
        call_command("newsletter_campaign", synced.slug, "send", "--user", "ansvarig")
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1


def test_a_stale_send_key_does_nothing(synced, sandbox):
    campaign, key = service.request_send(synced)
    assert service.run_send(campaign.pk, key).ok
    # A duplicate task (double click, second worker) with the same or another key sends nothing.
    assert not service.run_send(campaign.pk, key).ok
    assert not service.run_send(campaign.pk, "00000000-0000-0000-0000-000000000000").ok
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1


def test_schedule_in_the_past_is_refused(synced, sandbox):
    with pytest.raises(service.CampaignRefused, match="passerat"):
        service.request_schedule(synced, timezone.now() - datetime.timedelta(minutes=20))
    with pytest.raises(CommandError):
        call_command(
            "newsletter_campaign",
            synced.slug,
            "schedule",
            "2020-01-01T08:00+01:00",
            "--user",
            "ansvarig",
        )
    assert api_calls(sandbox, "POST", "/actions/schedule") == []
    assert campaign_of(synced).status == CampaignStatus.SYNCED


def test_sending_with_checklist_errors_is_refused(
    home_page, site_settings, sandbox, sender, django_capture_on_commit_callbacks
):
    empty = make_issue(home_page, slug="tomt-nummer")
    empty.body = []
    empty.save()
    with pytest.raises(IssueNotPublishable):
        publish(empty, sender, django_capture_on_commit_callbacks)
    assert not Campaign.objects.filter(page_id=empty.pk).exists()
    # One that went live before the publish gate (Wagtail's own publish): still never sent.
    with django_capture_on_commit_callbacks(execute=True):
        Page.publish(empty, empty.save_revision(user=sender), user=sender)
    empty = NewsletterIssuePage.objects.get(pk=empty.pk)
    assert campaign_of(empty).status == CampaignStatus.SYNCED  # it can be prepared and tested
    with pytest.raises(service.CampaignRefused) as refused:
        service.request_send(empty)
    assert "kan inte skickas" in refused.value.message
    with pytest.raises(service.CampaignRefused):
        service.request_schedule(empty, timezone.now() + datetime.timedelta(days=1))
    assert campaign_of(empty).status == CampaignStatus.SYNCED
    assert api_calls(sandbox, "POST", "/actions/send") == []


def test_too_many_test_addresses_is_refused(synced, sandbox):
    addresses = [f"test{i}@smakom.se" for i in range(service.test_max_addresses() + 1)]
    with pytest.raises(service.CampaignRefused, match="högst 6 adresser"):
        service.request_test(synced, addresses)
    with pytest.raises(service.CampaignRefused, match="inte en e-postadress"):
        service.request_test(synced, ["inte-en-adress"])
    assert api_calls(sandbox, "POST", "/actions/test") == []


def test_tests_per_campaign_limit(synced, sandbox, settings):
    campaign = campaign_of(synced)
    limit = service.test_max_per_campaign()
    for _ in range(limit):
        assert service.run_test(campaign.pk, ["a@smakom.se"]).ok
    with pytest.raises(service.CampaignRefused, match=f"högst {limit} testutskick"):
        service.request_test(synced, ["a@smakom.se"])
    # If our count is off, Mailchimp's own refusal reaches the editor with its detail.
    settings.MAILCHIMP_TEST_MAX_PER_CAMPAIGN = 100
    campaign_id, emails = service.request_test(synced, ["a@smakom.se"])[0].pk, ["a@smakom.se"]
    tasks.send_test_campaign.enqueue(campaign_id, emails)
    campaign = campaign_of(synced)
    assert "12" in campaign.last_error and "Mailchimp" in campaign.last_error
    assert campaign.status == CampaignStatus.SYNCED  # a failed test does not break the campaign


def test_editing_a_sent_campaign_is_refused(
    synced, sandbox, sender, django_capture_on_commit_callbacks
):
    assert _send(synced).ok
    calls_before = len(api_calls(sandbox))
    synced.subject = "Rättad ämnesrad"
    synced = publish(
        synced, sender, django_capture_on_commit_callbacks
    )  # the web page is corrected
    campaign = campaign_of(synced)
    assert campaign.status == CampaignStatus.SENT
    assert campaign.synced_revision_id != synced.live_revision_id
    outcome = service.run_sync(campaign.pk)
    assert not outcome.ok
    with pytest.raises(CommandError):
        call_command("newsletter_campaign", synced.slug, "sync")
    writes = [
        r for r in api_calls(sandbox)[calls_before:] if r["method"] in ("POST", "PATCH", "PUT")
    ]
    assert writes == []
    with pytest.raises(service.CampaignRefused):
        service.request_test(synced, ["a@smakom.se"])
    with pytest.raises(service.CampaignRefused):
        service.request_schedule(synced, timezone.now() + datetime.timedelta(days=1))
