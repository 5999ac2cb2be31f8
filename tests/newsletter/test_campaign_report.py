"""A sent issue's report: Mailchimp's figures (via the sandbox over HTTP) become the report page,
with rates the Swedish way, links by page title, a chart over time and a comparison with earlier
issues; "Uppdatera nu" queues the refresh and never calls Mailchimp in the request."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
import re

import pytest
import time_machine

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Campaign, CampaignStatus
from newsletter.services import campaigns as service
from newsletter.services import reports
from newsletter.tasks import campaigns as tasks
from tests.newsletter.campaign_fixtures import (
    SUBSCRIBERS,
    api_calls,
    in_two_days,
    make_issue,
    publish,
)
from tests.newsletter.report_fixtures import backdate, sent_issue_with_activity

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
ISSUE_URL = "http://testserver/nyhetsbrev/nyhetsbrev-april-2022/"
ANNA, BERTIL, CECILIA = SUBSCRIBERS
EVENTS = [
    {"type": "open", "email": ANNA, "hour": 0},
    {"type": "open", "email": ANNA, "hour": 3},
    # Apple's proxy opened Bertil's copy: not an open by a reader.
    {"type": "open", "email": BERTIL, "proxy": True, "hour": 0},
    {"type": "bounce", "email": CECILIA, "bounce_type": "hard"},
    {
        "type": "click",
        "email": ANNA,
        "url": ISSUE_URL + "?utm_source=nyhetsbrev&utm_medium=email&utm_campaign=april",
        "hour": 1,
    },
    {
        "type": "click",
        "email": ANNA,
        "url": ISSUE_URL + "?utm_source=nyhetsbrev&utm_content=knapp",
        "hour": 1,
    },
    {
        "type": "click",
        "email": BERTIL,
        "url": "https://example.org/rapport?id=5&utm_source=nyhetsbrev&mc_cid=abc",
        "hour": 2,
    },
]


@pytest.fixture
def sent(issue, sandbox, sender, django_capture_on_commit_callbacks):
    """The April issue, sent to three subscribers, with what they did."""
    campaign = sent_issue_with_activity(
        issue, sandbox, sender, django_capture_on_commit_callbacks, events=[dict(e) for e in EVENTS]
    )
    assert campaign.status == CampaignStatus.SENT
    return campaign


def report_url(campaign):
    return reverse("newsletter_report:report", args=[campaign.page_id])


# ---------------------------------------------------------------------------------------------
# The snapshot


def test_snapshot_leaves_out_proxy_opens_and_merges_tagged_links(sent):
    report = sent.report
    assert report["emails_sent"] == 3
    assert report["bounces"] == 1 and report["hard_bounces"] == 1
    assert report["delivered"] == 2 and report["delivered_rate"] == pytest.approx(2 / 3, 1e-3)
    # Anna opened (twice); Bertil's only open was Apple's proxy.
    assert report["unique_opens"] == 1 and report["opens"] == 2
    assert report["opens_with_proxy"] == 2
    assert report["open_rate"] == 0.5
    assert report["unique_clicks"] == 2 and report["click_rate"] == 1.0
    assert report["bounce_rate"] == pytest.approx(1 / 3, 1e-3)
    # The two UTM-tagged variants of the issue's URL are one link.
    assert report["top_links"][0] == {"url": ISSUE_URL, "clicks": 2, "unique_clicks": 2}
    assert report["top_links"][1]["url"] == "https://example.org/rapport?id=5"


def test_timeseries_is_hourly_and_without_proxy_opens(sent, sandbox):
    series = sent.report["timeseries"]
    assert len(series) == 24
    assert [row["opens"] for row in series[:4]] == [1, 0, 0, 1]
    assert [row["clicks"] for row in series[:3]] == [0, 1, 1]
    # The sandbox answered with Mailchimp's fields (the contract check runs at teardown too).
    [report_call] = [
        r for r in api_calls(sandbox, "GET") if re.search(r"/reports/[^/]+$", r["api_path"])
    ]
    first = report_call["response"]["timeseries"][0]
    assert first["unique_opens"] == 2 and first["proxy_excluded_unique_opens"] == 1
    assert first["emails_sent"] == 3


def test_clean_url_strips_tracking_only():
    assert (
        reports.clean_url("https://smakom.se/a/?utm_source=x&page=2&UTM_Medium=y&mc_eid=1#top")
        == "https://smakom.se/a/?page=2#top"
    )
    assert reports.clean_url("https://example.org/") == "https://example.org/"


def test_links_are_shown_by_page_title(sent, home_page):
    rows = reports.link_rows(sent.report)
    assert [(r.title, r.is_page, r.clicks) for r in rows[:2]] == [
        ("Nyhetsbrev april 2022", True, 2),
        ("https://example.org/rapport?id=5", False, 1),
    ]
    # Links in the issue nobody clicked are listed too (as Mailchimp does), by title.
    assert ("SmåKom", True, 0) in [(r.title, r.is_page, r.clicks) for r in rows]


def test_unknown_unpublished_and_hostile_links_are_plain(home_page, issue):
    # An unpublished page is not routed to, so it shows as its URL.
    issue.unpublish()
    report = {
        "top_links": [
            {"url": ISSUE_URL, "clicks": 1},
            {"url": "http://testserver/finns-inte/", "clicks": 1},
            {"url": "javascript:alert(1)", "clicks": 1},
            {"url": "http://other.example/nyhetsbrev/", "clicks": 1},
        ]
    }
    rows = reports.link_rows(report)
    assert not any(r.is_page for r in rows)
    assert [r.href for r in rows][2] == ""
    assert rows[3].title == "http://other.example/nyhetsbrev/"


def test_public_name_of_the_site_finds_the_page(sent, settings):
    # Emails link to SITE_BASE_URL, which need not be the Site's own hostname.
    settings.SITE_BASE_URL = "https://www.smakom.se"
    page = reports.page_for_url("https://www.smakom.se/nyhetsbrev/nyhetsbrev-april-2022/")
    assert page is not None and page.title == "Nyhetsbrev april 2022"


def test_percent_is_swedish():
    assert reports.percent(0.425) == f"42,5{NBSP}%"
    assert reports.percent(1) == f"100,0{NBSP}%"
    assert reports.percent(None) == f"0,0{NBSP}%"
    assert reports.percent("nonsense") == f"0,0{NBSP}%"


# ---------------------------------------------------------------------------------------------
# The report page


def test_report_page_shows_rates_links_chart_and_no_comparison_yet(client, sent, sender):
    client.force_login(sender)
    html = client.get(report_url(sent)).content.decode()
    assert f"50,0{NBSP}%" in html  # opened, Apple proxy opens excluded
    assert f"100,0{NBSP}%" in html  # clicked
    assert f"33,3{NBSP}%" in html  # bounced
    assert "Apple Mails automatiska öppningar" in html
    assert ">Nyhetsbrev april 2022</a>" in html
    assert "https://example.org/rapport?id=5" in html and "utm_source" not in html
    assert 'role="img"' in html and '<title id="report-time-title">' in html
    assert "data-report-timeseries" in html
    assert "Det finns inget tidigare skickat nummer att jämföra med än." in html
    assert "Uppdatera nu" in html
    # SVG coordinates keep a decimal point under the Swedish locale ("48,0" would break them).
    svg = html.split('data-chart="report-time"', 1)[1].split("</svg>", 1)[0]
    assert re.search(r'(x|y|cx|cy|x1|y1)="\d+\.\d+"', svg)
    assert not re.search(r'(x|y|cx|cy|x1|x2|y1|y2|width|height)="[\d.]*,', svg)
    assert "Siffrorna hämtades senast från Mailchimp" in html


def test_comparison_with_earlier_issues(
    client, sent, home_page, sandbox, sender, django_capture_on_commit_callbacks
):
    backdate(sent, days=30)
    march = sent
    april = sent_issue_with_activity(
        make_issue(home_page, slug="nyhetsbrev-maj-2022"),
        sandbox,
        sender,
        django_capture_on_commit_callbacks,
        # Cecilia's address bounced last time and was cleaned: two readers now.
        events=[{"type": "open", "email": e} for e in (ANNA, BERTIL)],
    )
    assert april.report["open_rate"] == 1.0
    client.force_login(sender)
    html = client.get(report_url(april)).content.decode()
    table = html.split("data-report-comparison", 1)[1].split("</table>", 1)[0]
    # Oldest first; the earlier issue links to its own report.
    assert table.index(f"50,0{NBSP}%") < table.index(f"100,0{NBSP}%")
    assert f'href="{report_url(march)}"' in table
    assert "detta nummer" in table
    svg = html.split('data-chart="report-compare"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") == 4  # two issues × open and click rate
    # The earlier issue's report compares only with what came before it: nothing.
    assert "inget tidigare skickat nummer" in client.get(report_url(march)).content.decode()


def test_report_of_an_unsent_issue(client, issue, sender, sandbox):
    client.force_login(sender)
    sandbox.requests.clear()
    response = client.get(reverse("newsletter_report:report", args=[issue.pk]))
    assert response.status_code == 200
    assert "Numret har inte skickats än" in response.content.decode()
    response = client.post(reverse("newsletter_report:refresh", args=[issue.pk]), follow=True)
    assert "Numret har inte skickats än." in response.content.decode()
    assert api_calls(sandbox) == []


def test_refresh_now_queues_the_task_and_calls_mailchimp_only_there(
    client, sent, sender, sandbox, django_capture_on_commit_callbacks
):
    client.force_login(sender)
    sandbox.requests.clear()
    refresh = reverse("newsletter_report:refresh", args=[sent.page_id])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(refresh, follow=True)
    assert api_calls(sandbox) == []  # nothing during the request
    assert len(callbacks) == 1
    assert "Siffrorna hämtas från Mailchimp" in response.content.decode()
    assert "data-refresh-pending" in response.content.decode()
    # A second click while the first is queued: no second task.
    with django_capture_on_commit_callbacks(execute=False) as again:
        response = client.post(refresh, follow=True)
    assert again == []
    assert "Siffrorna hämtas redan från Mailchimp." in response.content.decode()
    # The task runs: Mailchimp is asked, and the page says when.
    before = Campaign.objects.get(pk=sent.pk).report_refreshed_at
    callbacks[0]()
    after = Campaign.objects.get(pk=sent.pk).report_refreshed_at
    assert after > before
    assert len(api_calls(sandbox, "GET", "/click-details")) == 1
    html = client.get(report_url(sent)).content.decode()
    assert "data-refresh-pending" not in html


def test_refresh_is_a_post_only(client, sent, sender):
    client.force_login(sender)
    response = client.get(reverse("newsletter_report:refresh", args=[sent.page_id]))
    assert response.status_code == 405


def test_refresh_failure_keeps_the_last_figures(sent, sandbox):
    before = Campaign.objects.get(pk=sent.pk)
    sandbox.inject(status=503, count=5)
    tasks.refresh_campaign_report.enqueue(sent.pk)
    after = Campaign.objects.get(pk=sent.pk)
    assert after.report == before.report
    assert after.report_refreshed_at == before.report_refreshed_at


def test_someone_who_cannot_edit_the_issue_sees_no_report(client, sent, home_page):
    User = get_user_model()
    outsider = User.objects.create_user(username="utomstaende", password="pw")
    group = Group.objects.create(name="Bara admin")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    outsider.groups.add(group)
    client.force_login(outsider)
    response = client.get(report_url(sent))
    assert response.status_code in (302, 403)
    assert "50,0" not in response.content.decode()
    response = client.post(reverse("newsletter_report:refresh", args=[sent.page_id]))
    assert response.status_code in (302, 403)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Senaste utskick" not in home


def test_status_page_and_editor_link_to_the_report(client, sent, sender):
    client.force_login(sender)
    status = client.get(reverse("newsletter_campaign:status", args=[sent.page_id]))
    assert f'href="{report_url(sent)}"' in status.content.decode()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[sent.page_id]))
    assert f'href="{report_url(sent)}"' in edit.content.decode()


# ---------------------------------------------------------------------------------------------
# Dashboard and periodic refresh


def test_dashboard_lists_the_latest_mailings(
    client, sent, home_page, sandbox, sender, django_capture_on_commit_callbacks
):
    later = publish(
        make_issue(home_page, slug="nyhetsbrev-maj-2022"),
        sender,
        django_capture_on_commit_callbacks,
    )
    campaign, when = service.request_schedule(later, in_two_days(), user=sender)
    assert service.run_schedule(campaign.pk, when.isoformat(), sender.pk).ok
    client.force_login(sender)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html.split("data-recent-campaigns", 1)[1].split("</table>", 1)[0]
    assert "Senaste utskick" in html
    assert panel.index("schedule") < panel.index("sent")  # the scheduled one comes first
    assert "Schemalagd" in panel and "Skickad" in panel
    assert f'href="{report_url(sent)}"' in panel
    assert f"50,0{NBSP}%" in panel and f"100,0{NBSP}%" in panel
    assert reverse("newsletter_campaign:status", args=[later.pk]) in panel


def test_dashboard_before_the_first_send_offers_the_next_issue(client, issue, editor):
    # Nothing scheduled or sent yet: the panel says so and starts the next issue from there.
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Senaste utskick" in html and "data-no-campaigns" in html
    assert "data-recent-campaigns" not in html
    new_issue = reverse("newsletter_new_issue", args=[issue.get_parent().pk])
    assert f'href="{new_issue}"' in html


def test_periodic_refresh_covers_recent_issues_only(sent, sandbox):
    backdate(sent, days=40)
    sandbox.requests.clear()
    tasks.refresh_campaign_reports.enqueue()
    assert api_calls(sandbox, "GET", "/click-details") == []
    backdate(sent, days=2)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        tasks.refresh_campaign_reports.enqueue()
    assert len(api_calls(sandbox, "GET", "/click-details")) == 1
