"""An editor opens the email preview of an issue in the Wagtail editor."""

import re

import pytest

from django.contrib.auth import get_user_model

from tests.newsletter.issue_content import make_issue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_sees_email_preview_and_checklist(page, live_server, home_page):
    issue = make_issue(home_page, preheader="")
    get_user_model().objects.create_superuser("redaktor", "redaktor@smakom.se", "pw-redaktor")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "redaktor")
    page.fill("#id_password", "pw-redaktor")
    page.get_by_role("button", name=re.compile("Logga in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")
    # The readiness checklist from the last save: no errors, one warning (no preview text).
    checklist = page.locator("[data-issue-checklist]")
    checklist.get_by_text("Inga problem hindrar utskick.").wait_for()
    assert checklist.locator('[data-code="preheader_missing"]').count() == 1

    # Open the preview panel and switch to the email.
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("iframe[title]").first
    # Let the panel load its first (web) preview before switching, or the switch can be lost.
    frame.locator("h1", has_text="Vad händer i Grästorp?").wait_for()
    page.select_option("#id_preview_mode", "email")
    # The web preview has the same heading: wait for the email's layout tables, then the heading.
    frame.locator("table[role='presentation']").first.wait_for()
    frame.locator("h1", has_text="Vad händer i Grästorp?").wait_for()
    assert frame.locator("html").get_attribute("lang") == "sv"
    assert frame.locator("table[role='presentation']").count() > 5
    frame.get_by_text("PROGRAM & ANMÄLAN").first.wait_for()
    frame.get_by_text("Avsluta prenumerationen").wait_for()

    # At phone width the email sits in a 375 px frame.
    page.select_option("#id_preview_mode", "email_phone")
    inner = page.frame_locator("iframe[title]").first.frame_locator("iframe")
    inner.locator("h1", has_text="Vad händer i Grästorp?").wait_for()


@pytest.mark.browser
@pytest.mark.django_db
def test_tips_are_two_columns_wide_and_one_column_on_a_phone(page, home_page):
    from newsletter.rendering import render_email

    html = render_email(make_issue(home_page)).html

    def tip_boxes(width):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(html)
        first = page.get_by_text("Bostadsbidraget", exact=True).bounding_box()
        second = page.get_by_text("Workshop", exact=True).bounding_box()
        return first, second

    first, second = tip_boxes(800)
    assert abs(first["y"] - second["y"]) < 2  # side by side
    assert second["x"] > first["x"] + 200
    first, second = tip_boxes(375)
    assert abs(first["x"] - second["x"]) < 2  # stacked
    assert second["y"] > first["y"] + 20
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
