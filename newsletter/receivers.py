"""Signal receivers: publishing, scheduling, cancelling a schedule and unpublishing an issue
enqueue campaign work.

No network here: each receiver only enqueues a task once the transaction commits.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from wagtail.models import Revision
from wagtail.signals import page_published, page_unpublished

from newsletter.models import Campaign, CampaignStatus, NewsletterIssuePage


def _enqueue_sync(page, user_id=None) -> None:
    from newsletter.services.campaigns import campaign_for
    from newsletter.tasks.campaigns import enqueue, sync_campaign

    campaign = campaign_for(page)
    if campaign.status in (CampaignStatus.SENT, CampaignStatus.SENDING):
        # A sent issue can be corrected on the web; its campaign stays as it was sent.
        return
    enqueue(sync_campaign, campaign.pk, user_id)


@receiver(page_published, sender=NewsletterIssuePage)
def issue_published(sender, instance, revision=None, **kwargs):
    _enqueue_sync(instance, getattr(revision, "user_id", None))


@receiver(post_save, sender=Revision)
def issue_scheduled(sender, instance, update_fields=None, **kwargs):
    """A revision approved to go live later: schedule the campaign for that time."""
    if not instance.approved_go_live_at:
        return
    if update_fields is not None and "approved_go_live_at" not in update_fields:
        return
    page = instance.content_object
    if isinstance(page, NewsletterIssuePage):
        _enqueue_sync(page, instance.user_id)


@receiver(post_save, sender=Revision)
def issue_go_live_cancelled(sender, instance, update_fields=None, **kwargs):
    """Wagtail's "cancel scheduled publish" (RevisionsUnscheduleView) only clears the revision's
    approved_go_live_at with save(update_fields=…): no page signal, so this is where we hear it."""
    if instance.approved_go_live_at or not update_fields:
        return
    if "approved_go_live_at" not in update_fields:
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model is None or not issubclass(model, NewsletterIssuePage):
        return
    from newsletter.tasks.campaigns import enqueue, unschedule_cancelled_go_live

    # Not only SCHEDULED ones: a sync for the go-live may still be running; the task waits for its
    # lease and decides then.
    campaign = (
        Campaign.objects.filter(page_id=int(instance.object_id))
        .exclude(status__in=(CampaignStatus.SENT, CampaignStatus.SENDING))
        .first()
    )
    if campaign:
        enqueue(unschedule_cancelled_go_live, campaign.pk, instance.pk)


def _unschedule_cancelled_issue(page_id) -> None:
    """A cancelled issue never goes out: unschedule its campaign (after commit, in a task)."""
    from newsletter.tasks.campaigns import enqueue, unschedule_campaign

    campaign = Campaign.objects.filter(page_id=page_id).first()
    if campaign is None or campaign.status in (CampaignStatus.SENT, CampaignStatus.SENDING):
        return
    if campaign.status == CampaignStatus.SCHEDULED or campaign.remote_status == "schedule":
        enqueue(unschedule_campaign, campaign.pk)


@receiver(page_unpublished, sender=NewsletterIssuePage)
def issue_unpublished(sender, instance, **kwargs):
    # Unpublishing (and moving to a trash, which unpublishes) cancels the issue.
    _unschedule_cancelled_issue(instance.pk)


@receiver(pre_delete, sender=NewsletterIssuePage)
def issue_deleted(sender, instance, **kwargs):
    # The Campaign row outlives the page (page SET_NULL): the task still finds it by its pk.
    Campaign.objects.filter(page_id=instance.pk).update(issue_title=instance.title[:255])
    _unschedule_cancelled_issue(instance.pk)
