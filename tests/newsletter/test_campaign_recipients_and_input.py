"""Clearing the segment reaches Mailchimp (the whole audience again), the recipient count shown is
what Mailchimp will send to, and bad schedule times are clear Swedish errors, never a 500."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

from io import StringIO

import pytest

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from newsletter.mailchimp.client import call, get_client, subscriber_hash
from newsletter.models import CampaignStatus
from newsletter.tasks.segments import fetch_segments
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def url(name, page):
    return reverse(f"newsletter_campaign:{name}", args=[page.pk])


@pytest.fixture
def synced(issue, sandbox, sender, django_capture_on_commit_callbacks):
    return publish(issue, sender, django_capture_on_commit_callbacks)


def test_clearing_the_segment_sends_to_the_whole_audience_and_the_count_matches(
    client, synced, sandbox, sender, django_capture_on_commit_callbacks
):
    client_api = get_client()
    audience = settings.MAILCHIMP_AUDIENCE_ID
    # A tag with two subscribers and one who has left: Mailchimp sends to the two.
    call(
        client_api.lists.set_list_member,
        audience,
        subscriber_hash("dora@kommun.se"),
        {"email_address": "dora@kommun.se", "status_if_new": "unsubscribed"},
    )
    segment = call(
        client_api.lists.create_segment,
        audience,
        {"name": "Politiker", "static_segment": [SUBSCRIBERS[0], SUBSCRIBERS[1], "dora@kommun.se"]},
    )
    # The chooser offers the segments a task fetched (newsletter.services.segments).
    fetch_segments.enqueue()
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("recipients", synced), {"segment_id": segment["id"], "segment_name": "Politiker"}
        )
    campaign = campaign_of(synced)
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["recipients"]["segment_opts"]["saved_segment_id"] == segment["id"]
    assert campaign.recipient_count == 2  # not the tag's 3 members: one has unsubscribed
    status = client.get(url("status", synced)).content.decode()
    assert "Politiker (2 prenumeranter)" in status

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("recipients", synced), {"segment_id": "", "segment_name": ""})
    campaign = campaign_of(synced)
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert "segment_opts" not in remote["recipients"]
    assert campaign.segment_id is None and campaign.recipient_count == len(SUBSCRIBERS)
    assert (
        "Hela mottagarlistan (3 prenumeranter)"
        in client.get(url("status", synced)).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("send", synced))
    assert campaign_of(synced).status == CampaignStatus.SENT
    sent_to = sorted(m["to"] for m in sandbox.messages(kind="campaign"))
    assert sent_to == sorted(SUBSCRIBERS) and len(sent_to) == campaign.recipient_count


ADMIN_INPUT = [
    ("9999-12-31T23:59", "för långt fram"),
    ("9999-01-01T08:00", "för långt fram"),
    ("2030-01-01T08:00", "för långt fram"),
    ("2020-01-01T08:00", "passerat"),
    ("i morgon bitti", "datum och tid"),
    ("2026-13-45T25:99", "datum och tid"),
]
COMMAND_INPUT = [
    ("9999-12-31T23:59:59+00:00", "för långt fram"),
    ("2020-01-01T08:00+01:00", "passerat"),
    ("nästa tisdag", "är ingen tid"),
]


def test_bad_schedule_times_are_clear_errors(
    client, synced, sandbox, sender, django_capture_on_commit_callbacks
):
    client.force_login(sender)
    for when, message in ADMIN_INPUT:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("schedule", synced), {"when": when}, follow=True)
        assert response.status_code == 200, when
        assert message in response.content.decode(), when
    for when, message in COMMAND_INPUT:
        with pytest.raises(CommandError, match=message):
            call_command(
                "newsletter_campaign",
                synced.slug,
                "schedule",
                when,
                "--user",
                sender.username,
                stdout=StringIO(),
            )
    assert campaign_of(synced).status == CampaignStatus.SYNCED
    assert api_calls(sandbox, "POST", "/actions/schedule") == []
