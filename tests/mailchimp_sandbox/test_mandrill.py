"""Mail we send ourselves: anymail's Mandrill backend against the sandbox lands in its inbox."""

import pytest
import requests
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailMessage

from django.core.mail import send_mail


def test_send_mail_lands_in_the_inbox(mailchimp_sandbox):
    sent = send_mail(
        "Bekräfta din anmälan",
        "Klicka på länken.",
        "SmåKom <nyhetsbrev@smakom.se>",
        ["anna@example.se", "bo@example.se"],
        html_message="<p>Klicka på <a href='https://smakom.se/x'>länken</a>.</p>",
    )
    assert sent == 1
    mails = mailchimp_sandbox.messages(kind="transactional")
    assert [m["to"] for m in mails] == ["anna@example.se", "bo@example.se"]
    assert mails[0]["subject"] == "Bekräfta din anmälan"
    assert mails[0]["text"] == "Klicka på länken."
    assert "länken" in mails[0]["html"]
    assert mails[0]["from_email"] == "nyhetsbrev@smakom.se"
    [call] = [r for r in mailchimp_sandbox.requests if r["api"] == "mandrill"]
    assert call["api_path"] == "/messages/send.json"
    inbox = requests.get(
        f"{mailchimp_sandbox.base_url}/_sandbox/inbox.json",
        params={"kind": "transactional"},
        timeout=5,
    ).json()
    assert inbox["total_items"] == 2


def test_headers_tags_and_message_ids(mailchimp_sandbox):
    message = AnymailMessage(
        subject="Välkommen",
        body="Hej",
        from_email="nyhetsbrev@smakom.se",
        to=["c@example.se"],
        headers={
            "List-Unsubscribe": "<https://smakom.se/avregistrera/abc/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        tags=["welcome"],
        metadata={"kind": "welcome"},
    )
    message.send()
    status = message.anymail_status
    assert status.status == {"sent"}
    [mail] = mailchimp_sandbox.messages(to="c@example.se")
    assert status.message_id == mail["mandrill_id"]
    assert mail["headers"]["List-Unsubscribe"] == "<https://smakom.se/avregistrera/abc/>"
    assert mail["tags"] == ["welcome"]
    assert mail["metadata"] == {"kind": "welcome"}


def test_merge_data_per_recipient(mailchimp_sandbox):
    message = AnymailMessage(
        subject="Hej *|NAME|*",
        body="Hej *|NAME|*",
        from_email="nyhetsbrev@smakom.se",
        to=["d@example.se", "e@example.se"],
    )
    message.merge_data = {"d@example.se": {"NAME": "Dag"}, "e@example.se": {"NAME": "Eva"}}
    message.send()
    assert [m["subject"] for m in mailchimp_sandbox.messages(kind="transactional")] == [
        "Hej Dag",
        "Hej Eva",
    ]


def test_wrong_key_is_refused(mailchimp_sandbox, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "MANDRILL_API_KEY": "wrong"}
    with pytest.raises(AnymailAPIError) as info:
        send_mail("x", "y", "nyhetsbrev@smakom.se", ["f@example.se"])
    assert "Invalid_Key" in str(info.value)
    assert mailchimp_sandbox.messages() == []


def test_injected_mandrill_failure(mailchimp_sandbox):
    mailchimp_sandbox.inject(status=500, api="mandrill")
    with pytest.raises(AnymailAPIError):
        send_mail("x", "y", "nyhetsbrev@smakom.se", ["g@example.se"])
    send_mail("x", "y", "nyhetsbrev@smakom.se", ["g@example.se"])
    assert len(mailchimp_sandbox.messages(to="g@example.se")) == 1


def test_users_ping(mailchimp_sandbox):
    response = requests.post(
        f"{mailchimp_sandbox.mandrill_url}/users/ping.json",
        json={"key": "test-mandrill-key"},
        timeout=5,
    )
    assert response.json() == "PONG!"
