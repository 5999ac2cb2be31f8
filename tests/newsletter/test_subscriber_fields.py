"""The welcome mail and the settings page ask for and show what the sign-up form asked: the
chosen Kommun included."""

import pytest

from home.models import Municipality
from newsletter.emails import build_message
from tests.newsletter.subscriber_support import make_subscriber, preferences_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def kommuner():
    return (
        Municipality.objects.create(name="Grästorp", slug="grastorp", county="vastra_gotaland"),
        Municipality.objects.create(name="Tranemo", slug="tranemo", county="vastra_gotaland"),
    )


def test_the_welcome_mail_shows_the_chosen_kommun(home_page, kommuner):
    sub = make_subscriber(municipality=kommuner[0])
    message = build_message(sub, "welcome")
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert "Kommun: Grästorp" in part
        assert "Namn: Bo Berg" in part
        assert "bo.berg@example.se" in part
        assert "namn, kommun, organisation och intressen" in part


def test_the_welcome_mail_says_when_no_kommun_was_chosen(home_page):
    message = build_message(make_subscriber(), "welcome")
    assert "Kommun: inte vald" in message.body


def test_the_settings_page_shows_and_changes_the_kommun(client, home_page, kommuner):
    grastorp, tranemo = kommuner
    sub = make_subscriber(municipality=grastorp)
    path = preferences_path(sub)
    html = client.get(path).content.decode()
    assert "Kommun (frivilligt)" in html
    assert f'<option value="{grastorp.pk}" selected>Grästorp</option>' in html
    response = client.post(
        path,
        {"action": "save", "name": "Bo Berg", "organisation": "", "municipality": tranemo.pk},
        follow=True,
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.municipality == tranemo
    # A kommun not in the list: a Swedish error, nothing saved.
    bad = client.post(path, {"action": "save", "name": "Bo Berg", "municipality": "999999"})
    assert bad.status_code == 400
    assert "Välj en kommun i listan." in bad.content.decode()
    sub.refresh_from_db()
    assert sub.municipality == tranemo
