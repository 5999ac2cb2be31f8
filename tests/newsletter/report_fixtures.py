"""A sent issue with what its readers did, over real HTTP against the Mailchimp sandbox."""

import datetime
import json
import urllib.request

from django.utils import timezone

from newsletter.models import Campaign
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import campaign_of, publish


def send_issue(issue, sender, capture) -> Campaign:
    """Publish and send `issue` through the tasks; return its (sent) campaign."""
    issue = publish(issue, sender, capture)
    with capture(execute=True):
        campaign, key = service.request_send(issue)
        tasks.enqueue(tasks.send_campaign, campaign.pk, key, sender.pk)
    return campaign_of(issue)


def simulate(sandbox, campaign: Campaign, events: list[dict]) -> dict:
    """What subscribers did (opens, clicks, bounces), through the sandbox's control endpoint."""
    request = urllib.request.Request(
        f"{sandbox.base_url}/_sandbox/campaigns/{campaign.mailchimp_id}/activity",
        data=json.dumps({"events": events}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - local sandbox
        return json.loads(response.read())


def sent_issue_with_activity(issue, sandbox, sender, capture, *, events) -> Campaign:
    """Send `issue`, let its readers do `events` ("hour": hours after sending), take the report."""
    campaign = send_issue(issue, sender, capture)
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    send_time = datetime.datetime.fromisoformat(remote["send_time"])
    simulate(
        sandbox,
        campaign,
        [
            {**event, "at": (send_time + datetime.timedelta(hours=event.pop("hour"))).isoformat()}
            if "hour" in event
            else event
            for event in events
        ],
    )
    tasks.refresh_campaign_report.enqueue(campaign.pk)
    return Campaign.objects.get(pk=campaign.pk)


def backdate(campaign: Campaign, days: int) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=days)
    )
