"""The campaign state machine, rounding, and that requests only enqueue (no Mailchimp needed)."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks import default_task_backend

from newsletter.models import Campaign, CampaignStatus
from newsletter.models.campaigns import TRANSITIONS, InvalidTransition
from newsletter.services import campaigns as service
from tests.newsletter.campaign_fixtures import campaign_of, publish

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((9, 0, 0), (9, 0)),
        ((9, 0, 1), (9, 15)),
        ((9, 1, 0), (9, 15)),
        ((9, 15, 0), (9, 15)),
        ((9, 44, 59), (9, 45)),
        ((9, 46, 0), (10, 0)),
        ((23, 50, 0), (0, 0)),
    ],
)
def test_round_up_to_quarter(given, expected):
    when = datetime.datetime(2026, 12, 1, *given, tzinfo=STOCKHOLM)
    rounded = service.round_up_to_quarter(when)
    assert (rounded.hour, rounded.minute, rounded.second) == (*expected, 0)
    assert rounded >= when
    assert rounded - when < datetime.timedelta(minutes=15)


def test_sent_is_final_and_transitions_are_checked(db, issue):
    campaign = Campaign.objects.create(page=issue)
    with pytest.raises(InvalidTransition):
        campaign.move_to(CampaignStatus.SENT)  # draft → sent skips sending
    campaign.move_to(CampaignStatus.SYNCED)
    campaign.move_to(CampaignStatus.SENDING)
    campaign.move_to(CampaignStatus.SENT)
    assert TRANSITIONS[CampaignStatus.SENT] == set()
    for status in CampaignStatus.values:
        assert not campaign.can_move_to(status)


def test_copying_an_issue_does_not_copy_its_campaign(db, issue):
    Campaign.objects.create(page=issue, mailchimp_id="abc", status=CampaignStatus.SENT)
    copy = issue.copy(update_attrs={"slug": "kopia", "title": "Kopia"}, keep_live=False)
    assert not Campaign.objects.filter(page_id=copy.pk).exists()
    # Publishing the copy gives it a campaign of its own, a new one.
    copy.save_revision().publish()
    assert Campaign.objects.filter(page_id=copy.pk, mailchimp_id="", status="draft").exists()
    assert Campaign.objects.get(page_id=issue.pk).mailchimp_id == "abc"


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}
    }
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_publishing_only_enqueues_the_sync(
    db, issue, dummy_tasks, django_capture_on_commit_callbacks
):
    """No network in the request: with the DummyBackend nothing runs, one task is enqueued."""
    publish(issue, capture=django_capture_on_commit_callbacks)
    results = [r for r in dummy_tasks.results if r.task.module_path.startswith("newsletter.")]
    assert [r.task.name for r in results] == ["sync_campaign"]
    assert results[0].task.queue_name == "mailchimp"
    campaign = campaign_of(issue)
    assert results[0].args[0] == campaign.pk
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.mailchimp_id == ""


def test_send_requires_current_content(db, issue, sender):
    publish(issue)
    with pytest.raises(service.CampaignRefused, match="Mailchimp"):
        service.request_send(issue)
    assert campaign_of(issue).status == CampaignStatus.DRAFT
