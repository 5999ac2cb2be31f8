"""Wagtail's bulk Publish (page listing → select → Publish): an issue with checklist errors is
never published that way either. All the selected pages are checked first; if any issue would be
refused nothing is published and every such issue is named (not a 500, not a half-done bulk)."""
# ruff: noqa: F811 (pytest fixtures imported from tests.newsletter.campaign_fixtures)

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.models import Page

from home.models import ArticlePage
from newsletter.models import Campaign, NewsletterIssuePage
from tests.newsletter.campaign_fixtures import issue, sandbox, site_settings  # noqa: F401
from tests.newsletter.issue_content import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("chefred", "chefred@smakom.se", "pw")
    client.force_login(user)
    return client


def draft(page, **fields):
    """`page` as an unpublished draft whose latest revision holds `fields`."""
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision()
    type(page).objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
    return type(page).objects.get(pk=page.pk)


def bulk_publish(client, pages, parent, include_descendants=False, capture=None):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    query = "&".join(f"id={page.pk}" for page in pages)
    data = {"include_descendants": "on"} if include_descendants else {}
    next_url = reverse("wagtailadmin_explore", args=[parent.pk])
    with capture(execute=True):
        return client.post(f"{url}?{query}&next={next_url}", data, follow=True)


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_one_issue_with_errors_holds_back_the_whole_bulk_and_is_named(
    admin_client, issue, home_page, sandbox, django_capture_on_commit_callbacks
):
    broken = draft(issue, subject="")
    article = draft(make_article(home_page))

    response = bulk_publish(
        admin_client,
        [broken, article],
        broken.get_parent(),
        capture=django_capture_on_commit_callbacks,
    )

    assert response.status_code == 200
    text = messages_of(response)
    assert "Ingenting publicerades" in text
    assert f"{broken.title}: Ämnesraden är tom." in text
    assert not NewsletterIssuePage.objects.get(pk=broken.pk).live
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert not Campaign.objects.filter(page_id=broken.pk).exists()

    # Without the issue, the rest publishes as Wagtail does.
    response = bulk_publish(
        admin_client, [article], article.get_parent(), capture=django_capture_on_commit_callbacks
    )
    assert "Ingenting publicerades" not in messages_of(response)
    assert ArticlePage.objects.get(pk=article.pk).live


def test_a_draft_issue_below_a_page_published_with_its_descendants_is_checked_too(
    admin_client, issue, home_page, sandbox, django_capture_on_commit_callbacks
):
    broken = draft(issue, subject="")
    index = draft(Page.objects.get(pk=broken.get_parent().pk).specific)

    response = bulk_publish(
        admin_client,
        [index],
        index.get_parent(),
        include_descendants=True,
        capture=django_capture_on_commit_callbacks,
    )

    assert f"{broken.title}: Ämnesraden är tom." in messages_of(response)
    assert not Page.objects.get(pk=index.pk).live
    assert not NewsletterIssuePage.objects.get(pk=broken.pk).live


def test_an_issue_that_passes_its_checklist_is_bulk_published_and_synced(
    admin_client, issue, sandbox, django_capture_on_commit_callbacks
):
    ready = draft(issue)
    bulk_publish(
        admin_client, [ready], ready.get_parent(), capture=django_capture_on_commit_callbacks
    )
    assert NewsletterIssuePage.objects.get(pk=ready.pk).live
    assert Campaign.objects.filter(page_id=ready.pk).exists()
