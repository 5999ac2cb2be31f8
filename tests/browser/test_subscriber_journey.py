"""The whole journey in a real browser, across every part: sign up → confirmation mail →
confirm → member in the Mailchimp sandbox → an issue is sent as a campaign → the message in the
sandbox inbox → its Mailchimp unsubscribe link → the audience webhook reaches the CMS → status
unsubscribed here → the next campaign does not reach them."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import re
from io import StringIO

import pytest

from django.core.management import call_command

from newsletter.mailchimp import audience
from newsletter.models import CampaignStatus, Subscriber
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    campaign_of,
    make_issue,
    publish,
    site_settings,
)

pytestmark = [pytest.mark.browser]

EMAIL = "karin.kommun@example.se"


def confirmation_link(text: str) -> str:
    return re.search(r"https?://\S+/nyhetsbrev/bekrafta/\S+", text).group(0)


def send_issue(slug: str, title: str, home_page) -> None:
    """Publish an issue (its campaign is synced by the task) and send it as an operator would."""
    issue = publish(make_issue(home_page, slug=slug, subject=title))
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not User.objects.filter(username="operator").exists():
        User.objects.create_superuser("operator", "operator@smakom.se", "pw-operator")
    call_command("newsletter_campaign", slug, "send", "--user", "operator", stdout=StringIO())
    assert campaign_of(issue).status == CampaignStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_sign_up_receive_unsubscribe_through_mailchimp(
    page, live_server, home_page, site_settings, mailchimp_sandbox_live, settings
):
    sandbox = mailchimp_sandbox_live
    settings.NEWSLETTER_FORM_MIN_SECONDS = 1
    # Mailchimp's audience webhook points at this running site (the sandbox checks it with a GET).
    call_command("mailchimp_webhook", "register", stdout=StringIO())

    # Sign up and confirm in the browser.
    page.goto(f"{live_server.url}/nyhetsbrev/prenumerera/")
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Namn").fill("Karin Kommun")
    page.get_by_label("Jag vill få SmåKoms nyhetsbrev").check()
    page.wait_for_timeout(1200)
    page.get_by_role("button", name="Prenumerera").click()
    page.get_by_role("heading", name="Titta i din inkorg").wait_for()
    [confirmation] = sandbox.messages(to=EMAIL)
    page.goto(confirmation_link(confirmation["text"]))  # one click: the page posts itself
    page.get_by_role("heading", name="Tack, din prenumeration är bekräftad").wait_for()
    assert audience.get_member(EMAIL)["status"] == "subscribed"

    # The April issue goes out; the subscriber's copy is in the sandbox inbox.
    send_issue("nyhetsbrev-april-2022", "SmåKom nyhetsbrev april 2022", home_page)
    [mail] = sandbox.messages(to=EMAIL, kind="campaign")
    assert mail["subject"] == "SmåKom nyhetsbrev april 2022"

    # The subscriber opens it and follows Mailchimp's unsubscribe link, then confirms there.
    page.goto(f"{sandbox.base_url}/_sandbox/inbox/{mail['id']}/html")
    page.get_by_role("link", name=re.compile("Avsluta", re.I)).first.click()
    page.get_by_role("button", name="Avregistrera").click()
    assert sandbox.wait_for_webhooks()

    subscriber = Subscriber.objects.get(email=EMAIL)
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.events.filter(to_status="unsubscribed", applied=True).exists()
    assert audience.get_member(EMAIL)["status"] == "unsubscribed"

    # The next issue does not reach them.
    send_issue("nyhetsbrev-maj-2022", "SmåKom nyhetsbrev maj 2022", home_page)
    assert [m["subject"] for m in sandbox.messages(to=EMAIL, kind="campaign")] == [
        "SmåKom nyhetsbrev april 2022"
    ]
