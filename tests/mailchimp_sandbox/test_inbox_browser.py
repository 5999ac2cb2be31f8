"""A person trying the demo: the inbox in a real browser, links that work, unsubscribe."""

import pytest

from newsletter.mailchimp.client import call

from .helpers import GOOD_HTML, LIST, ready_campaign, subscribe


@pytest.mark.browser
def test_read_click_and_unsubscribe_in_the_inbox(mc, mailchimp_sandbox, page):
    base = mailchimp_sandbox.base_url
    member = subscribe(mc, "anna@example.se", "Anna")
    # A link the browser can follow without the internet: the sandbox's own front page.
    html = GOOD_HTML.replace("https://www.smakom.se/nyheter/a/", f"{base}/_sandbox/")
    campaign = ready_campaign(mc, html=html)
    call(mc.campaigns.send, campaign["id"])

    page.goto(f"{base}/_sandbox/inbox")
    page.get_by_role("link", name="Nyhetsbrev april").click()
    frame = page.frame_locator("iframe")
    frame.get_by_text("Hej Anna").wait_for()
    frame.get_by_role("link", name="Läs mer").click()
    page.wait_for_url(f"{base}/_sandbox/")
    report = call(mc.reports.get_campaign_report, campaign["id"])
    assert report["opens"]["unique_opens"] == 1
    assert report["clicks"]["clicks_total"] == 1

    page.go_back()
    page.frame_locator("iframe").get_by_role("link", name="Avregistrera").click()
    page.get_by_role("button", name="Avregistrera").click()
    page.get_by_text("Du är avregistrerad").wait_for()
    assert call(mc.lists.get_list_member, LIST, member["id"])["status"] == "unsubscribed"
