"""A change to the site settings' footer facts is pushed to the Mailchimp audience (a task, after
the transaction commits; no network here)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from cms.models import SiteSettings


@receiver(post_save, sender=SiteSettings)
def site_settings_saved(sender, instance, **kwargs):
    from newsletter.mailchimp.client import is_configured
    from newsletter.tasks.audience_settings import push_audience_settings

    # The task compares with the audience and only writes what differs.
    if is_configured():
        transaction.on_commit(push_audience_settings.enqueue)
