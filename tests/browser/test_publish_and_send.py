"""The editor's publish gate, the "Publicera och skicka" dialog and a campaign panel that updates
itself, in Chromium against the live server and the Mailchimp sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest

from django.core.management import call_command
from django.utils import timezone

from newsletter.models import CampaignStatus, NewsletterIssuePage
from tests.browser.axe import serious_violations
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    campaign_of,
    make_issue,
    publish,
    sandbox,
    sender,
    site_settings,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SWEDISH_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli"]
SWEDISH_MONTHS += ["augusti", "september", "oktober", "november", "december"]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.get_by_role("button", name=re.compile("Logga in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


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
def test_warnings_are_acknowledged_in_a_dialog_from_any_tab(
    page, live_server, home_page, site_settings, sandbox, sender
):
    issue = draft_issue(home_page, sender)  # dated 2022: "check the issue date" is a warning
    log_in(page, live_server, sender)
    edit_url = f"{live_server.url}/admin/pages/{issue.pk}/edit/"
    page.goto(edit_url)
    # Not on the content tab, where the checklist panel is.
    page.get_by_role("tab").nth(1).click()
    assert not page.get_by_label("Jag har sett varningarna").is_visible()
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    dialog = page.get_by_role("dialog", name="Har du sett varningarna?")
    dialog.wait_for()
    assert "Kontrollera numrets datum." in dialog.inner_text()
    assert page.url.startswith(edit_url)  # nothing was submitted
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert serious_violations(page, "#publish-warnings-dialog") == []
    # Going back leaves everything as it was.
    dialog.get_by_role("button", name="Tillbaka till numret").click()
    dialog.wait_for(state="hidden")
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live

    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    dialog.get_by_role("button", name="Jag har sett varningarna – publicera").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_warning_that_appears_with_unsaved_edits_is_asked_about_on_return(
    page, live_server, home_page, site_settings, sandbox, sender
):
    issue = draft_issue(home_page, sender)
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    # The editor ticks the box for the warnings shown, then empties the preview text (a new
    # warning the list could not know) and publishes.
    page.get_by_label("Jag har sett varningarna").check()
    page.locator("#id_preheader").fill("")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    # Sent back with the draft saved, and the dialog open on the fresh list.
    page.get_by_text("Numret är inte publicerat ännu.").wait_for()
    dialog = page.get_by_role("dialog", name="Har du sett varningarna?")
    dialog.wait_for()
    assert "Förhandstexten är tom" in dialog.inner_text()
    assert "Kontrollera numrets datum." in dialog.inner_text()
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    dialog.get_by_role("button", name="Jag har sett varningarna – publicera").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert issue.live and issue.preheader == ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_schedule_with_the_swedish_picker_from_a_browser_in_new_york(
    browser, live_server, home_page, site_settings, sandbox, sender
):
    """The browser's zone and language are New York's and English: the picker is Wagtail's, in
    Swedish, and the time picked is Swedish time."""
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    issue = draft_issue(home_page, sender)
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Publicera och skicka…").click()
    dialog = page.get_by_role("dialog")
    now = timezone.now().astimezone(STOCKHOLM)
    help_text = dialog.locator("[data-now-stockholm]").inner_text()
    # "… i Sverige är klockan nu 30 november 2026 23:08": Stockholm's clock, not New York's.
    shown = re.search(r"klockan nu (\d+ \w+ \d{4} \d\d:\d\d)", help_text).group(1)
    day_shown, month_shown, year_shown, clock_shown = shown.split(" ")
    stockholm_now = datetime.datetime.combine(
        datetime.date(
            int(year_shown), SWEDISH_MONTHS.index(month_shown.lower()) + 1, int(day_shown)
        ),
        datetime.datetime.strptime(clock_shown, "%H:%M").time(),
        tzinfo=STOCKHOLM,
    )
    # The whole date is compared, so the test holds across midnight in Stockholm.
    assert abs(stockholm_now - now) < datetime.timedelta(minutes=5), help_text

    field = dialog.get_by_label("Datum och tid (svensk tid)")
    field.click()
    picker = page.locator("#publish-send-dialog .xdsoft_datetimepicker")
    picker.wait_for()  # opened inside the dialog (its focus trap), not behind it
    day = (now + datetime.timedelta(days=3)).date()
    while not picker.locator(
        f"td.xdsoft_date[data-date='{day.day}'][data-month='{day.month - 1}']"
        f"[data-year='{day.year}']"
    ).is_visible():
        picker.locator(".xdsoft_next").first.click()
    month_label = picker.locator(".xdsoft_month span").first.inner_text()
    assert month_label.lower() in SWEDISH_MONTHS  # Swedish names, not the browser's English
    picker.locator(
        f"td.xdsoft_date[data-date='{day.day}'][data-month='{day.month - 1}']"
        f"[data-year='{day.year}']"
    ).click()
    picker.locator(".xdsoft_time[data-hour='9'][data-minute='45']").click()
    assert field.input_value() == f"{day.isoformat()} 09:45"
    dialog.get_by_role("button", name="Schemalägg").click()
    page.get_by_text("Numret är publicerat och schemaläggs").wait_for()
    expected = datetime.datetime.combine(day, datetime.time(9, 45), tzinfo=STOCKHOLM)
    assert campaign_of(issue).scheduled_for == expected
    page.locator("[data-scheduled-for]").wait_for()
    assert "09:45 (svensk tid)" in page.locator("[data-scheduled-for]").inner_text()
    context.close()


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
    # Typed, as a user may, into Wagtail's date/time field.
    dialog.get_by_label("Datum och tid (svensk tid)").fill(f"{day.isoformat()} 08:00")
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dialog_by_keyboard_on_a_phone_and_a_mistyped_time_kept(
    browser, live_server, home_page, site_settings, sandbox, sender
):
    """Keyboard only, 375 px wide: the action menu closes as the dialog opens (it covered the
    dialog's buttons), the calendar's buttons have names, Escape gives the focus back to the
    menu's toggle; a mistyped time is refused (the calendar no longer swaps it for "now") and
    the dialog opens again with it and the reason."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    issue = draft_issue(home_page, sender)
    log_in(page, live_server, sender)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    toggle = page.locator("footer [data-w-dropdown-target='toggle']").first
    toggle.focus()
    page.keyboard.press("Enter")
    opener = page.locator("[data-publish-send-open]")
    for _tab in range(12):
        page.keyboard.press("Tab")
        if opener.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    dialog = page.locator("#publish-send-dialog")
    dialog.get_by_text("svensk tid").first.wait_for()
    page.locator("button[name='action-publish']").wait_for(state="hidden")
    field = dialog.locator("#publish-send-when")
    field.focus()  # draws Wagtail's calendar inside the dialog
    dialog.locator(".xdsoft_datetimepicker").wait_for()
    assert serious_violations(page, "#publish-send-dialog") == []
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.wait_for_function("document.activeElement.dataset.wDropdownTarget === 'toggle'")

    toggle.click()
    opener.click()
    field.fill("imorgon kl 8")
    dialog.get_by_role("button", name="Schemalägg").click()
    error = dialog.locator("[data-publish-send-error]")
    error.wait_for()
    assert "Ange datum och tid" in error.inner_text()
    assert field.input_value() == "imorgon kl 8"
    assert field.get_attribute("aria-invalid") == "true"
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live
    box = dialog.locator(".w-dialog__box").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert serious_violations(page, "#publish-send-dialog") == []
    context.close()
