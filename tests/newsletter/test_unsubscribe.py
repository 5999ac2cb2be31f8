"""Our own one-click unsubscribe (RFC 8058) and the preferences page, from signed links."""

import re
from datetime import timedelta

import pytest
import time_machine

from django.utils import timezone

from newsletter import tokens
from newsletter.emails import list_unsubscribe_headers
from newsletter.mailchimp import audience
from newsletter.models import Subscriber
from tests.newsletter import subscriber_support
from tests.newsletter.subscriber_support import (
    SIGNUP_URL,
    CommittingClient,
    make_subscriber,
    preferences_path,
    signup_data,
    unsubscribe_path,
)

# Fixtures from the support module (pytest finds them as module attributes).
subscriber_env = subscriber_support.subscriber_env  # autouse
client = subscriber_support.client  # runs on_commit callbacks per request

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def one_click(path):
    """What a mail client sends (RFC 8058): no cookies, no CSRF token, a form-encoded body."""
    bare = CommittingClient(enforce_csrf_checks=True)
    return bare.post(path, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_one_click_post_unsubscribes_without_session_or_csrf(home_page):
    sub = make_subscriber()
    response = one_click(unsubscribe_path(sub))
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED
    event = sub.events.get()
    assert (event.source, event.from_status, event.to_status) == (
        "one_click",
        "subscribed",
        "unsubscribed",
    )
    # The change reached the Mailchimp sandbox through the outbox push.
    assert audience.get_member(sub.email)["status"] == "unsubscribed"
    assert not sub.mailchimp_needs_push


def test_get_shows_a_button_and_changes_nothing(client, home_page):
    sub = make_subscriber()
    page = client.get(unsubscribe_path(sub))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Avsluta prenumerationen" in html and sub.email in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.SUBSCRIBED
    assert not sub.events.exists()


def test_the_page_button_unsubscribes_and_is_idempotent(client, home_page):
    sub = make_subscriber()
    path = unsubscribe_path(sub)
    first = client.post(path)
    assert "Du har avslutat prenumerationen" in first.content.decode()
    second = client.post(path)
    assert second.status_code == 200
    assert one_click(path).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED
    assert list(sub.events.values_list("source", flat=True)) == ["unsubscribe_page"]


def test_link_is_long_lived(home_page):
    sub = make_subscriber()
    path = unsubscribe_path(sub)
    with time_machine.travel(timezone.now() + timedelta(days=900)):
        assert one_click(path).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED


@pytest.mark.parametrize("token", ["bogus", "a" * 5000, "eyJzIjoxfQ:forged:sig"])
def test_bad_tokens_change_nothing(client, home_page, token):
    sub = make_subscriber()
    assert one_click(f"/nyhetsbrev/avsluta/{token}/").status_code == 400
    assert client.get(f"/nyhetsbrev/avsluta/{token}/").status_code == 400
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.SUBSCRIBED


def test_a_confirmation_token_is_not_an_unsubscribe_token(home_page):
    sub = make_subscriber()
    assert one_click(f"/nyhetsbrev/avsluta/{tokens.make_confirm_token(sub)}/").status_code == 400


def test_erased_subscriber_one_click_answers_ok(home_page):
    from newsletter.services import subscribers as service

    sub = make_subscriber()
    path = unsubscribe_path(sub)
    service.erase(sub)
    assert one_click(path).status_code == 200


def test_only_the_unsubscribe_view_is_csrf_exempt(home_page):
    sub = make_subscriber()
    bare = CommittingClient(enforce_csrf_checks=True)
    assert bare.post(preferences_path(sub), {"action": "unsubscribe"}).status_code == 403
    assert bare.post(SIGNUP_URL, signup_data()).status_code == 403


def test_our_mail_through_mandrill_reaches_the_sandbox_inbox_with_one_click_headers(
    client, home_page, settings, subscriber_env
):
    settings.EMAIL_BACKEND = "anymail.backends.mandrill.EmailBackend"
    client.post(
        SIGNUP_URL, signup_data(email="cecilia.carlsson@example.se", name="Cecilia Carlsson")
    )
    [message] = subscriber_env.messages(to="cecilia.carlsson@example.se")
    assert message["subject"] == "Bekräfta din prenumeration på SmåKoms nyhetsbrev"
    assert (
        message["text"].startswith("Hej!") and "Cecilia" not in message["text"]
    )  # neutral greeting
    assert "Bekräfta min prenumeration" in message["html"]
    headers = message["headers"]
    assert headers["List-Unsubscribe-Post"] == ONE_CLICK
    url = re.fullmatch(
        r"<(http://testserver(/nyhetsbrev/avsluta/[^>]+))>", headers["List-Unsubscribe"]
    )
    assert url
    # The mail client's one-click POST to the header's URL unsubscribes.
    assert one_click(url.group(2)).status_code == 200
    sub = Subscriber.objects.get(email="cecilia.carlsson@example.se")
    assert sub.status == Subscriber.Status.UNSUBSCRIBED
    # And the confirmation link from that mail no longer subscribes them.
    confirm = re.search(r"http://testserver(/nyhetsbrev/bekrafta/[^\s]+)", message["text"]).group(1)
    assert client.post(confirm).status_code == 410
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED


def test_headers_use_the_subscribers_own_token():
    class Fake:
        pk = 41

    headers = list_unsubscribe_headers(Fake())
    token = headers["List-Unsubscribe"].rsplit("/avsluta/", 1)[1].rstrip("/>")
    assert tokens.read_unsubscribe_token(token).subscriber_id == 41


# --- Preferences -----------------------------------------------------------------------------


def test_preferences_show_and_save(client, home_page):
    sub = make_subscriber(organisation="Grästorps kommun", tags=["Nyhetsbrev"])
    path = preferences_path(sub)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Bo Berg"' in html and "Grästorps kommun" in html
    assert "Medlemsinformation" in html
    response = client.post(
        path,
        {
            "action": "save",
            "name": "Bo Bergström",
            "organisation": "Tranemo kommun",
            "interests": ["Evenemang", "Medlemsinformation"],
        },
        follow=True,
    )
    assert "Dina inställningar är sparade." in response.content.decode()
    sub.refresh_from_db()
    assert (sub.first_name, sub.last_name, sub.organisation) == (
        "Bo",
        "Bergström",
        "Tranemo kommun",
    )
    assert sub.tags == ["Evenemang", "Medlemsinformation"]
    assert sub.status == Subscriber.Status.SUBSCRIBED
    member = audience.get_member(sub.email)
    assert member["merge_fields"]["LNAME"] == "Bergström"
    assert member["merge_fields"]["ORG"] == "Tranemo kommun"


def test_preferences_reject_unknown_interests_and_long_values(client, home_page):
    sub = make_subscriber(tags=["Nyhetsbrev"])
    path = preferences_path(sub)
    bad = client.post(path, {"action": "save", "name": "Bo", "interests": ["<script>"]})
    assert bad.status_code == 400
    long = client.post(path, {"action": "save", "name": "B" * 1000, "interests": []})
    assert long.status_code == 400
    assert "högst 100 tecken" in long.content.decode()
    sub.refresh_from_db()
    assert sub.tags == ["Nyhetsbrev"] and sub.first_name == "Bo"


def test_preferences_unsubscribe(client, home_page):
    sub = make_subscriber()
    response = client.post(preferences_path(sub), {"action": "unsubscribe"}, follow=True)
    assert "Du har avslutat prenumerationen" in response.content.decode()
    assert "Du prenumererar inte på nyhetsbrevet." in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED
    assert sub.events.get().source == "preferences"


def test_preferences_link_expires(client, home_page):
    sub = make_subscriber()
    path = preferences_path(sub)
    with time_machine.travel(timezone.now() + timedelta(days=181)):
        assert client.get(path).status_code == 410
        assert client.post(path, {"action": "unsubscribe"}).status_code == 410
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.SUBSCRIBED


@pytest.mark.django_db
def test_the_web_copys_unsubscribe_link_leads_to_a_page_that_says_where_to_leave(client, home_page):
    from newsletter.rendering.email import unsubscribe_page_url

    path = unsubscribe_page_url().removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 200
    assert "personlig avregistreringslänk" in response.content.decode()
