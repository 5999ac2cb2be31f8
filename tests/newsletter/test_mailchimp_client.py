"""The client module against the sandbox over real HTTP: answers, refusals, timeouts."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import pytest

from django.core.management import CommandError, call_command

from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import MailchimpError

pytestmark = pytest.mark.django_db


def test_ping_and_audience(sandbox):
    assert api.ping()["health_status"]
    audience = api.get_audience()
    assert audience["id"] == "testaudience"
    assert audience["stats"]["member_count"] == 3


def test_wrong_api_key_is_a_401_with_mailchimps_detail(sandbox, settings):
    settings.MAILCHIMP_API_KEY = "wrong-key"  # not of the form <hex>-<dc>
    with sandbox.no_contract(), pytest.raises(MailchimpError) as error:
        api.ping()
    assert error.value.status == 401
    assert not error.value.retryable
    assert "API-nyckeln" in error.value.message_sv
    with sandbox.no_contract(), pytest.raises(CommandError):
        call_command("mailchimp_check")


def test_problem_json_fields_are_kept(sandbox):
    with pytest.raises(MailchimpError) as error:
        api.get_campaign("finns-inte")
    assert error.value.status == 404
    assert error.value.title and error.value.detail
    assert "hittade inte" in error.value.message_sv


@pytest.mark.parametrize("status", [429, 500, 503])
def test_injected_failures_are_retryable(sandbox, status):
    sandbox.inject(status=status, count=1)
    with pytest.raises(MailchimpError) as error:
        api.ping()
    assert error.value.status == status and error.value.retryable
    assert api.ping()  # the next call passes


def test_timeout_has_no_status_and_is_retryable(sandbox, settings):
    settings.MAILCHIMP_TIMEOUT = 0.5
    sandbox.inject(delay=1.5, count=1)
    with pytest.raises(MailchimpError) as error:
        api.ping()
    assert error.value.status is None and error.value.retryable
    assert "gick inte att nå" in error.value.message_sv


def test_mailchimp_check_prints_the_audience(sandbox, capsys):
    call_command("mailchimp_check")
    out = capsys.readouterr().out
    assert "SmåKom nyhetsbrev (testaudience)" in out
    assert "members: 3" in out
