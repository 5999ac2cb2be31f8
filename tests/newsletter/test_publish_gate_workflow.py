"""A workflow approval that would publish an issue with checklist errors: refused with the errors
in Swedish on the edit page, nothing approved, nothing published, nothing synced (never a 500)."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowPage, WorkflowTask
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from newsletter.models import Campaign, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import (  # noqa: F401
    api_calls,
    issue,
    sandbox,
    sender,
    site_settings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return get_user_model().objects.create_superuser("granskare", "granskare@smakom.se", "pw")


def in_review(issue, user, **fields):
    """A draft issue submitted to a one-step approval workflow (approving it publishes it)."""
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(
        live=False, has_unpublished_changes=True, **fields
    )
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    issue.save_revision(user=user)
    workflow = Workflow.objects.create(name="Granskning av nyhetsbrev")
    task = GroupApprovalTask.objects.create(name="Granskning")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=issue.get_parent())
    workflow.start(issue, user)
    return NewsletterIssuePage.objects.get(pk=issue.pk)


def approve_url(issue):
    state = issue.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[issue.pk, "approve", state.pk])


def assert_nothing_happened(issue, sandbox):
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)
    assert not issue.live
    # The approval was rolled back: the task still waits for a reviewer.
    assert issue.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS
    assert not Campaign.objects.filter(page_id=issue.pk).exists()
    assert api_calls(sandbox, "POST", "/campaigns") == []


def test_approving_an_issue_with_errors_shows_them_and_publishes_nothing(
    client, issue, sender, reviewer, sandbox
):
    issue = in_review(issue, sender, subject="")
    client.force_login(reviewer)
    response = client.post(approve_url(issue), {"comment": ""})
    edit_url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    assert response.status_code == 302 and response["Location"] == edit_url
    html = client.get(edit_url).content.decode()
    assert "Numret godkändes inte och publicerades inte" in html
    assert "Ämnesraden är tom." in html
    assert_nothing_happened(issue, sandbox)


def test_approving_in_the_modal_answers_the_modal_with_the_edit_page(
    client, issue, sender, reviewer, sandbox
):
    issue = in_review(issue, sender, subject="")
    client.force_login(reviewer)
    response = client.post(
        approve_url(issue),
        {"comment": "Ser bra ut"},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json()["step"] == "success"
    assert response.json()["redirect"] == reverse("wagtailadmin_pages:edit", args=[issue.pk])
    assert "Ämnesraden är tom." in client.get(response.json()["redirect"]).content.decode()
    assert_nothing_happened(issue, sandbox)


def test_approving_from_the_editor_keeps_the_changes_as_a_draft(
    client, issue, sender, reviewer, sandbox
):
    issue = in_review(issue, sender)
    client.force_login(reviewer)
    data = nested_form_data(
        {
            "title": issue.title,
            "slug": issue.slug,
            "issue_date": "2022-04-08",
            "subject": "",  # the reviewer empties the subject line and approves
            "preheader": "Nyheter från SmåKom",
            "intro": rich_text("<p>Hej!</p>"),
            "body": streamfield(
                [("text", {"heading": "Rubrik", "text": rich_text("<p>Text</p>")})]
            ),
        }
    )
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
    edit_url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    response = client.post(edit_url, data)
    assert response.status_code == 302 and response["Location"] == edit_url
    html = client.get(edit_url).content.decode()
    assert "Numret godkändes inte och publicerades inte" in html
    assert "Ämnesraden är tom." in html
    assert_nothing_happened(issue, sandbox)
    # The reviewer's edit is kept, as a draft.
    assert (
        NewsletterIssuePage.objects.get(pk=issue.pk).get_latest_revision().as_object().subject == ""
    )


def test_approving_an_issue_without_errors_publishes_it(
    client, issue, sender, reviewer, sandbox, django_capture_on_commit_callbacks
):
    issue = in_review(issue, sender)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url(issue), {"comment": ""})
    assert response.status_code == 302
    assert NewsletterIssuePage.objects.get(pk=issue.pk).live
    assert Campaign.objects.filter(page_id=issue.pk).exists()
