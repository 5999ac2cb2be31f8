"""Ping, audience, auth and the error format, over real HTTP with the real SDK."""

import pytest
import requests
from mailchimp_marketing.api_client import ApiClientError

from newsletter.mailchimp.client import MailchimpError, call


def test_ping(mc):
    assert mc.ping.get() == {"health_status": "Everything's Chimpy!"}


def test_default_audience(mc):
    audience = mc.lists.get_list("testaudience")
    assert audience["name"] == "SmåKom nyhetsbrev"
    assert audience["contact"]["city"] == "Stockholm"
    assert audience["contact"]["country"] == "SE"
    assert audience["campaign_defaults"]["from_name"] == "SmåKom"
    assert audience["campaign_defaults"]["from_email"] == "nyhetsbrev@smakom.se"
    assert "SmåKom" in audience["permission_reminder"]


def test_unknown_audience_is_problem_json_404(mailchimp_sandbox, mc):
    with pytest.raises(MailchimpError) as info:
        call(mc.lists.get_list, "nope")
    assert info.value.status == 404
    assert info.value.title == "Resource Not Found"
    assert info.value.instance
    response = requests.get(
        f"{mailchimp_sandbox.api_url}/lists/nope", auth=("user", "abc-us1"), timeout=5
    )
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["status"] == 404


@pytest.mark.parametrize("auth", [None, ("user", "nodatacentre"), ("user", "")])
def test_missing_or_invalid_key_is_401(mailchimp_sandbox, auth):
    response = requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=auth, timeout=5)
    assert response.status_code == 401
    assert response.json()["title"] in ("API Key Missing", "API Key Invalid")


def test_fixed_api_key_accepts_only_that_key():
    from mailchimp_sandbox.server import SandboxServer

    server = SandboxServer(api_key="right-us1").start()
    try:
        ok = requests.get(f"{server.api_url}/ping", auth=("x", "right-us1"), timeout=5)
        wrong = requests.get(f"{server.api_url}/ping", auth=("x", "wrong-us1"), timeout=5)
    finally:
        server.stop()
    assert ok.status_code == 200
    assert wrong.status_code == 401
    assert wrong.json()["title"] == "API Key Invalid"


def test_sdk_sees_401_as_client_error(mailchimp_sandbox, settings):
    import mailchimp_marketing

    client = mailchimp_marketing.Client()
    client.set_config({"api_key": "bad"})
    client.api_client.host = mailchimp_sandbox.api_url
    client.api_client.server = ""
    with pytest.raises(ApiClientError) as info:
        client.ping.get()
    assert info.value.status_code == 401


def test_method_not_allowed_and_unknown_route(mailchimp_sandbox):
    auth = ("user", "abc-us1")
    with mailchimp_sandbox.no_contract():
        put = requests.put(f"{mailchimp_sandbox.api_url}/ping", auth=auth, timeout=5)
        missing = requests.get(f"{mailchimp_sandbox.api_url}/nothing/here", auth=auth, timeout=5)
    assert put.status_code == 405
    assert put.json()["title"] == "Method Not Allowed"
    assert missing.status_code == 404


def test_malformed_json_is_400(mailchimp_sandbox):
    with mailchimp_sandbox.no_contract():
        response = requests.post(
            f"{mailchimp_sandbox.api_url}/campaigns",
            data=b"{not json",
            auth=("user", "abc-us1"),
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
    assert response.status_code == 400
    assert response.json()["title"] == "JSON Parse Error"


def test_too_large_body_is_413(mailchimp_sandbox):
    body = b"x" * (mailchimp_sandbox.max_body + 1)
    with mailchimp_sandbox.no_contract():
        response = requests.post(
            f"{mailchimp_sandbox.api_url}/campaigns",
            data=body,
            auth=("user", "abc-us1"),
            timeout=10,
        )
    assert response.status_code == 413


def test_every_request_is_logged(mailchimp_sandbox, mc):
    mc.ping.get()
    mc.lists.get_list("testaudience")
    logged = [(r["method"], r["api_path"], r["status"]) for r in mailchimp_sandbox.requests]
    assert logged == [("GET", "/ping", 200), ("GET", "/lists/testaudience", 200)]


def test_reset_forgets_everything(mailchimp_sandbox, mc):
    mc.campaigns.create({"type": "regular"})
    assert mailchimp_sandbox.state.campaigns
    response = requests.post(f"{mailchimp_sandbox.base_url}/_sandbox/reset", timeout=5)
    assert response.status_code == 200
    assert mailchimp_sandbox.state.campaigns == {}
    assert mailchimp_sandbox.requests == []
    assert list(mailchimp_sandbox.state.audiences) == ["testaudience"]
