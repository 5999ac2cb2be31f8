"""The webhook endpoints and the delivery log in the Wagtail admin (Swedish)."""

import pytest

from django.contrib.auth import get_user_model

from webhooks_out.models import Event, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/snippets/webhooks_out/webhookendpoint/"
DELIVERIES = "/admin/snippets/webhooks_out/webhookdelivery/"


@pytest.fixture
def admin_client(client, home_page):
    user = get_user_model().objects.create_superuser("admin", "admin@example.se", "pw")
    client.force_login(user)
    return client


def test_administrator_registers_an_endpoint(admin_client):
    form = admin_client.get(f"{ENDPOINTS}add/")
    assert form.status_code == 200
    assert "hemlig nyckel" in form.content.decode().lower()
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "name": "Next.js",
            "url": "https://app.example.se/api/revalidate",
            "secret": "abc",
            "on_published": "on",
            "on_issue_sent": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.on_published and endpoint.on_issue_sent and not endpoint.on_deleted
    listing = admin_client.get(ENDPOINTS).content.decode()
    assert "Next.js" in listing and "Sida publicerad" in listing


def test_bad_url_is_refused_in_swedish(admin_client):
    response = admin_client.post(
        f"{ENDPOINTS}add/", {"name": "x", "url": "ftp://example.se/", "secret": "abc"}
    )
    assert response.status_code == 200
    assert "Ange en giltig URL" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_delivery_log_is_read_only(admin_client):
    endpoint = WebhookEndpoint.objects.create(name="Astro", url="https://a.example.se/h")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=Event.PUBLISHED,
        payload={"event": "page.published"},
        status=WebhookDelivery.Status.DELIVERED,
        attempts=1,
        response_status=200,
        response_ms=42,
    )
    listing = admin_client.get(DELIVERIES)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Levererad" in html and "42" in html
    assert admin_client.get(f"{DELIVERIES}inspect/{delivery.pk}/").status_code == 200
    assert admin_client.get(f"{DELIVERIES}add/").status_code in (302, 403)
    assert admin_client.get(f"{DELIVERIES}edit/{delivery.pk}/").status_code in (302, 403)
