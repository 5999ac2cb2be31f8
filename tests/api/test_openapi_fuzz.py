"""Schemathesis fuzzes every operation in our OpenAPI description against the real app, with
all its checks: no 5xx, responses conform (status, content type, body, headers), every
schema-valid request is accepted (ST202) and every schema-violating one refused.

The app runs in-process (WSGI) on the test database with the demo-like content; each
operation gets a bounded number of generated requests, so the run stays well under a minute.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

# Loading the description is a plain GET that touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v2/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_db_connection():
    # The WSGI handler closes "old" connections when a request ends; Django's test client
    # switches that off so the test transaction survives, and so must we.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_openapi(case, content, keep_db_connection):
    case.call_and_validate()  # every check schemathesis has
