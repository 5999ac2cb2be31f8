"""The editor's publish gate, the "Publicera och skicka" dialog and a campaign panel that updates
itself, in Chromium against the live server and the Mailchimp sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe

from django.core.management import call_command
from django.utils import timezone

from newsletter.models import CampaignStatus, NewsletterIssuePage
from tests.browser.test_site_accessibility import OPTIONS
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    campaign_of,
    make_issue,
    publish,
    sandbox,
    sender,
    site_settings,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.get_by_role("button", name=re.compile("Logga in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def serious_violations(page, *selectors):
    """axe on what this stream adds (Wagtail's own Draftail editors are not ours to fix)."""
    context = {"include": [[sel] for sel in selectors]} if selectors else None
    results = Axe().run(page, context=context, options=OPTIONS)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def draft_issue(home_page, user, **fields):
    issue = make_issue(home_page)
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(
        live=False, has_unpublished_changes=True, **fields
    )
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    issue.save_revision(user=user)
    return issue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_publishing_an_issue_with_errors_is_blocked_with_the_errors_shown(
    page, live_server, home_page, site_settings, sandbox, sender
):
    issue = draft_issue(home_page, sender, subject="")
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{issue.pk}/edit/"))
    blocked = page.locator("[data-publish-blocked]")
    blocked.wait_for()
    assert "Ämnesraden är tom." in blocked.inner_text()
    page.get_by_text("Numret publicerades inte.").wait_for()
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert not issue.live
    assert not campaign_of_exists(issue)
    assert serious_violations(page, ".messages", "[data-issue-checklist]") == []


def campaign_of_exists(issue):
    from newsletter.models import Campaign

    return Campaign.objects.filter(page_id=issue.pk).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_warnings_are_acknowledged_before_publishing(
    page, live_server, home_page, site_settings, sandbox, sender
):
    issue = draft_issue(home_page, sender)  # dated 2022: "check the issue date" is a warning
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    page.get_by_text("Numret är inte publicerat ännu.").wait_for()
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    page.get_by_label("Jag har sett varningarna").check()
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_publish_and_schedule_then_the_panel_updates_by_itself(
    page, live_server, home_page, site_settings, sandbox, sender, settings
):
    # The database queue, run by hand below: the request only enqueues, as in production.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "mailchimp"],
        }
    }
    issue = draft_issue(home_page, sender)
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Publicera och skicka…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("svensk tid", exact=False).first.wait_for()
    assert "SmåKom nyhetsbrev april 2022" in dialog.inner_text()
    assert serious_violations(page, "#publish-send-dialog") == []

    day = (timezone.now().astimezone(STOCKHOLM) + datetime.timedelta(days=2)).date()
    dialog.get_by_label("Datum").fill(day.isoformat())
    dialog.get_by_label("Klockslag (svensk tid)").fill("08:00")
    dialog.get_by_role("button", name="Schemalägg").click()
    page.get_by_text("Numret är publicerat och schemaläggs").wait_for()
    panel = page.locator("[data-campaign-state-url]")
    assert panel.get_attribute("data-pending") == "true"
    assert campaign_of(issue).status != CampaignStatus.SCHEDULED
    # A mark on this document: it is still there at the end only if the page never reloaded.
    page.evaluate("window.__notReloaded = true")
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/state/" in r.url else None)

    call_command("db_worker", "--batch", "--queue-name", "*", stdout=StringIO(), stderr=StringIO())

    page.locator("[data-campaign-status='scheduled']").wait_for(timeout=20000)
    assert page.evaluate("window.__notReloaded === true")
    assert polls, "the panel changed without polling the state endpoint"
    assert "Schemalagd" in panel.inner_text()
    campaign = campaign_of(issue)
    expected = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=STOCKHOLM)
    assert campaign.scheduled_for == expected
    page.wait_for_function(
        "document.querySelector('[data-campaign-state-url]').dataset.pending === 'false'"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_confirmation_for_a_sent_campaign_offers_no_send_button(
    page, live_server, home_page, site_settings, sandbox, sender, django_capture_on_commit_callbacks
):
    from newsletter.services import campaigns as service

    issue = publish(make_issue(home_page), sender, django_capture_on_commit_callbacks)
    campaign, key = service.request_send(issue)
    assert service.run_send(campaign.pk, key, sender.pk).ok
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/newsletter/campaign/{issue.pk}/send/")
    page.locator("[data-send-refused]").wait_for()
    assert "redan skickats" in page.locator("[data-send-refused]").inner_text()
    assert page.get_by_role("button", name="Ja, skicka nu").count() == 0
    assert serious_violations(page) == []
