"""The whole unsubscribe path through Mailchimp, over real HTTP both ways:

member pushed → campaign mail in the sandbox → its unsubscribe link (GET page, POST form) →
the sandbox fires the audience webhook at our live server → local status unsubscribed →
the next campaign does not reach them.
"""

import urllib.request
from io import StringIO
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from django.core.management import call_command

from newsletter import audience_sync
from newsletter.mailchimp import audience
from newsletter.mailchimp.client import get_client
from newsletter.models import Subscriber

from .audience_support import make_subscriber

Status = Subscriber.Status


def send_campaign(subject: str) -> str:
    """Create and send a campaign with the SDK directly (the campaign code is not under test)."""
    client = get_client()
    campaign = client.campaigns.create(
        {
            "type": "regular",
            "recipients": {"list_id": "testaudience"},
            "settings": {
                "subject_line": subject,
                "title": subject,
                "from_name": "SmåKom",
                "reply_to": "info@smakom.se",
            },
        }
    )
    client.campaigns.set_content(
        campaign["id"],
        {
            "html": '<p>Hej *|FNAME|*!</p><p><a href="*|UNSUB|*">Avsluta prenumerationen</a></p>'
            "<p>*|LIST:ADDRESSLINE|*</p>",
            "plain_text": "Hej *|FNAME|*! Avsluta: *|UNSUB|* *|LIST:ADDRESSLINE|*",
        },
    )
    client.campaigns.send(campaign["id"])
    return campaign["id"]


def register_webhook(live_server, settings) -> str:
    settings.SITE_BASE_URL = live_server.url
    out = StringIO()
    call_command("mailchimp_webhook", "register", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_register_webhook_is_idempotent(live_server, mailchimp_sandbox, settings):
    assert "registered" in register_webhook(live_server, settings)
    assert "already registered" in register_webhook(live_server, settings)
    hooks = audience.list_webhooks()
    assert len(hooks) == 1
    hook = hooks[0]
    assert (
        hook["url"] == f"{live_server.url}/newsletter/webhooks/mailchimp/?key=test-webhook-secret"
    )
    assert all(
        hook["events"][k]
        for k in ("subscribe", "unsubscribe", "profile", "upemail", "cleaned", "campaign")
    )
    assert hook["sources"]["user"] and hook["sources"]["admin"]
    # The sandbox checked the URL with a GET before saving it (as Mailchimp does).
    out = StringIO()
    call_command("mailchimp_webhook", "list", stdout=out)
    assert "key=…" in out.getvalue() and "test-webhook-secret" not in out.getvalue()
    call_command("mailchimp_webhook", "unregister", stdout=StringIO())
    assert audience.list_webhooks() == []


@pytest.mark.django_db(transaction=True)
def test_register_with_a_wrong_key_is_refused_by_the_validator(
    live_server, mailchimp_sandbox, settings
):
    from django.core.management import CommandError

    url = f"{live_server.url}/newsletter/webhooks/mailchimp/?key=wrong"
    with pytest.raises(CommandError, match="verify"):
        call_command("mailchimp_webhook", "register", "--url", url, stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_unsubscribe_link_in_a_campaign_round_trip(live_server, mailchimp_sandbox, settings):
    register_webhook(live_server, settings)
    leaving = make_subscriber("lasare@example.se", first_name="Lars")
    staying = make_subscriber("kvar@example.se", first_name="Karin")
    for sub in (leaving, staying):
        audience_sync.schedule_push(sub)  # autocommit: runs at once
    assert audience.get_member("lasare@example.se")["status"] == "subscribed"

    first = send_campaign("Nyhetsbrev april")
    [mail] = mailchimp_sandbox.messages(to="lasare@example.se", kind="campaign")
    assert "Hej Lars!" in mail["html"]
    # The link the reader clicks, taken from the mail itself.
    link = BeautifulSoup(mail["html"], "html.parser").find("a", string="Avsluta prenumerationen")[
        "href"
    ]
    assert link == mail["unsubscribe_url"]

    # A mail scanner's GET changes nothing; the person's POST from the page does.
    with urllib.request.urlopen(link) as page:
        assert b"<form" in page.read()
    assert audience.get_member("lasare@example.se")["status"] == "subscribed"
    request = urllib.request.Request(link, data=urlencode({}).encode(), method="POST")
    with urllib.request.urlopen(request) as page:
        assert page.status == 200

    assert mailchimp_sandbox.wait_for_webhooks(timeout=10)
    leaving.refresh_from_db()
    assert leaving.status == Status.UNSUBSCRIBED
    applied = leaving.events.get(applied=True, to_status=Status.UNSUBSCRIBED)
    assert applied.source == "mailchimp_webhook"
    assert applied.detail["campaign_id"] == first
    assert leaving.mailchimp_needs_push is False  # it came from Mailchimp: not echoed back

    send_campaign("Nyhetsbrev maj")
    assert len(mailchimp_sandbox.messages(to="lasare@example.se", kind="campaign")) == 1
    assert len(mailchimp_sandbox.messages(to="kvar@example.se", kind="campaign")) == 2
    # And a full push from here cannot bring them back.
    call_command("sync_subscribers", "--push", "--full", "--no-progress", stdout=StringIO())
    assert audience.get_member("lasare@example.se")["status"] == "unsubscribed"
