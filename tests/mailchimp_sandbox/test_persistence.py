"""`--state-file`: a restart keeps campaigns, members and the inbox."""

import json

import mailchimp_marketing
import requests

from mailchimp_sandbox.server import SandboxServer

from .helpers import ready_campaign, subscribe


def client_for(server):
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": "abc-us1"})
    client.api_client.host = server.api_url
    client.api_client.server = ""
    return client


def test_restart_keeps_state(tmp_path):
    path = tmp_path / "var" / "sandbox.json"
    first = SandboxServer(state_file=str(path), audience_id="smakomdemo").start()
    try:
        mc = client_for(first)
        member = subscribe(mc, "anna@example.se", "Anna", list_id="smakomdemo")
        campaign = ready_campaign(mc, list_id="smakomdemo")
        mc.campaigns.send(campaign["id"])
        token_url = first.messages(kind="campaign")[0]["unsubscribe_url"]
    finally:
        first.stop()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert campaign["id"] in saved["campaigns"]
    assert not list(path.parent.glob(".sandbox-*"))  # no temporary files left behind

    # Same port, as `make run` always uses: links in delivered mails keep working.
    second = SandboxServer(port=first.port, state_file=str(path), audience_id="smakomdemo")
    second.start()
    try:
        mc = client_for(second)
        assert mc.campaigns.get(campaign["id"])["status"] == "sent"
        assert (
            mc.lists.get_list_member("smakomdemo", member["id"])["merge_fields"]["FNAME"] == "Anna"
        )
        assert [m["to"] for m in second.messages(kind="campaign")] == ["anna@example.se"]
        # Unsubscribe links from before the restart still work.
        assert requests.post(token_url, timeout=5).status_code == 200
        assert mc.lists.get_list_member("smakomdemo", member["id"])["status"] == "unsubscribed"
        new = mc.campaigns.create({"type": "regular"})
        assert new["web_id"] > campaign["web_id"]
    finally:
        second.stop()


def test_corrupt_state_file_starts_fresh(tmp_path):
    path = tmp_path / "sandbox.json"
    path.write_text("{not json")
    server = SandboxServer(state_file=str(path))
    assert list(server.state.audiences) == ["testaudience"]
