"""Several machines on one PostgreSQL: two web nodes, two workers, two `run_periodic` clocks.

The nodes are real processes (gunicorn, `manage.py db_worker`, `manage.py run_periodic`) on the
test's database, talking to this test's Mailchimp sandbox. An editor publishes and sends an issue
on web node A (and clicks send on node B too); Mailchimp's webhook delivers an unsubscribe to
node B and, as a retry, to node A. Nothing is created, sent or applied twice, and only one clock
enqueues the periodic tasks.
"""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime as dt
import sys
import time

import pytest
import requests

from django.conf import settings
from django.utils import timezone

from cms.management.commands.run_periodic import LEASE
from cms.models import Lease
from cms.settings.base import TASKS as DB_TASKS
from newsletter.models import CampaignStatus, MailchimpWebhookEvent, Subscriber, SubscriberEvent
from tests.fixtures.nodes import Node, free_port, manage, node_env, stop, wait_for_http, wait_until
from tests.newsletter.audience_support import event, make_subscriber
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    issue,
    sandbox,
    sender,
    site_settings,
)

WEBHOOK = "/newsletter/webhooks/mailchimp/?key=test-webhook-secret"


def gunicorn(port, env) -> Node:
    args = ["-m", "gunicorn", "cms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "2"]
    return Node([sys.executable, *args], env)


def editor_session(base: str, username: str) -> requests.Session:
    """Log in to the Wagtail admin of one node over HTTP, as the editor's browser would."""
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/admin/login/",
        data={
            "username": username,
            "password": "pw-" + username,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "next": "/admin/",
        },
        timeout=30,
    )
    assert response.url.endswith("/admin/"), response.text[:500]
    return session


def post_form(session: requests.Session, url: str, **data) -> requests.Response:
    response = session.post(
        url,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], **data},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code < 400, response.text[:500]
    return response


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="Several machines share PostgreSQL; SQLite is one file on one machine.",
)
@pytest.mark.django_db(transaction=True)
def test_two_nodes_two_workers_two_clocks_do_everything_once(issue, sandbox, sender):
    anna = make_subscriber(SUBSCRIBERS[0])
    paths = [path for path, _interval in settings.PERIODIC_TASKS]
    env = node_env(
        TASKS=DB_TASKS,
        PERIODIC_TASKS=[[path, 1] for path in paths],
        **{
            name: getattr(settings, name)
            for name in (
                "MAILCHIMP_API_URL",
                "MAILCHIMP_API_KEY",
                "MAILCHIMP_AUDIENCE_ID",
                "ANYMAIL",
                "EMAIL_BACKEND",
            )
        },
    )
    ports = free_port(), free_port()
    web_a, web_b = (gunicorn(port, env) for port in ports)
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    worker_args = ("db_worker", "--queue-name", "*", "--interval", "0.1", "--no-startup-delay")
    workers = [manage(*worker_args, env=env) for _ in range(2)]
    clocks = [manage("run_periodic", "--tick", "0.2", "--lease", "5", env=env) for _ in range(2)]
    nodes = [web_a, web_b, *workers, *clocks]
    try:
        wait_for_http(f"{a}/healthz", web_a, timeout=90)
        wait_for_http(f"{b}/healthz", web_b, timeout=90)

        # Publish on node A (the admin's bulk publish); a worker creates the campaign.
        editor_a = editor_session(a, sender.username)
        post_form(editor_a, f"{a}/admin/bulk/wagtailcore/page/publish/?id={issue.pk}")
        wait_until(
            lambda: campaign_of(issue).status == CampaignStatus.SYNCED,
            timeout=60,
            what="the campaign synced by a worker",
        )

        # Send on node A; the same editor's second click lands on node B.
        editor_b = editor_session(b, sender.username)
        send = f"/admin/newsletter/campaign/{issue.pk}/send/"
        post_form(editor_a, f"{a}{send}")
        post_form(editor_b, f"{b}{send}")
        wait_until(
            lambda: campaign_of(issue).status == CampaignStatus.SENT,
            timeout=60,
            what="the campaign sent by a worker",
        )

        # Mailchimp's webhook: an unsubscribe to node B, and its retry to node A.
        fired_at = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        body = event("unsubscribe", fired_at, email=anna.email, action="unsub", reason="manual")
        for base in (b, a):
            assert requests.post(f"{base}{WEBHOOK}", data=body, timeout=30).status_code == 200
        wait_until(
            lambda: not MailchimpWebhookEvent.objects.filter(processed_at__isnull=True).exists(),
            timeout=60,
            what="the webhook event applied by a worker",
        )
        time.sleep(1.5)  # a few more periodic rounds on both clocks and both workers
    except AssertionError as error:
        outputs = "\n---\n".join(out[-1500:] for out in stop(*nodes))
        raise AssertionError(f"{error}\n{outputs}") from error
    finally:
        outputs = stop(*nodes)

    # Created once, sent once, one email to each member.
    assert len(api_calls(sandbox, "POST", "/campaigns")) == 1
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    assert sorted(m["to"] for m in sandbox.messages(kind="campaign")) == sorted(SUBSCRIBERS)
    # The webhook event stored once and applied once.
    assert MailchimpWebhookEvent.objects.count() == 1
    anna.refresh_from_db()
    assert anna.status == Subscriber.Status.UNSUBSCRIBED
    assert SubscriberEvent.objects.filter(subscriber=anna, applied=True).count() == 1
    # One clock held the lock the whole time; the other stood by.
    clock_outputs = outputs[-2:]
    holding = [out for out in clock_outputs if "periodic: holding the lock" in out]
    assert len(holding) == 1, clock_outputs
    assert any("periodic: standing by" in out for out in clock_outputs)
    assert Lease.objects.get(name=LEASE).holder == ""
