"""Admin login and password reset are throttled per account and per client address (issue 12,
point 4), with a Swedish page; the test client's login paths keep working."""

import pytest

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"
RESET_URL = "/admin/password_reset/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "rätt-lösen")


def attempt(password, username="redaktor", ip="192.0.2.1", **headers):
    return Client(REMOTE_ADDR=ip, **headers).post(
        LOGIN_URL, {"username": username, "password": password}
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and "/admin/login/" not in response["Location"]


def test_right_password_logs_in_and_a_few_typos_are_forgiven(editor):
    assert attempt("fel").status_code == 200
    assert attempt("fel igen").status_code == 200
    assert logged_in(attempt("rätt-lösen"))
    # A success resets the count for the account.
    assert attempt("fel").status_code == 200
    assert attempt("fel").status_code == 200
    assert logged_in(attempt("rätt-lösen"))


def test_an_account_is_locked_after_failures_from_many_addresses(editor):
    for n in range(3):
        response = attempt(f"gissning{n}", ip=f"198.51.100.{n}")
    assert response.status_code == 429
    # Even the right password, from a new address, is refused for a while.
    locked = attempt("rätt-lösen", ip="203.0.113.50")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "För många försök" in html and "Inloggningen är spärrad" in html
    assert "Försök igen om 15 minuter." in html


def test_an_address_is_locked_after_failures_against_many_accounts(editor):
    for name in ("anna", "bo", "cecilia"):
        attempt("gissning", username=name, ip="198.51.100.9")
    assert attempt("rätt-lösen", ip="198.51.100.9").status_code == 429
    # The editor can still log in from elsewhere.
    assert logged_in(attempt("rätt-lösen", ip="203.0.113.7"))


def test_lockout_uses_the_client_address_behind_the_proxy(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        attempt("gissning", username=f"user{n}", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    blocked = attempt("rätt-lösen", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9")
    assert blocked.status_code == 429
    # Another visitor behind the same proxy is not locked out.
    assert logged_in(attempt("rätt-lösen", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.10"))


def test_test_client_login_and_force_login_still_work(editor):
    client = Client()
    assert client.login(username="redaktor", password="rätt-lösen")
    assert client.get("/admin/").status_code == 200
    other = Client()
    other.force_login(editor)
    assert other.get("/admin/").status_code == 200


def test_password_reset_is_limited_per_address_and_per_network(editor, settings):
    settings.NEWSLETTER_RATE_LIMITS = {
        "password_reset_email": (2, 3600),
        "password_reset_ip": (4, 3600),
    }
    for n in range(2):
        response = Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            RESET_URL, {"email": "redaktor@smakom.se"}
        )
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    refused = Client(REMOTE_ADDR="198.51.100.77").post(RESET_URL, {"email": "Redaktor@Smakom.se"})
    assert refused.status_code == 429
    assert "För många begäranden om nytt lösenord" in refused.content.decode()
    assert len(mail.outbox) == 2
    # One network asking for many addresses is stopped too.
    network = Client(REMOTE_ADDR="203.0.113.5")
    statuses = [
        network.post(RESET_URL, {"email": f"person{n}@smakom.se"}).status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 302, 429]
