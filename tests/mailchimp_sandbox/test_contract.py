"""The OpenAPI contract checker itself: it must catch what is wrong, and pass what is right."""

import pytest

from mailchimp_sandbox.contract import get_contract, violations_in


@pytest.fixture(scope="module")
def contract():
    return get_contract()


def test_camel_case_templates_match_real_paths(contract):
    op = contract.find("GET", "/lists/abc123/members/0123456789abcdef0123456789abcdef")
    assert op.template == "/lists/{listId}/members/{subscriberHash}"
    assert contract.find("POST", "/campaigns/abc/actions/send").template == (
        "/campaigns/{campaignId}/actions/send"
    )
    assert contract.find("POST", "/lists/abc").template == "/lists/{listId}"


def test_good_exchange_passes(contract):
    assert (
        contract.check(
            "GET",
            "/ping",
            status=200,
            content_type="application/json",
            response={"health_status": "Everything's Chimpy!"},
        )
        == []
    )
    problem = {
        "type": "t",
        "title": "Resource Not Found",
        "status": 404,
        "detail": "d",
        "instance": "i",
    }
    assert (
        contract.check(
            "GET", "/lists/x", status=404, content_type="application/problem+json", response=problem
        )
        == []
    )


def test_known_bad_response_is_caught(contract):
    found = contract.check(
        "GET",
        "/campaigns/abc",
        status=200,
        content_type="application/json",
        response={"id": "abc", "type": "regular", "status": "nonsense", "emails_sent": "many"},
    )
    messages = " ".join(str(v) for v in found)
    assert "status" in messages and "emails_sent" in messages


def test_problem_without_required_fields_is_caught(contract):
    found = contract.check(
        "GET",
        "/ping",
        status=500,
        content_type="application/problem+json",
        response={"title": "Oops"},
    )
    assert found and "required" in found[0].message


def test_bad_request_body_and_query_are_caught(contract):
    assert contract.check("POST", "/campaigns", body={"settings": {}})  # no type
    assert contract.check("POST", "/campaigns", body={"type": "weird"})
    assert contract.check("GET", "/lists/x/members", query={"count": ["lots"]})
    assert contract.check("GET", "/lists/x/members", query={"cuont": ["10"]})


def test_unknown_route_status_and_content_type_are_caught(contract):
    assert contract.check("GET", "/nothing")[0].where == "route"
    assert contract.check(
        "POST",
        "/campaigns/x/actions/send",
        status=200,
        content_type="application/json",
        response={},
    )
    assert contract.check("GET", "/ping", status=200, content_type="text/html", response="<p>")
    assert contract.check("POST", "/campaigns/x/actions/send", status=204, response={"x": 1})


def test_merge_field_strings_are_allowed(contract):
    body = {
        "email_address": "a@example.se",
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Anna"},
    }
    assert contract.check("PUT", "/lists/x/members/abc", body=body) == []


def test_log_checking_skips_exempt_and_non_marketing(contract):
    bad = {
        "api": "marketing",
        "method": "POST",
        "api_path": "/campaigns",
        "query": {},
        "body": {"type": "weird"},
        "status": None,
    }
    assert violations_in([bad])
    assert violations_in([{**bad, "contract_exempt": True}]) == []
    assert violations_in([{**bad, "api": "mandrill"}]) == []


def test_sandbox_answers_validate(mc, mailchimp_sandbox):
    """A broad tour of the sandbox; the fixture's teardown validates every exchange."""
    mc.lists.get_list("testaudience")
    mc.lists.get_all_lists()
    mc.campaigns.list()
    assert all(r["status"] == 200 for r in mailchimp_sandbox.requests)
    assert violations_in(mailchimp_sandbox.requests) == []


def test_partial_answers_asked_for_with_fields_may_lack_required_properties(contract):
    partial = {"members": [{"email_address": "a@example.se"}]}
    kwargs = {"status": 200, "content_type": "application/json", "response": partial}
    path = "/lists/x/members"
    assert contract.check(
        "GET",
        "/campaigns/x",
        status=404,
        content_type="application/json",
        response={"title": "Oops"},
    )
    assert (
        contract.check(
            "GET",
            "/campaigns/x",
            query={"fields": ["title"]},
            status=404,
            content_type="application/json",
            response={"title": "Oops"},
        )
        == []
    )
    assert contract.check("GET", path, query={"fields": ["members.email_address"]}, **kwargs) == []
