"""Sign-up with double opt-in: the form, its defences, the confirmation mail and link."""

import time
from datetime import timedelta

import pytest
import time_machine

from django.core import mail
from django.utils import timezone

from newsletter import tokens
from newsletter.mailchimp import audience
from newsletter.models import Subscriber, SubscriberEvent
from tests.newsletter import subscriber_support
from tests.newsletter.subscriber_support import (
    SIGNUP_URL,
    CommittingClient,
    confirm_link,
    mails_to,
    make_subscriber,
    signup_data,
    unsubscribe_path,
)

# Fixtures from the support module (pytest finds them as module attributes).
subscriber_env = subscriber_support.subscriber_env  # autouse
client = subscriber_support.client  # runs on_commit callbacks per request

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) Test"


def post_signup(client, **kwargs):
    return client.post(SIGNUP_URL, signup_data(**kwargs), HTTP_USER_AGENT=UA)


def test_signup_page_shows_the_form_with_csrf_stamp_and_privacy_text(client, home_page):
    response = client.get(SIGNUP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/nyhetsbrev/prenumerera/"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="stamp"' in html
    assert 'name="website"' in html  # honeypot
    assert "Prenumerera på nyhetsbrevet" in html
    assert "Jag vill få SmåKoms nyhetsbrev" in html
    assert "standardavtalsklausuler" in html  # privacy text


def test_full_double_opt_in(client, home_page):
    response = post_signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/nyhetsbrev/prenumerera/tack/"
    done = client.get(response["Location"])
    assert "Titta i din inkorg" in done.content.decode()

    sub = Subscriber.objects.get(email="anna.andersson@example.se")
    assert sub.status == Subscriber.Status.PENDING
    assert (sub.first_name, sub.last_name) == ("Anna", "Andersson")
    assert sub.source == Subscriber.Source.WEBSITE
    assert sub.tags == ["Nyhetsbrev"]
    assert "Jag vill få SmåKoms nyhetsbrev" in sub.consent_text
    assert sub.signup_ip == "127.0.0.1"
    assert sub.signup_user_agent == UA
    assert sub.signup_at is not None
    assert not sub.mailchimp_needs_push  # nobody goes to Mailchimp before confirming

    [message] = mails_to(sub.email)
    assert message.subject == "Bekräfta din prenumeration på SmåKoms nyhetsbrev"
    # A neutral greeting: the name was typed by whoever filled in the form.
    assert message.body.startswith("Hej!")
    [(html, mimetype)] = message.alternatives
    assert "Anna" not in message.body and "Anna" not in html
    assert mimetype == "text/html"
    assert "Bekräfta min prenumeration" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/nyhetsbrev/avsluta/"
    )
    link = confirm_link(message)
    assert link in html

    # A mail scanner following the link confirms nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Bekräfta min prenumeration" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.PENDING

    confirmed = client.post(link, HTTP_USER_AGENT="Confirming browser")
    assert confirmed.status_code == 200
    assert "din prenumeration är bekräftad" in confirmed.content.decode()
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.SUBSCRIBED
    assert sub.confirmed_at is not None
    assert sub.confirm_ip == "127.0.0.1"
    assert sub.confirm_user_agent == "Confirming browser"
    # Pushed over real HTTP to the Mailchimp sandbox, with the consent record.
    member = audience.get_member(sub.email)
    assert member["status"] == "subscribed"
    assert member["merge_fields"]["FNAME"] == "Anna"
    assert member["ip_signup"] == "127.0.0.1"
    assert member["ip_opt"] == "127.0.0.1"
    assert not sub.mailchimp_needs_push and sub.mailchimp_pushed_at
    events = list(sub.events.order_by("occurred_at", "id").values_list("source", "to_status"))
    assert events == [("website", "pending"), ("confirm", "subscribed")]

    welcome = mails_to(sub.email)[1]
    assert welcome.subject == "Välkommen som prenumerant på SmåKoms nyhetsbrev"
    assert "/nyhetsbrev/installningar/" in welcome.body
    assert "List-Unsubscribe" in welcome.extra_headers


def test_confirmation_link_works_once(client, home_page):
    post_signup(client)
    link = confirm_link(mail.outbox[0])
    client.post(link)
    assert len(mail.outbox) == 2  # confirmation + welcome
    again = client.post(link)
    assert "Du prenumererar redan" in again.content.decode()
    assert len(mail.outbox) == 2  # no second welcome
    sub = Subscriber.objects.get()
    # Having left, the old link cannot subscribe them again.
    sub.change_status(Subscriber.Status.UNSUBSCRIBED, source="test")
    reused = client.post(link)
    assert reused.status_code == 410
    assert "Länken har redan använts" in reused.content.decode()
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED


def test_expired_confirmation_link_changes_nothing(client, home_page):
    post_signup(client)
    link = confirm_link(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=3, hours=1)):
        page = client.get(link)
        assert page.status_code == 410
        assert "Länken har gått ut" in page.content.decode()
        assert client.post(link).status_code == 410
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_new_sign_up_sends_a_fresh_link_that_works(client, home_page):
    post_signup(client)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        post_signup(client, stamp=tokens.make_form_stamp(now=time.time() - 10))
        link = confirm_link(mail.outbox[1])
        client.post(link)
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: "not-a-token",
        lambda t: "a" * 2000,  # very long
    ],
)
def test_tampered_confirmation_link_is_refused(client, home_page, mangle):
    post_signup(client)
    link = confirm_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = client.post(f"/nyhetsbrev/bekrafta/{mangle(token)}/")
    assert response.status_code == 400
    assert "Länken fungerar inte" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_token_of_another_purpose_is_refused(client, home_page):
    sub = make_subscriber(status=Subscriber.Status.PENDING)
    unsubscribe_token = tokens.make_unsubscribe_token(sub)
    assert client.post(f"/nyhetsbrev/bekrafta/{unsubscribe_token}/").status_code == 400
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.PENDING


def test_honeypot_rejects_without_saving_or_mailing(client, home_page):
    response = post_signup(client, website="http://spam.example")
    assert response.status_code == 400
    assert "Vi kunde inte ta emot anmälan" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_too_fast_and_too_old_and_missing_stamps(client, home_page):
    fast = post_signup(client, stamp=tokens.make_form_stamp())
    assert fast.status_code == 400
    assert "Det gick väldigt fort" in fast.content.decode()
    old = post_signup(client, stamp=tokens.make_form_stamp(now=time.time() - 2 * 24 * 3600))
    assert old.status_code == 400
    assert "Formuläret har gått ut" in old.content.decode()
    forged = post_signup(client, stamp="1700000000:forged")
    assert "Formuläret har gått ut" in forged.content.decode()
    missing = post_signup(client, stamp="")
    assert missing.status_code == 400
    assert not Subscriber.objects.exists()
    assert not mail.outbox
    # The form is shown again with a fresh stamp and what the person typed.
    html = fast.content.decode()
    assert 'value="anna.andersson@example.se"' in html


def test_rate_limit_per_ip(client, home_page, settings):
    settings.NEWSLETTER_RATE_LIMITS = {"signup_ip": (3, 3600)}
    for i in range(3):
        assert post_signup(client, email=f"person{i}@example.se").status_code == 302
    blocked = post_signup(client, email="person9@example.se")
    assert blocked.status_code == 429
    assert "För många anmälningar från ditt nätverk" in blocked.content.decode()
    assert not Subscriber.objects.filter(email="person9@example.se").exists()
    # Another address on the internet is not affected.
    other = CommittingClient(REMOTE_ADDR="192.0.2.55")
    assert other.post(SIGNUP_URL, signup_data(email="person10@example.se")).status_code == 302


def test_rate_limit_per_address_stops_subscription_bombing(client, home_page, settings):
    settings.NEWSLETTER_RATE_LIMITS = {"signup_email": (2, 24 * 3600)}
    for n in range(2):
        bot = CommittingClient(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert bot.post(SIGNUP_URL, signup_data(email="Victim@Example.se")).status_code == 302
    bot = CommittingClient(REMOTE_ADDR="198.51.100.99")
    blocked = bot.post(SIGNUP_URL, signup_data(email="victim@example.se"))
    assert blocked.status_code == 429
    assert "redan skickat flera bekräftelsemejl" in blocked.content.decode()
    assert len(mails_to("victim@example.se")) == 2


def test_csrf_is_required_on_the_sign_up_form(home_page):
    client = CommittingClient(enforce_csrf_checks=True)
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_resubscribe_after_leaving_goes_through_mailchimp(client, home_page):
    sub = make_subscriber(
        email="anna.andersson@example.se",
        status=Subscriber.Status.UNSUBSCRIBED,
        confirmed_at=timezone.now() - timedelta(days=300),
        mailchimp_pushed_at=timezone.now() - timedelta(days=30),
    )
    response = post_signup(client)
    assert response["Location"] == "/nyhetsbrev/prenumerera/tack/bekrafta-via-mejl/"
    page = client.get(response["Location"]).content.decode()
    assert "Mailchimp" in page and "Välkommen tillbaka" in page
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.PENDING
    assert sub.signup_user_agent == UA
    event = sub.events.get(source="website")
    assert event.detail == {"resubscribe": True}
    assert (event.from_status, event.to_status, event.applied) == ("unsubscribed", "pending", True)
    assert not mail.outbox  # Mailchimp sends the confirmation, not us


def test_person_who_never_confirmed_gets_our_confirmation_again(client, home_page):
    make_subscriber(email="anna.andersson@example.se", status=Subscriber.Status.UNSUBSCRIBED)
    response = post_signup(client)
    assert response["Location"] == "/nyhetsbrev/prenumerera/tack/"
    [message] = mail.outbox
    client.post(confirm_link(message))
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED


def test_existing_subscriber_is_not_revealed_or_mailed(client, home_page):
    make_subscriber(email="anna.andersson@example.se")
    response = post_signup(client, email="ANNA.Andersson@Example.SE")
    assert response["Location"] == "/nyhetsbrev/prenumerera/tack/"
    assert not mail.outbox
    assert Subscriber.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Fyll i din e-postadress."),
        ("inte-en-adress", "Fyll i en giltig e-postadress"),
        ("anna@", "Fyll i en giltig e-postadress"),
        ("anna@@example.se", "Fyll i en giltig e-postadress"),
        ("anna@example", "Fyll i en giltig e-postadress"),
        ("åsa.öberg@example.se", "å, ä eller ö före @"),
        ("a" * 250 + "@example.se", "E-postadressen är för lång."),
        ("x" * 10_000, "E-postadressen är för lång."),
        ("anna@example.se\r\nBcc: all@example.se", "Fyll i en giltig e-postadress"),
    ],
)
def test_invalid_addresses_get_a_clear_swedish_message(client, home_page, email, message):
    response = post_signup(client, email=email)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_international_domain_is_accepted_and_stored_idna_encoded(client, home_page):
    response = post_signup(client, email="Kommunchef@Kommun.Åre.se")
    assert response.status_code == 302
    sub = Subscriber.objects.get()
    assert sub.email == "kommunchef@kommun.xn--re-xia.se"
    assert mail.outbox[0].to == ["kommunchef@kommun.xn--re-xia.se"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "N" * 5000}, "Namnet får vara högst 100 tecken långt."),
        ({"name": "   "}, "Fyll i ditt namn."),
        ({"name": "Vinn pengar http://spam.example"}, "utan länkar"),
        ({"name": "Anna\x00Andersson"}, "tecken"),
        ({"consent": ""}, "Kryssa i rutan"),
        ({"municipality": "999999"}, "Välj en kommun i listan."),
        ({"municipality": "'; DROP TABLE x;--"}, "Välj en kommun i listan."),
    ],
)
def test_hostile_fields_are_refused(client, home_page, fields, message):
    response = post_signup(client, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not Subscriber.objects.exists()


def test_municipality_is_recorded(client, home_page):
    from home.models import Municipality

    grastorp = Municipality.objects.create(
        name="Grästorp", slug="grastorp", county="vastra_gotaland"
    )
    page = client.get(SIGNUP_URL).content.decode()
    assert "Grästorp" in page
    post_signup(client, municipality=str(grastorp.pk))
    assert Subscriber.objects.get().municipality == grastorp


def test_confirmation_mail_is_sent_after_commit_only(
    client, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        from newsletter.services import subscribers as service

        service.signup(email="late@example.se", name="Late Person")
    assert not mail.outbox  # nothing sent while the transaction is open
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert SubscriberEvent.objects.filter(source="website").count() == 1


def test_home_page_form_signs_up(client, home_page):
    html = client.get("/").content.decode()
    assert 'action="/nyhetsbrev/prenumerera/"' in html
    assert 'name="stamp"' in html and "csrfmiddlewaretoken" in html
    assert post_signup(client).status_code == 302
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_signing_up_again_while_mailchimp_confirmation_is_outstanding(client, home_page):
    # Subscribed and known to Mailchimp, then left (both pushed to the sandbox).
    client.post(SIGNUP_URL, signup_data())
    client.post(confirm_link(mail.outbox[0]))
    sub = Subscriber.objects.get()
    client.post(unsubscribe_path(sub))
    assert audience.get_member(sub.email)["status"] == "unsubscribed"
    mail.outbox.clear()

    first = post_signup(client)
    again = post_signup(client)
    for response in (first, again):
        assert response["Location"] == "/nyhetsbrev/prenumerera/tack/bekrafta-via-mejl/"
    assert not mail.outbox  # Mailchimp's confirmation, never ours
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.PENDING
    assert audience.get_member(sub.email)["status"] == "pending"


def test_errors_are_tied_to_their_fields_for_screen_readers(client, home_page):
    html = post_signup(client, email="inte-en-adress", consent="").content.decode()
    assert 'aria-describedby="id_email_error"' in html and 'id="id_email_error"' in html
    assert 'aria-describedby="id_consent_error"' in html and 'id="id_consent_error"' in html
