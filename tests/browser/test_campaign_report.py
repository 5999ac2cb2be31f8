"""A sender opens the latest issue's report from the dashboard, refreshes it, and picks the next
issue's recipients by name; axe finds nothing serious on the dashboard, report or status page."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import re

import pytest

from newsletter.models import Campaign
from tests.browser.axe import serious_violations
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    SUBSCRIBERS,
    api_calls,
    campaign_of,
    make_issue,
    publish,
    sandbox,
    sender,
    site_settings,
)
from tests.newsletter.report_fixtures import sent_issue_with_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _Capture:
    """on_commit runs at once in a transactional test: nothing to capture."""

    def __call__(self, execute=True):
        return self

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False


def login(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.get_by_role("button", name=re.compile("Logga in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_report_from_the_dashboard_and_recipients_by_name(
    page, live_server, home_page, site_settings, sandbox, sender
):
    base = live_server.url
    issue = make_issue(home_page)
    campaign = sent_issue_with_activity(
        issue,
        sandbox,
        sender,
        _Capture(),
        events=[
            {"type": "open", "email": SUBSCRIBERS[0], "hour": 0},
            {"type": "open", "email": SUBSCRIBERS[1], "proxy": True, "hour": 0},
            {
                "type": "click",
                "email": SUBSCRIBERS[0],
                "url": "http://testserver/nyhetsbrev/nyhetsbrev-april-2022/?utm_source=nyhetsbrev",
                "hour": 2,
            },
        ],
    )
    assert campaign.report["open_rate"] == pytest.approx(1 / 3, 1e-3)

    login(page, live_server, sender)
    panel = page.locator("section.newsletter-recent-campaigns")
    panel.get_by_role("heading", name="Senaste utskick").wait_for()
    row = panel.locator("[data-campaign-row='sent']")
    assert "skickad" in row.inner_text().lower() and "33,3\u00a0%" in row.inner_text()
    assert serious_violations(page) == []

    # From the dashboard to the report.
    row.get_by_role("link", name="Nyhetsbrev april 2022").click()
    page.wait_for_url(re.compile(r"/admin/newsletter/report/\d+/$"))
    opened = page.locator("[data-figure='opens']")
    assert "Öppnade" in opened.inner_text() and "33,3\u00a0%" in opened.inner_text()
    links = page.locator("[data-report-links]")
    assert links.get_by_role("link", name="Nyhetsbrev april 2022").count() == 1
    chart = page.get_by_role(
        "img", name="Öppningar och klick under det första dygnet, timme för timme"
    )
    assert chart.is_visible()
    page.get_by_text("Visa som tabell").click()
    assert page.locator("[data-report-timeseries] tbody tr").count() == 24
    assert serious_violations(page) == []

    # "Uppdatera nu": the task (immediate here) fetches the figures again.
    before = Campaign.objects.get(pk=campaign.pk).report_refreshed_at
    sandbox.requests.clear()
    page.get_by_role("button", name="Uppdatera nu").click()
    page.get_by_text("Siffrorna hämtas från Mailchimp.").first.wait_for()
    assert Campaign.objects.get(pk=campaign.pk).report_refreshed_at > before
    assert len(api_calls(sandbox, "GET", "/click-details")) == 1

    # The next issue's recipients, by name.
    from newsletter.mailchimp.client import call, get_client

    segment = call(
        get_client().lists.create_segment,
        "testaudience",
        {"name": "Politiker", "static_segment": SUBSCRIBERS[:2]},
    )
    call(get_client().lists.create_segment, "testaudience", {"name": "Kommunchefer"})
    may = publish(make_issue(home_page, slug="nyhetsbrev-maj-2022"), sender)
    page.goto(f"{base}/admin/newsletter/campaign/{may.pk}/")
    page.get_by_text("Listan med segment och taggar har inte hämtats från Mailchimp än").wait_for()
    page.get_by_role("button", name="Hämta segment").click()
    page.get_by_text("Listan med segment och taggar hämtades från Mailchimp").wait_for()
    search = page.get_by_label("Sök bland segment och taggar")
    search.fill("poli")
    select = page.locator("select[data-segment-select]")
    visible = select.locator("option:not([hidden])").all_inner_texts()
    assert visible == ["Hela mottagarlistan", "Politiker (tagg, 2 prenumeranter)"]
    search.fill("finns inte")
    page.get_by_text("Inget segment eller ingen tagg matchar sökningen.").wait_for()
    search.fill("")
    select.select_option(label="Politiker (tagg, 2 prenumeranter)")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Spara mottagare").click()
    page.get_by_text("Mottagarna är sparade.").wait_for()
    saved = campaign_of(may)
    assert (saved.segment_id, saved.segment_name) == (segment["id"], "Politiker")
