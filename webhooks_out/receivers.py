"""Events come from Wagtail's audit log, the one place every path records them: the editor's
buttons, scheduled publishing, `publish_scheduled`, moves to the bin, and the newsletter's own
"campaign sent" entry (whether sent by the editor or found sent by the report task)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from wagtail.models import PageLogEntry

from .delivery import record_event
from .models import Event, WebhookEndpoint

ACTIONS = {
    "wagtail.publish": Event.PUBLISHED,
    "wagtail.unpublish": Event.UNPUBLISHED,
    "wagtail.delete": Event.DELETED,
    "newsletter.campaign.sent": Event.ISSUE_SENT,
}


def page_payload(page) -> dict:
    from api.caching import api_urls_for_page

    base = {
        "id": page.pk,
        "type": page.specific_class._meta.label if page.specific_class else None,
        "title": page.title,
        "slug": page.slug,
        "url_path": page.url_path,
    }
    try:
        base["url"] = page.get_full_url()
    except Exception:  # a page outside any site has no URL
        base["url"] = None
    base["api_urls"] = api_urls_for_page(page)
    return base


@receiver(post_save, sender=PageLogEntry)
def page_logged(sender, instance: PageLogEntry, created: bool, **kwargs):
    event = ACTIONS.get(instance.action)
    if not created or event is None:
        return
    if not WebhookEndpoint.subscribed_to(event).exists():
        return
    page = instance.page
    payload = {
        "event": str(event),
        "occurred_at": (instance.timestamp or timezone.now()).isoformat(),
        "page": page_payload(page),
    }
    if event == Event.PUBLISHED and instance.revision_id:
        payload["revision"] = instance.revision_id
    if event == Event.ISSUE_SENT:
        payload["campaign"] = {
            "mailchimp_id": instance.data.get("campaign"),
            "recipients": instance.data.get("recipients"),
        }
    record_event(event, payload)
