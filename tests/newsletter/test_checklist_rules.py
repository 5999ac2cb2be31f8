"""Each send-readiness rule, caught on an issue that breaks it."""

import datetime as dt

import pytest
import time_machine

from newsletter.checklist import check_issue, check_rendering
from newsletter.models import NewsletterIssuePage
from newsletter.rendering import render_email
from tests.newsletter.issue_content import (
    ISSUE_DATE,
    make_article,
    make_image,
    make_issue,
    site_settings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_the_issue_day():
    """These rules are checked on the day the issue is sent (staleness: test_checklist_stale.py)."""
    with time_machine.travel(dt.datetime.combine(ISSUE_DATE, dt.time(9)), tick=True):
        yield


def text_block(html, heading="Rubrik"):
    return {"type": "text", "value": {"heading": heading, "text": html}}


def levels(checklist):
    return {item.code: item.level for item in checklist.items}


def test_a_complete_issue_passes(home_page):
    issue = make_issue(home_page)
    checklist = check_issue(issue)
    assert checklist.items == []
    assert not checklist.has_errors
    # Computed on save and stored on the page.
    assert NewsletterIssuePage.objects.get(pk=issue.pk).readiness["items"] == []


def test_subject_missing_is_an_error(home_page):
    issue = make_issue(home_page, body=[text_block("<p>Hej</p>")], subject="")
    assert levels(check_issue(issue))["subject_missing"] == "error"
    assert check_issue(issue).has_errors


def test_preheader_missing_is_a_warning(home_page):
    issue = make_issue(home_page, body=[text_block("<p>Hej</p>")], preheader="")
    checklist = check_issue(issue)
    assert levels(checklist) == {"preheader_missing": "warning"}
    assert not checklist.has_errors


def test_image_without_alt_text_is_an_error(home_page):
    image = make_image("IMG_0042", description="")
    issue = make_issue(
        home_page,
        body=[{"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": ""}}],
    )
    assert levels(check_issue(issue))["image_alt_missing"] == "error"
    # Writing the alt text in the block fixes it.
    issue.body = [
        {"type": "image", "value": {"image": image.pk, "alt_text": "Kommunhuset", "caption": ""}}
    ]
    assert "image_alt_missing" not in levels(check_issue(issue))


def test_alt_text_that_is_a_file_name_is_a_warning(home_page):
    image = make_image("x", description="")
    issue = make_issue(
        home_page,
        body=[
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "IMG_0042.JPG", "caption": ""},
            }
        ],
    )
    assert levels(check_issue(issue)) == {"image_alt_filename": "warning"}


def test_link_to_unpublished_page_is_an_error(home_page):
    draft = make_article(home_page, 3, live=False)
    issue = make_issue(
        home_page, body=[text_block(f'<p>Se <a linktype="page" id="{draft.pk}">utkastet</a>.</p>')]
    )
    checklist = check_issue(issue)
    assert levels(checklist)["internal_link_not_live"] == "error"
    assert "Artikel 3" in checklist.errors[0].message


def test_teaser_of_unpublished_article_is_an_error(home_page):
    draft = make_article(home_page, 4, live=False)
    issue = make_issue(home_page, body=[{"type": "article_teaser", "value": {"article": draft.pk}}])
    assert levels(check_issue(issue))["internal_link_not_live"] == "error"


def test_link_to_deleted_page_is_an_error(home_page):
    issue = make_issue(
        home_page, body=[text_block('<p>Se <a linktype="page" id="987654">sidan</a>.</p>')]
    )
    assert levels(check_issue(issue))["internal_link_missing"] == "error"


def test_malformed_external_link_is_an_error(home_page):
    issue = make_issue(
        home_page,
        body=[
            {
                "type": "tips",
                "value": {
                    "heading": "Tips",
                    "items": [
                        {
                            "type": "item",
                            "value": {
                                "heading": "SNS",
                                "text": "<p>x</p>",
                                "link_text": "Anmälan",
                                "link_url": "https//www.sns.se",
                            },
                        }
                    ],
                },
            }
        ],
    )
    checklist = check_issue(issue)
    assert levels(checklist)["external_link_malformed"] == "error"
    assert any("https//www.sns.se" in item.message for item in checklist.errors)


def test_relative_url_in_output_is_an_error(home_page):
    issue = make_issue(home_page, body=[text_block('<p>Läs <a href="kontakt.html">här</a>.</p>')])
    assert levels(check_issue(issue))["relative_url"] == "error"


def test_root_relative_links_are_made_absolute_not_flagged(home_page):
    issue = make_issue(home_page, body=[text_block('<p>Läs <a href="/om-smakom/">om oss</a>.</p>')])
    rendered = render_email(issue)
    assert 'href="http://testserver/om-smakom/?utm_source=nyhetsbrev' in rendered.html
    assert levels(check_issue(issue)) == {}


def test_html_over_102_kb_is_an_error(home_page):
    paragraph = "<p>" + ("Små kommuner gör stora saker. " * 60) + "</p>"
    issue = make_issue(home_page, body=[text_block(paragraph, f"Avsnitt {n}") for n in range(60)])
    assert len(render_email(issue).html.encode()) > 102 * 1024
    checklist = check_issue(issue)
    assert levels(checklist)["html_too_large"] == "error"


def test_unsubscribe_and_address_missing_from_output_are_errors(home_page):
    issue = make_issue(home_page, body=[text_block("<p>Hej</p>")])
    rendered = render_email(issue)
    rendered.html = rendered.html.replace("*|UNSUB|*", "").replace("*|LIST:ADDRESSLINE|*", "")
    codes = levels_from(check_rendering(issue, rendered))
    assert codes["unsubscribe_missing"] == "error"
    assert codes["address_missing"] == "error"


def test_missing_postal_address_fails_the_browser_version(home_page):
    issue = make_issue(home_page, body=[text_block("<p>Hej</p>")])
    site_settings(postal_address="")
    assert (
        levels_from(check_rendering(issue, render_email(issue, backend="preview")))[
            "address_missing"
        ]
        == "error"
    )
    # Mailchimp fills in the audience's address itself: only a warning for the issue.
    assert levels(check_issue(issue)) == {"site_address_missing": "warning"}


def test_empty_sections_are_warnings(home_page):
    issue = make_issue(
        home_page,
        body=[
            text_block("<p>Innehåll</p>"),
            text_block("<p></p>", heading="Tom rubrik"),
            {"type": "tips", "value": {"heading": "SmåKom tipsar!", "items": []}},
            {"type": "upcoming_events", "value": {"heading": "På gång", "days": 5, "limit": 5}},
        ],
    )
    checklist = check_issue(issue)
    empties = [i for i in checklist.items if i.code == "empty_section"]
    assert len(empties) == 3
    assert all(i.level == "warning" for i in empties)
    assert "Avsnitt 2" in empties[0].message


def test_an_issue_without_sections_is_an_error(home_page):
    issue = make_issue(home_page, body=[])
    assert levels(check_issue(issue))["no_content"] == "error"


def test_readiness_is_recomputed_on_save(home_page):
    issue = make_issue(home_page, body=[text_block("<p>Hej</p>")], subject="")
    assert [i["code"] for i in issue.readiness["items"]] == ["subject_missing"]
    issue.subject = "Nu med ämnesrad"
    issue.save()
    stored = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert stored.readiness["items"] == []
    assert stored.checklist.items == []


def levels_from(items):
    return {item.code: item.level for item in items}
