"""Only a holder of newsletter.send_newsletter causes a send or a schedule.

The permission matrix: Wagtail's Editors and Moderators and a sender group × every campaign action
(the button shown, the direct POST, the go-live, the command) → allowed or 403, and what Mailchimp
received. Real admin views, real HTTP to the Mailchimp sandbox."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import datetime
from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from wagtail.models import GroupPagePermission, Page, PageLogEntry, Revision

from newsletter.models import CampaignStatus, NewsletterIssuePage
from newsletter.services.publish_gate import IssueNotPublishable
from tests.newsletter.campaign_fixtures import api_calls, campaign_of

pytestmark = pytest.mark.django_db

GROUPS = ["Editors", "Moderators", "Utskickare"]


def url(name, page):
    return reverse(f"newsletter_campaign:{name}", args=[page.pk])


def in_two_days(minute=30):
    when = timezone.now() + datetime.timedelta(days=2)
    return when.replace(minute=minute, second=0, microsecond=0)


@pytest.fixture
def senders_group(home_page):
    group = Group.objects.create(name="Utskickare")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="send_newsletter"),
    )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=Page.get_first_root_node(),
            permission=Permission.objects.get(codename=codename),
        )
    return group


def member_of(name, username=None):
    username = username or name.lower()
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@smakom.se", password="pw"
    )
    user.groups.add(Group.objects.get(name=name))
    return user


def go_live(issue, user, capture, when, publisher=None, **changes):
    """The go-live as Wagtail sets it: `user` saves a version to go live at `when`, and
    `publisher` (the same user, or whoever approves it) publishes it for that time."""
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    for field, value in changes.items():
        setattr(issue, field, value)
    issue.go_live_at = when
    with capture(execute=True):
        issue.save_revision(user=user).publish(user=publisher or user)
    return NewsletterIssuePage.objects.get(pk=issue.pk)


def scheduled_log_users(issue):
    return list(
        PageLogEntry.objects.filter(page=issue, action="newsletter.campaign.scheduled")
        .order_by("pk")
        .values_list("user__username", flat=True)
    )


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_without_the_send_permission_nothing_is_scheduled_or_sent(
    group, client, issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    user = member_of(group)
    sender = member_of("Utskickare", "ansvarig")
    other_sender = member_of("Utskickare", "chefred")
    # Editors cannot publish: a Moderator approves their version (neither may send).
    publisher = user if group == "Moderators" else member_of("Moderators", "moderator")

    # Go-live set by someone without the permission: synced, not scheduled; told and notified.
    issue.live = False
    issue.save()
    issue = go_live(issue, user, capture, in_two_days(), publisher=publisher)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED and campaign.scheduled_for is None
    assert "får inte skicka nyhetsbrevet" in campaign.schedule_held
    assert api_calls(sandbox, "POST", "/actions/schedule") == []
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    told = sorted(m["to"] for m in sandbox.messages(kind="transactional"))
    assert told == sorted([sender.email, other_sender.email])
    assert "newsletter.campaign.schedule_held" in set(
        PageLogEntry.objects.filter(page=issue).values_list("action", flat=True)
    )

    client.force_login(user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert "data-campaign-held" in edit and "utskicket schemalades inte" in edit
    status = client.get(url("status", issue)).content.decode()
    for action in ("schedule", "unschedule", "recipients", "send"):
        assert url(action, issue) not in status  # no button…

    # …and the direct POSTs are refused with 403.
    with capture(execute=True):
        when = in_two_days().strftime("%Y-%m-%dT%H:%M")
        responses = {
            "schedule": client.post(url("schedule", issue), {"when": when}),
            "unschedule": client.post(url("unschedule", issue)),
            "recipients": client.post(
                url("recipients", issue), {"segment_id": "", "segment_name": "x"}
            ),
            "send (confirm page)": client.get(url("send", issue)),
            "send": client.post(url("send", issue)),
            "test to an outside address": client.post(
                url("test", issue), {"emails": "minister@regeringskansliet.se"}
            ),
        }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert "Bara den som får skicka nyhetsbrevet" in responses["schedule"].content.decode()

    # A test to oneself and to the staff domain is fine.
    with capture(execute=True):
        ok = client.post(url("test", issue), {"emails": f"{user.email}, kansliet@smakom.se"})
    assert ok.status_code == 302
    assert len(sandbox.messages(kind="test")) == 2

    # The command: refused without --user and for this user.
    for args in (["schedule", when], ["send"], ["unschedule"]):
        with pytest.raises(CommandError):
            call_command("newsletter_campaign", issue.slug, *args, stdout=StringIO())
        with pytest.raises(CommandError, match="får skicka"):
            call_command(
                "newsletter_campaign", issue.slug, *args, "--user", user.username, stdout=StringIO()
            )

    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED and campaign.segment_name == ""
    for action in ("schedule", "unschedule", "send"):
        assert api_calls(sandbox, "POST", f"/actions/{action}") == [], action
    assert len(api_calls(sandbox, "PATCH")) == 0
    assert scheduled_log_users(issue) == []


def test_a_sender_may_do_everything_and_every_schedule_is_logged_with_the_user(
    client, issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    sender = member_of("Utskickare", "ansvarig")
    issue.live = False
    issue.save()
    issue = go_live(issue, sender, capture, in_two_days())
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.schedule_held == ""
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"
    assert scheduled_log_users(issue) == ["ansvarig"]  # the go-live

    client.force_login(sender)
    status = client.get(url("status", issue)).content.decode()
    for action in ("unschedule", "recipients", "send", "schedule"):
        assert url(action, issue) in status
    with capture(execute=True):
        assert client.post(url("unschedule", issue)).status_code == 302
    assert campaign_of(issue).status == CampaignStatus.SYNCED
    with capture(execute=True):
        when = in_two_days(minute=45).strftime("%Y-%m-%dT%H:%M")
        assert client.post(url("schedule", issue), {"when": when}).status_code == 302
    assert campaign_of(issue).status == CampaignStatus.SCHEDULED
    assert scheduled_log_users(issue) == ["ansvarig", "ansvarig"]  # the button

    with capture(execute=True):
        outside = client.post(url("test", issue), {"emails": "minister@regeringskansliet.se"})
    assert outside.status_code == 302
    assert len(sandbox.messages(kind="test", to="minister@regeringskansliet.se")) == 1

    call_command(
        "newsletter_campaign", issue.slug, "unschedule", "--user", "ansvarig", stdout=StringIO()
    )
    later = (in_two_days() + datetime.timedelta(days=1)).isoformat()
    call_command(
        "newsletter_campaign",
        issue.slug,
        "schedule",
        later,
        "--user",
        "ansvarig",
        stdout=StringIO(),
    )
    assert scheduled_log_users(issue) == ["ansvarig"] * 3  # the command
    assert len(api_calls(sandbox, "POST", "/actions/schedule")) == 3
    assert len(api_calls(sandbox, "POST", "/actions/unschedule")) == 2


def test_a_go_live_with_checklist_errors_does_not_schedule(
    issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    sender = member_of("Utskickare", "ansvarig")
    # A checklist error (no subject line): the go-live itself is refused, nothing is scheduled.
    with pytest.raises(IssueNotPublishable, match="Ämnesraden är tom"):
        go_live(issue, sender, django_capture_on_commit_callbacks, in_two_days(), subject="")
    assert not issue.revisions.filter(approved_go_live_at__isnull=False).exists()
    assert api_calls(sandbox, "POST", "/actions/schedule") == []


def break_scheduled_subject(issue, sender, capture):
    """A sender schedules the issue's go-live; then its scheduled version loses its subject
    (content changed under the schedule). Returns the issue, its campaign, the revision, when."""
    issue.live = False
    issue.save()
    when = in_two_days()
    issue = go_live(issue, sender, capture, when)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED
    revision = Revision.page_revisions.get(object_id=str(issue.pk), approved_go_live_at=when)
    Revision.objects.filter(pk=revision.pk).update(content={**revision.content, "subject": ""})
    return issue, campaign, revision, when


def assert_go_live_held(issue, revision):
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert not issue.live
    assert not Revision.objects.filter(pk=revision.pk, approved_go_live_at__isnull=False).exists()
    entry = PageLogEntry.objects.get(page=issue, action="newsletter.issue.publish_blocked")
    assert entry.data["errors"] == ["Ämnesraden är tom."]
    return issue


def test_the_reconciler_stops_a_send_whose_checklist_broke_since_the_schedule(
    issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    """Mailchimp sends at the go-live time, so the last check is the reconciler's, inside its
    send window: the go-live is held, the campaign unscheduled at Mailchimp, the editor told."""
    import time_machine

    sender = member_of("Utskickare", "ansvarig")
    issue, campaign, revision, when = break_scheduled_subject(
        issue, sender, django_capture_on_commit_callbacks
    )
    with (
        time_machine.travel(when - datetime.timedelta(minutes=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("newsletter_campaign", "reconcile", stdout=StringIO())
        call_command("publish_scheduled", stdout=StringIO())  # nothing left to publish

    issue = assert_go_live_held(issue, revision)
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert "klarar inte längre checklistan" in campaign.last_error
    assert "Ämnesraden är tom." in campaign.last_error
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    # Past the time, nothing goes out and nothing is published.
    with time_machine.travel(when + datetime.timedelta(minutes=5), tick=False):
        call_command("publish_scheduled", stdout=StringIO())
        sandbox.deliver_due()
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"
    assert not NewsletterIssuePage.objects.get(pk=issue.pk).live


def test_publish_scheduled_holds_a_go_live_whose_checklist_broke_since(
    issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    """Without the reconciler's check (no periodic worker ran), Mailchimp sent at the go-live
    time; publish_scheduled still never publishes the page with errors, its history says why,
    the CMS records the send truthfully, and publish_scheduled carries on."""
    import time_machine

    sender = member_of("Utskickare", "ansvarig")
    issue, campaign, revision, when = break_scheduled_subject(
        issue, sender, django_capture_on_commit_callbacks
    )
    with (
        time_machine.travel(when + datetime.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("publish_scheduled", stdout=StringIO())

    issue = assert_go_live_held(issue, revision)
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "sent"
    assert campaign_of(issue).status == CampaignStatus.SENT


def test_an_editors_new_version_unschedules_what_a_sender_scheduled(
    issue, sandbox, senders_group, django_capture_on_commit_callbacks
):
    """The latest go-live counts: a version whose go-live an editor set is not sent on the
    sender's earlier decision."""
    sender = member_of("Utskickare", "ansvarig")
    editor = member_of("Editors", "redaktor")
    when = in_two_days()
    issue.live = False
    issue.save()
    issue = go_live(issue, sender, django_capture_on_commit_callbacks, when)
    assert campaign_of(issue).status == CampaignStatus.SCHEDULED
    moderator = member_of("Moderators", "moderator")
    issue = go_live(
        issue,
        editor,
        django_capture_on_commit_callbacks,
        when,
        publisher=moderator,
        intro="<p>Ändrat av redaktören.</p>",
    )
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SYNCED
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "save"

    # A sender approving the editor's version for later schedules it, and the log names them.
    issue = go_live(
        issue,
        editor,
        django_capture_on_commit_callbacks,
        when,
        publisher=sender,
        intro="<p>Godkänt av utskickaren.</p>",
    )
    campaign = campaign_of(issue)
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.schedule_held == ""
    assert sandbox.state.campaigns[campaign.mailchimp_id]["status"] == "schedule"
    assert scheduled_log_users(issue) == ["ansvarig", "ansvarig"]
