"""Signal receivers: publishing, scheduling and unpublishing an issue enqueue campaign work.

No network here: each receiver only enqueues a task once the transaction commits.
"""

from django.db.models.signals import post_save
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


@receiver(page_unpublished, sender=NewsletterIssuePage)
def issue_unpublished(sender, instance, **kwargs):
    from newsletter.tasks.campaigns import enqueue, unschedule_campaign

    campaign = Campaign.objects.filter(page_id=instance.pk).first()
    if campaign and campaign.status == CampaignStatus.SCHEDULED:
        enqueue(unschedule_campaign, campaign.pk)
