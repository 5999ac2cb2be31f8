"""The recipients are chosen by name: the audience's segments and tags come from Mailchimp (the
sandbox over HTTP) through a task, are kept in the database, and the request never asks Mailchimp."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import html as html_lib

import pytest

from django.conf import settings
from django.urls import reverse

from newsletter.mailchimp import campaigns as api
from newsletter.mailchimp.client import call, get_client, subscriber_hash
from newsletter.models import AudienceSyncState, Campaign
from newsletter.services import segments as service
from newsletter.tasks.segments import fetch_segments
from tests.newsletter.campaign_fixtures import SUBSCRIBERS, api_calls, campaign_of, publish

pytestmark = pytest.mark.django_db


def status_url(page):
    return reverse("newsletter_campaign:status", args=[page.pk])


def recipients_url(page):
    return reverse("newsletter_campaign:recipients", args=[page.pk])


def make_segment(name, emails):
    return call(
        get_client().lists.create_segment,
        settings.MAILCHIMP_AUDIENCE_ID,
        {"name": name, "static_segment": emails},
    )


@pytest.fixture
def synced(issue, sandbox, sender, django_capture_on_commit_callbacks):
    return publish(issue, sender, django_capture_on_commit_callbacks)


@pytest.fixture
def tags(sandbox):
    # Dora has left: Mailchimp's member_count counts active subscribers only.
    call(
        get_client().lists.set_list_member,
        settings.MAILCHIMP_AUDIENCE_ID,
        subscriber_hash("dora@kommun.se"),
        {"email_address": "dora@kommun.se", "status_if_new": "unsubscribed"},
    )
    return {
        "Politiker": make_segment("Politiker", [*SUBSCRIBERS[:2], "dora@kommun.se"]),
        "Kommunchefer": make_segment("Kommunchefer", [SUBSCRIBERS[2]]),
        "Ålands kommuner": make_segment("Ålands kommuner", []),
    }


def options(html: str) -> list[str]:
    select = html.split("data-segment-select", 1)[1].split("</select>", 1)[0]
    return [
        html_lib.unescape(part.split(">", 1)[1].split("</option>", 1)[0]).strip()
        for part in select.split("<option")[1:]
    ]


def test_the_sandbox_counts_active_subscribers_and_pages_the_list(tags, sandbox, monkeypatch):
    monkeypatch.setattr(api, "LIST_PAGE_SIZE", 2)
    listed = api.list_segments()
    assert sorted(s["name"] for s in listed) == ["Kommunchefer", "Politiker", "Ålands kommuner"]
    counts = {s["name"]: s["member_count"] for s in listed}
    assert counts == {"Politiker": 2, "Kommunchefer": 1, "Ålands kommuner": 0}
    pages = api_calls(sandbox, "GET", "/segments")
    assert [r["query"]["offset"] for r in pages] == [["0"], ["2"]]


def test_before_the_first_fetch_the_current_choice_is_kept(client, synced, sender, sandbox):
    Campaign.objects.filter(page=synced).update(segment_id=4711, segment_name="Styrelser")
    client.force_login(sender)
    sandbox.requests.clear()
    html = client.get(status_url(synced)).content.decode()
    assert api_calls(sandbox) == []  # the page never asks Mailchimp
    assert "Listan med segment och taggar har inte hämtats från Mailchimp än" in html
    assert options(html) == ["Hela mottagarlistan", "Styrelser (nuvarande val)"]
    assert 'value="4711" selected' in html
    # Saving keeps the id and its name.
    client.post(recipients_url(synced), {"segment_id": "4711"})
    campaign = campaign_of(synced)
    assert (campaign.segment_id, campaign.segment_name) == (4711, "Styrelser")


def test_fetch_segments_button_queues_the_task_and_lists_by_name(
    client, synced, sender, tags, sandbox, django_capture_on_commit_callbacks
):
    client.force_login(sender)
    sandbox.requests.clear()
    refresh = reverse("newsletter_segments:refresh")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(refresh, {"next": status_url(synced)}, follow=True)
    assert api_calls(sandbox) == []
    assert len(callbacks) == 1
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == status_url(synced)
    assert "Segmenten och taggarna hämtas från Mailchimp" in page
    callbacks[0]()
    assert len(api_calls(sandbox, "GET", "/segments")) == 1
    html = client.get(status_url(synced)).content.decode()
    assert options(html) == [
        "Hela mottagarlistan",
        "Kommunchefer (tagg, 1 prenumerant)",
        "Politiker (tagg, 2 prenumeranter)",
        "Ålands kommuner (tagg, 0 prenumeranter)",
    ]
    assert "Listan med segment och taggar hämtades från Mailchimp" in html
    assert "Sök bland segment och taggar" in html

    # Choosing by name stores the id, and the name shown comes from Mailchimp's list.
    politiker = tags["Politiker"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(recipients_url(synced), {"segment_id": str(politiker), "segment_name": "x"})
    campaign = campaign_of(synced)
    assert (campaign.segment_id, campaign.segment_name) == (politiker, "Politiker")
    assert campaign.recipient_count == 2
    remote = sandbox.state.campaigns[campaign.mailchimp_id]
    assert remote["recipients"]["segment_opts"] == {"saved_segment_id": politiker}


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1.5", "<script>"])
def test_values_not_in_the_list_are_refused(client, synced, sender, tags, value):
    fetch_segments.enqueue()
    client.force_login(sender)
    response = client.post(recipients_url(synced), {"segment_id": value}, follow=True)
    assert "Kontrollera mottagarna." in response.content.decode()
    campaign = campaign_of(synced)
    assert campaign.segment_id is None and campaign.segment_name == ""


def test_a_choice_mailchimp_no_longer_lists_is_marked(client, synced, sender, tags):
    fetch_segments.enqueue()
    Campaign.objects.filter(page=synced).update(segment_id=4711, segment_name="Styrelser")
    client.force_login(sender)
    html = client.get(status_url(synced)).content.decode()
    assert "Styrelser (nuvarande val, finns inte längre i Mailchimps lista)" in options(html)


def test_a_failed_fetch_keeps_the_last_list_and_says_why(client, synced, sender, tags, sandbox):
    assert fetch_segments.enqueue().return_value == "segments fetched"
    fetched_at = AudienceSyncState.objects.get().segments_fetched_at
    sandbox.inject(status=503, count=1)
    assert fetch_segments.enqueue().return_value == "segments not fetched"
    state = AudienceSyncState.objects.get()
    assert state.segments_fetched_at == fetched_at and len(state.segments) == 3
    assert "tekniska problem" in state.segments_error
    client.force_login(sender)
    html = client.get(status_url(synced)).content.decode()
    assert "Segmenten kunde inte hämtas från Mailchimp:" in html
    assert "Politiker (tagg, 2 prenumeranter)" in options(html)


def test_odd_entries_from_mailchimp_are_skipped(db):
    state = AudienceSyncState.for_audience(settings.MAILCHIMP_AUDIENCE_ID)
    state.segments = [
        {"id": 7, "name": "  Skolchefer ", "type": "saved", "member_count": 4},
        {"id": "x", "name": "Trasig"},
        {"id": 0, "name": "Noll"},
        "inte ett segment",
        {"id": 8, "name": "", "type": "static", "member_count": -3},
    ]
    state.save()
    found = service.cached().segments
    assert [(s.id, s.name, s.is_tag, s.member_count) for s in found] == [
        (8, "8", True, None),
        (7, "Skolchefer", False, 4),
    ]


def test_only_senders_may_fetch_and_next_must_be_ours(
    client, synced, sender, editor, django_capture_on_commit_callbacks
):
    refresh = reverse("newsletter_segments:refresh")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(refresh).status_code == 403
    assert callbacks == []
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(refresh, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(refresh).status_code == 405
