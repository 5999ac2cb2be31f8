"""Shortly before a scheduled campaign goes out, the reconciler pushes every unsubscribe still in
the outbox; when Mailchimp will not take them the campaign is unscheduled, never sent to someone
who left (issue 11 point 3 with issue 10's reconciler). Real HTTP against the sandbox."""

import datetime
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from newsletter.models import CampaignStatus, Subscriber
from newsletter.services import campaigns as service
from tests.newsletter.audience_support import make_subscriber, mc_member, mc_put
from tests.newsletter.campaign_fixtures import campaign_of, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def goes_out_soon(issue, sandbox, sender, django_capture_on_commit_callbacks):
    """A sender's schedule that Mailchimp holds; its send time is now 10 minutes away."""
    issue = publish(issue, sender, django_capture_on_commit_callbacks)
    when = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    campaign, when = service.request_schedule(issue, when, user=sender)
    assert service.run_schedule(campaign.pk, when.isoformat(), sender.pk).ok
    type(campaign).objects.filter(pk=campaign.pk).update(
        scheduled_for=timezone.now() + datetime.timedelta(minutes=10)
    )
    return issue


def leaver(email):
    mc_put(email, "subscribed")
    return make_subscriber(email, status=Subscriber.Status.UNSUBSCRIBED, mailchimp_needs_push=True)


def reconcile(*args):
    out = StringIO()
    call_command("newsletter_campaign", "reconcile", *args, stdout=out)
    return out.getvalue()


def test_a_waiting_unsubscribe_is_pushed_before_the_send_time(goes_out_soon, sandbox):
    leaver("anna@kommun.se")
    assert "1 unsubscribes waiting" in reconcile("--dry-run")
    assert mc_member("anna@kommun.se")["status"] == "subscribed"  # a dry run changes nothing

    reconcile()
    assert mc_member("anna@kommun.se")["status"] == "unsubscribed"
    campaign = campaign_of(goes_out_soon)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"


def test_the_campaign_is_unscheduled_when_the_unsubscribe_cannot_reach_mailchimp(
    goes_out_soon, sandbox
):
    leaver("anna@kommun.se")
    sandbox.inject(status=401, count=50, path="/members/", title="API Key Invalid")

    found = reconcile()
    assert "could not reach Mailchimp before the send" in found
    campaign = campaign_of(goes_out_soon)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert campaign.status != CampaignStatus.SCHEDULED
    assert "har ännu inte nått Mailchimp" in campaign.last_error
    assert Subscriber.objects.get(email="anna@kommun.se").mailchimp_needs_push


def test_a_live_issue_that_no_longer_passes_its_checklist_is_not_sent(goes_out_soon, sandbox):
    """The page stays live (it passed when published); its send is stopped and the editor told."""
    from wagtail.models import Revision

    live = goes_out_soon.live_revision
    Revision.objects.filter(pk=live.pk).update(content={**live.content, "subject": ""})

    assert "checklist errors before the send: subject_missing" in reconcile("--dry-run")
    campaign = campaign_of(goes_out_soon)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"

    found = reconcile()
    assert "checklist errors before the send" in found
    campaign = campaign_of(goes_out_soon)
    assert campaign.status == CampaignStatus.SYNCED
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert "Ämnesraden är tom." in campaign.last_error
    goes_out_soon.refresh_from_db()
    assert goes_out_soon.live


def test_a_mailchimp_failure_while_unscheduling_is_retried_and_nothing_goes_out(
    goes_out_soon, sandbox
):
    """The checklist broke and Mailchimp answers 503 to the unschedule: the go-live stays
    held, the reconciler's next round finishes the unschedule, and the send never happens."""
    from wagtail.models import Revision

    live = goes_out_soon.live_revision
    Revision.objects.filter(pk=live.pk).update(content={**live.content, "subject": ""})
    sandbox.inject(status=503, count=1, path="/actions/unschedule")

    reconcile()
    campaign = campaign_of(goes_out_soon)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"
    assert campaign.status == CampaignStatus.SCHEDULED  # not recorded as done

    # The retry's backoff has passed: the next round unschedules it.
    type(campaign).objects.filter(pk=campaign.pk).update(next_retry_at=None, lease_until=None)
    reconcile()
    campaign = campaign_of(goes_out_soon)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert campaign.status == CampaignStatus.SYNCED
    assert "Ämnesraden är tom." in campaign.last_error
