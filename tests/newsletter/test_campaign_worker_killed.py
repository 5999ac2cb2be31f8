"""A killed worker loses nothing: a real `db_worker` process is SIGKILLed in the middle of an
unschedule and of a sync against the sandbox; django-tasks-db leaves those tasks RUNNING for good,
and the reconciler (`newsletter_campaign reconcile`) brings the CMS and Mailchimp back together."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from newsletter.models import Campaign, CampaignStatus
from newsletter.services import campaigns as service
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import api_calls, campaign_of

ROOT = Path(__file__).resolve().parents[2]

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mailchimp"],
    }
}

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="The worker process needs a database it can share (the SQLite test database "
        "lives in memory).",
    ),
    pytest.mark.django_db(transaction=True),
]


def in_two_days():
    when = timezone.now() + datetime.timedelta(days=2)
    return when.replace(minute=30, second=0, microsecond=0)


def start_worker(tmp_path):
    """`manage.py db_worker` in its own process, on this test's database and sandbox."""
    module = tmp_path / "killtest_settings.py"
    module.write_text(
        "from cms.settings.test import *  # noqa\n"
        f"TASKS = {DB_TASKS!r}\n"
        f"MAILCHIMP_API_URL = {settings.MAILCHIMP_API_URL!r}\n"
        f"MAILCHIMP_API_KEY = {settings.MAILCHIMP_API_KEY!r}\n"
        f"MAILCHIMP_AUDIENCE_ID = {settings.MAILCHIMP_AUDIENCE_ID!r}\n"
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "killtest_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
    }
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def kill(worker):
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def lease_runs_out(campaign_id):
    """Time passes: the dead worker's lease expires (its length is minutes, not test seconds)."""
    Campaign.objects.filter(pk=campaign_id).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )


def reconcile():
    out = StringIO()
    call_command("newsletter_campaign", "reconcile", stdout=out)
    return out.getvalue()


def scheduled_issue(issue, sender, capture):
    issue.live = False
    issue.save()
    issue.go_live_at = in_two_days()
    with capture(execute=True):
        issue.save_revision(user=sender).publish(user=sender)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    return campaign


def test_killed_mid_unschedule_the_reconciler_finishes_it(
    issue, sandbox, sender, settings, tmp_path, django_capture_on_commit_callbacks
):
    campaign = scheduled_issue(issue, sender, django_capture_on_commit_callbacks)
    settings.TASKS = DB_TASKS
    service.request_unschedule(issue, user=sender)
    tasks.unschedule_campaign.enqueue(campaign.pk, sender.pk)
    sandbox.inject(delay=3, count=1)  # the unschedule call hangs while the worker is killed

    worker = start_worker(tmp_path)
    try:
        wait_for(lambda: Campaign.objects.get(pk=campaign.pk).lease_operation == "unschedule")
        time.sleep(0.5)  # the request is at Mailchimp now
    finally:
        kill(worker)
    # The task stays RUNNING for good: django-tasks-db never runs it again.
    assert DBTaskResult.objects.filter(
        status="RUNNING", task_path__endswith="unschedule_campaign"
    ).exists()
    stuck = campaign_of(issue)
    assert stuck.status == CampaignStatus.SCHEDULED and stuck.lease_operation == "unschedule"

    # While the dead worker's lease runs, the reconciler leaves the campaign alone.
    wait_for(lambda: sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save")
    reconcile()
    assert campaign_of(issue).status == CampaignStatus.SCHEDULED

    lease_runs_out(campaign.pk)
    out = reconcile()
    assert "unschedule" in out
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert campaign.remote_status == "save" and campaign.scheduled_for is None
    assert campaign.lease_until is None
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    # A sync of the issue (a retry, a resumed task) does not bring the schedule back.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert service.run_sync(campaign.pk).ok
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    assert sandbox.deliver_due(campaign.mailchimp_id, force=True) == 0
    assert "All campaigns agree" in reconcile()


def test_killed_mid_sync_the_reconciler_resumes_it(
    issue, sandbox, sender, settings, tmp_path, django_capture_on_commit_callbacks
):
    campaign = scheduled_issue(issue, sender, django_capture_on_commit_callbacks)
    go_live = campaign.scheduled_for
    settings.TASKS = DB_TASKS
    # A sender changes the subject: the sync unschedules, edits and schedules again. The first
    # two calls (unschedule, update) pass, the content upload hangs while the worker is killed.
    sandbox.inject(delay=0.01, count=2)
    sandbox.inject(delay=3, count=1)
    issue = type(issue).objects.get(pk=issue.pk)
    issue.subject = "Ändrad ämnesrad"
    issue.go_live_at = go_live
    issue.save_revision(user=sender).publish(user=sender)  # autocommit: enqueued into the database

    worker = start_worker(tmp_path)
    try:
        wait_for(lambda: Campaign.objects.get(pk=campaign.pk).remote_status == "save")
        time.sleep(1.0)  # unscheduled, updated, the content upload in flight
    finally:
        kill(worker)
    assert DBTaskResult.objects.filter(
        status="RUNNING", task_path__endswith="sync_campaign"
    ).exists()
    wait_for(lambda: len(api_calls(sandbox, "PUT", "/content")) >= 2)
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["status"] == "save"  # Mailchimp holds a draft: it would never go out
    stuck = campaign_of(issue)
    assert stuck.status == CampaignStatus.SCHEDULED and stuck.lease_operation == "sync"

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    lease_runs_out(campaign.pk)
    out = reconcile()
    assert "sync again" in out

    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.remote_status == "schedule" and campaign.scheduled_for == go_live
    assert campaign.lease_until is None
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["status"] == "schedule"
    assert remote["settings"]["subject_line"] == "Ändrad ämnesrad"
    assert remote["send_time"].startswith(
        go_live.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert "All campaigns agree" in reconcile()
