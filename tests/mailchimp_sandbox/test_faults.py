"""Injected failures, slow answers, and 429 beyond 10 simultaneous connections."""

import threading

import pytest
import requests

from newsletter.mailchimp.client import MailchimpError, call

AUTH = ("user", "abc-us1")


def test_next_requests_fail_then_recover(mc, mailchimp_sandbox):
    mailchimp_sandbox.inject(status=500, count=2)
    for _ in range(2):
        with pytest.raises(MailchimpError) as info:
            call(mc.ping.get)
        assert info.value.status == 500
        assert info.value.retryable
    assert call(mc.ping.get)["health_status"]
    assert [r["status"] for r in mailchimp_sandbox.requests] == [500, 500, 200]


def test_injected_429_has_retry_after(mailchimp_sandbox):
    mailchimp_sandbox.inject(status=429)
    response = requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=5)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["title"] == "Too Many Requests"


def test_faults_control_endpoint(mailchimp_sandbox):
    answer = requests.post(
        f"{mailchimp_sandbox.base_url}/_sandbox/faults", json={"status": 503, "count": 1}, timeout=5
    )
    assert answer.status_code == 200
    assert (
        requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=5).status_code == 503
    )
    assert (
        requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=5).status_code == 200
    )
    bad = requests.post(f"{mailchimp_sandbox.base_url}/_sandbox/faults", json={}, timeout=5)
    assert bad.status_code == 400


def test_slow_answer_times_out_the_client(mc, mailchimp_sandbox, settings):
    settings.MAILCHIMP_TIMEOUT = 0.3
    mailchimp_sandbox.inject(delay=1.0)
    from newsletter.mailchimp.client import get_client

    with pytest.raises(MailchimpError) as info:
        call(get_client().ping.get)
    assert info.value.status is None  # no answer in time: retryable network failure
    assert info.value.retryable
    settings.MAILCHIMP_TIMEOUT = 5
    assert call(get_client().ping.get)


def test_more_than_ten_simultaneous_requests_get_429(mailchimp_sandbox):
    mailchimp_sandbox.inject(delay=1.5, count=10)
    results: list[int] = []
    lock = threading.Lock()

    def slow():
        status = requests.get(
            f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=10
        ).status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=slow) for _ in range(10)]
    for thread in threads:
        thread.start()
    # Wait until all ten hold a connection, then three more arrive.
    import time

    deadline = time.monotonic() + 5
    while mailchimp_sandbox.in_flight < 10:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    excess = [
        requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=5) for _ in range(3)
    ]
    for thread in threads:
        thread.join()
    assert [r.status_code for r in excess] == [429, 429, 429]
    assert excess[0].json()["title"] == "Too Many Requests"
    assert results == [200] * 10
    # Once they are done, the account answers again.
    assert (
        requests.get(f"{mailchimp_sandbox.api_url}/ping", auth=AUTH, timeout=5).status_code == 200
    )
