"""Never twice: many threads and two worker processes try to send one issue at once."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from django.conf import settings
from django.db import connection, connections

from newsletter.models import CampaignStatus
from newsletter.services import campaigns as service
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8

# A worker process: set up Django, wait for the starting shot, then send as an operator would.
WORKER = """
import os, sys, time
import json
import django
django.setup()
from django.conf import settings
# The sandbox this test runs (the test settings point Mailchimp at a closed port).
for name, value in json.loads(sys.argv[3]).items():
    setattr(settings, name, value)
from django.core.management import call_command
from django.core.management.base import CommandError
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.005)
try:
    call_command("newsletter_campaign", sys.argv[2], "send", "--user", "ansvarig")
except CommandError as refused:
    print("refused:", refused)
    sys.exit(1)
print("sent")
"""


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite has no row locks: select_for_update is a no-op there (it locks the whole file).",
)
@pytest.mark.django_db(transaction=True)
def test_exactly_one_send_reaches_mailchimp(issue, sandbox, sender, tmp_path):
    issue = publish(issue, sender)  # autocommit: the sync runs at once
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PYTHONPATH": str(ROOT),
    }
    mailchimp = json.dumps(
        {
            name: getattr(settings, name)
            for name in ("MAILCHIMP_API_URL", "MAILCHIMP_API_KEY", "MAILCHIMP_AUDIENCE_ID")
        }
    )
    env.pop("TEST_DATABASE_NAME", None)
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(go), issue.slug, mailchimp],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(4)  # let both processes finish importing Django before the start

    barrier = threading.Barrier(THREADS + 1)
    outcomes: list = []

    def click():
        barrier.wait()
        try:
            claimed, key = service.request_send(issue)
            outcomes.append(service.run_send(claimed.pk, key).ok)
        except service.CampaignRefused:
            outcomes.append(False)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    go.touch()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=60)
    results = [worker.communicate(timeout=60) for worker in workers]
    codes = [worker.returncode for worker in workers]

    winners = outcomes.count(True) + codes.count(0)
    assert winners == 1, (outcomes, codes, results)
    for code, (out, _err) in zip(codes, results, strict=True):
        assert code == 0 or "refused:" in out
    sends = api_calls(sandbox, "POST", "/actions/send")
    assert len(sends) == 1
    assert sorted(m["to"] for m in sandbox.messages(kind="campaign")) == sorted(SUBSCRIBERS)
    assert campaign_of(issue).status == CampaignStatus.SENT


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite has no row locks: select_for_update is a no-op there (it locks the whole file).",
)
@pytest.mark.django_db(transaction=True)
def test_publish_and_send_submitted_at_once_publishes_and_sends_once(issue, sandbox, sender):
    """ "Publicera och skicka" on a draft, double-clicked or sent from two tabs at once: one
    submission publishes and records the send; the others are refused with the reason."""
    from wagtail.models import PageLogEntry

    from newsletter.services import publish_and_send
    from tests.newsletter.campaign_fixtures import unpublished

    issue = unpublished(issue, sender)
    service.campaign_for(issue)
    barrier = threading.Barrier(4)
    outcomes: list = []

    def submit():
        barrier.wait()
        try:
            decision = publish_and_send.request_publish_and_send(issue, sender)
            outcomes.append(("published", decision.published))
        except service.CampaignRefused as refused:
            outcomes.append(("refused", refused.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(kind for kind, _ in outcomes) == ["published", "refused", "refused", "refused"]
    assert PageLogEntry.objects.filter(page=issue, action="wagtail.publish").count() == 1
    assert campaign_of(issue).publish_send_intent["operation"] == "send"
