"""Hostile input on the registration pages never gives a 5xx: random form fields (wrong types,
huge values, control characters, unknown ids, repeated keys) and random tokens."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.test import Client

from events.models import Registration
from tests.events.support import make_event

pytestmark = pytest.mark.django_db

FIELDS = [
    "name",
    "email",
    "organisation_choice",
    "organisation",
    "role",
    "options",
    "diet",
    "invoice_reference",
    "consent",
    "action",
]
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=1200),
    st.sampled_from(["", "0", "-1", "999999999999999999999", "other", "1e9", "\x00", "on"]),
    st.integers().map(str),
)
forms = st.dictionaries(st.sampled_from(FIELDS), st.lists(values, min_size=1, max_size=3))


@pytest.fixture
def event(home_page):
    return make_event(home_page, capacity=2, options=[("Dag 1", 1), ("Dag 2", None)])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=forms)
def test_registration_form_never_5xx(event, data):
    client = Client(raise_request_exception=False)
    response = client.post(event.url + "anmalan/", data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert "field-error" in response.content.decode() or "notice--error" in (
            response.content.decode()
        )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(token=st.text(min_size=1, max_size=300).filter(lambda t: "/" not in t), data=forms)
def test_personal_link_never_5xx(event, token, data):
    client = Client(raise_request_exception=False)
    from urllib.parse import quote

    response = client.post(f"/kalender/anmalan/{quote(token, safe='')}/", data)
    assert response.status_code < 500
    real = Registration.objects.first()
    if real is not None:
        response = client.post(f"/kalender/anmalan/{real.token}/", data)
        assert response.status_code in (200, 400), response.status_code
