"""An editor publishes an issue, sends a test, sends it; the message lands in the sandbox inbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import re

import pytest

from newsletter.models import CampaignStatus, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    make_issue,
    sandbox,
    sender,
    site_settings,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_publishes_tests_and_sends(
    page, live_server, home_page, site_settings, sandbox, sender
):
    issue = make_issue(home_page)
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(live=False, has_unpublished_changes=True)
    issue.save_revision(user=sender)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", sender.username)
    page.fill("#id_password", "pw-" + sender.username)
    page.get_by_role("button", name=re.compile("Logga in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # Publish from the editor.
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    # The issue is dated 2022: a checklist warning, acknowledged before publishing.
    page.get_by_label("Jag har sett varningarna").check()
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/"))
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED

    # To the campaign panel from the editor's action menu.
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("link", name="Nyhetsbrevsutskick…").click()
    page.wait_for_url(re.compile(r"/admin/newsletter/campaign/\d+/$"))
    assert page.locator("[data-campaign-status]").get_attribute("data-campaign-status") == "synced"

    # A test to the editor and a colleague.
    page.fill("#id_emails", "ansvarig@smakom.se, kollega@smakom.se")
    page.get_by_role("button", name="Skicka test").click()
    page.get_by_text(
        "Testutskicket till ansvarig@smakom.se, kollega@smakom.se är på väg."
    ).wait_for()
    assert len(sandbox.messages(to="kollega@smakom.se", kind="test")) == 1

    # Send now, through the confirmation with the number of recipients.
    page.get_by_role("link", name="Skicka nu…").click()
    page.get_by_text("skickas nu till 3 prenumeranter").wait_for()
    page.get_by_role("button", name="Ja, skicka nu").click()
    page.get_by_text("Nyhetsbrevet skickas.").wait_for()
    assert page.locator("[data-campaign-status]").get_attribute("data-campaign-status") == "sent"

    delivered = sandbox.messages(kind="campaign")
    assert sorted(m["to"] for m in delivered) == sorted(SUBSCRIBERS)
    assert len(api_calls(sandbox, "POST", "/actions/send")) == 1
    # What a subscriber got is in the sandbox's inbox page too.
    page.goto(f"{sandbox.base_url}/_sandbox/inbox.json")
    assert "anna@kommun.se" in page.content()
