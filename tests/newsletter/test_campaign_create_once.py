"""A create whose answer is lost (timeout) but that went through at Mailchimp is found again by
its create key on the retry, never made twice. Real SDK over HTTP to the sandbox's slow answers."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import time

import pytest

from django.conf import settings as django_settings

from newsletter.mailchimp.client import call, get_client
from newsletter.models import CampaignStatus
from newsletter.services import campaigns as service
from tests.newsletter.campaign_fixtures import api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def wait_for_campaigns(sandbox, count, timeout=10):
    """The timed-out request still completes at the sandbox, after its delay."""
    deadline = time.monotonic() + timeout
    while len(sandbox.state.campaigns) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    sandbox.wait_idle(timeout=timeout)
    assert len(sandbox.state.campaigns) == count


def timed_out_create(issue, sandbox, sender, settings):
    """Publish, then a sync whose POST /campaigns times out on our side but succeeds later."""
    settings.MAILCHIMP_TIMEOUT = 1
    issue = publish(issue, sender)  # no on-commit: the sync runs below, by hand
    campaign = service.campaign_for(issue)
    sandbox.inject(delay=2, count=1)
    outcome = service.run_sync(campaign.pk)
    assert not outcome.ok and outcome.retry_in is not None
    campaign = campaign_of(issue)
    assert campaign.mailchimp_id == ""
    assert "gick inte att nå" in campaign.last_error
    wait_for_campaigns(sandbox, 1)
    return issue, campaign


def test_a_timed_out_create_that_succeeded_is_adopted_on_the_retry(
    issue, sandbox, sender, settings
):
    issue, campaign = timed_out_create(issue, sandbox, sender, settings)
    (made_id,) = sandbox.state.campaigns

    assert service.run_sync(campaign.pk).ok

    campaign = campaign_of(issue)
    assert list(sandbox.state.campaigns) == [made_id]
    assert campaign.mailchimp_id == made_id
    # Found by the key stored before the create and carried in the campaign's title.
    assert campaign.create_key
    assert sandbox.state.campaigns[made_id]["settings"]["title"].endswith(
        f"[{campaign.create_key}]"
    )
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.synced_revision_id == issue.live_revision_id
    assert campaign.last_error == "" and campaign.attempts == 0
    assert len(api_calls(sandbox, "POST", "/campaigns")) == 1
    lookup = api_calls(sandbox, "GET", "/campaigns")[-1]
    assert lookup["query"]["status"] == ["save"]
    assert "campaigns.settings.title" in lookup["query"]["fields"][0]
    assert sandbox.state.content[made_id]["html"]  # the retry went on to set the content


def test_several_landed_creates_with_one_key_leave_exactly_one_campaign(
    issue, sandbox, sender, settings
):
    """Two attempts with the same key both reached Mailchimp: one is adopted, the other removed."""
    issue, campaign = timed_out_create(issue, sandbox, sender, settings)
    (first_id,) = sandbox.state.campaigns
    second = call(
        get_client().campaigns.create,
        {
            "type": "regular",
            "recipients": {"list_id": django_settings.MAILCHIMP_AUDIENCE_ID},
            "settings": {"title": sandbox.state.campaigns[first_id]["settings"]["title"]},
        },
    )
    # Someone else's draft without our key is left alone.
    other = call(
        get_client().campaigns.create,
        {
            "type": "regular",
            "recipients": {"list_id": django_settings.MAILCHIMP_AUDIENCE_ID},
            "settings": {"title": "Ett annat utkast"},
        },
    )

    assert service.run_sync(campaign.pk).ok

    assert campaign_of(issue).mailchimp_id == first_id
    assert set(sandbox.state.campaigns) == {first_id, other["id"]}
    assert second["id"] not in sandbox.state.campaigns


def test_a_create_mailchimp_refused_gets_a_fresh_key_and_no_lookup(
    issue, sandbox, sender, django_capture_on_commit_callbacks
):
    """An answer (here 500) means Mailchimp made nothing: the retry creates without looking."""
    sandbox.inject(status=500, count=1)
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert len(sandbox.state.campaigns) == 1
    assert api_calls(sandbox, "GET", "/campaigns") == []
    titles = [r["body"]["settings"]["title"] for r in api_calls(sandbox, "POST", "/campaigns")]
    assert len(titles) == 2 and titles[0] != titles[1]
    assert titles[1].endswith(f"[{campaign.create_key}]")
