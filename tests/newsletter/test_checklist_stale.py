"""The checklist catches stale content: past events, old articles, links to unpublished pages and
an issue date far from today."""

import datetime as dt

import pytest
import time_machine

from newsletter.checklist import check_issue
from tests.newsletter.issue_content import ISSUE_DATE, make_article, make_event, make_issue

pytestmark = pytest.mark.django_db


def on(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9)), tick=True)


def levels(checklist):
    return {item.code: item.level for item in checklist.items}


def teasers(article=None, event=None):
    body = []
    if article is not None:
        body.append({"type": "article_teaser", "value": {"article": article.pk}})
    if event is not None:
        body.append({"type": "event_teaser", "value": {"event": event.pk}})
    return body


def test_fresh_content_on_the_issue_day_passes(home_page):
    article = make_article(home_page, 1)
    event = make_event(home_page, 1, days_after=10)
    with on(ISSUE_DATE):
        checklist = check_issue(make_issue(home_page, body=teasers(article, event)))
    assert levels(checklist) == {}


def test_an_event_that_has_taken_place_is_flagged(home_page):
    event = make_event(home_page, 2, days_after=-3)
    with on(ISSUE_DATE):
        checklist = check_issue(make_issue(home_page, body=teasers(event=event)))
    assert levels(checklist) == {"event_past": "warning"}
    assert "Evenemang 2" in checklist.warnings[0].message


def test_an_event_over_by_the_time_the_issue_is_sent_late_is_flagged(home_page):
    # Upcoming on the issue date, but the issue goes out a week after the event.
    event = make_event(home_page, 3, days_after=2)
    issue = make_issue(home_page, body=teasers(event=event))
    with on(ISSUE_DATE + dt.timedelta(days=9)):
        assert levels(check_issue(issue)) == {"event_past": "warning"}


def test_an_article_older_than_the_setting_is_flagged(home_page, settings):
    settings.NEWSLETTER_STALE_ARTICLE_DAYS = 30
    article = make_article(home_page, 4)
    article.date = ISSUE_DATE - dt.timedelta(days=31)
    article.save_revision().publish()
    issue = make_issue(home_page, body=teasers(article=article))
    with on(ISSUE_DATE):
        checklist = check_issue(issue)
        assert levels(checklist) == {"article_old": "warning"}
        assert "30" in checklist.warnings[0].message
        # The age is a setting: a longer one accepts the same article.
        settings.NEWSLETTER_STALE_ARTICLE_DAYS = 45
        assert levels(check_issue(issue)) == {}


def test_a_link_to_an_unpublished_page_is_an_error(home_page):
    article = make_article(home_page, 5)
    issue = make_issue(home_page, body=teasers(article=article))
    article.unpublish()
    with on(ISSUE_DATE):
        checklist = check_issue(issue)
    # The teaser of a page that is not live is not rendered (cms.visibility), so the section is
    # empty too.
    assert levels(checklist) == {"internal_link_not_live": "error", "empty_section": "warning"}
    assert checklist.has_errors


@pytest.mark.parametrize("offset,flagged", [(-15, True), (-14, False), (14, False), (15, True)])
def test_an_issue_date_far_from_today_is_flagged(home_page, settings, offset, flagged):
    settings.NEWSLETTER_ISSUE_DATE_TOLERANCE_DAYS = 14
    issue = make_issue(
        home_page, body=[{"type": "text", "value": {"heading": "", "text": "<p>Hej</p>"}}]
    )
    with on(ISSUE_DATE - dt.timedelta(days=offset)):
        checklist = check_issue(issue)
    assert ("issue_date_far" in levels(checklist)) is flagged
    if flagged:
        assert "1 april 2022" in checklist.warnings[0].message
