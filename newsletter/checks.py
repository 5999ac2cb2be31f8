"""System checks for the newsletter's deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, register


@register("newsletter", deploy=True)
def mandrill_webhook_keys(app_configs, **kwargs):
    """Mail through Mandrill (anymail) means its tracking webhook applies bounces, complaints and
    unsubscribes: without both keys it is not mounted, and those never reach the CMS."""
    from newsletter.urls_webhooks import mandrill_webhook_configured

    backend = getattr(settings, "EMAIL_BACKEND", "") or ""
    if "mandrill" not in backend.lower() or mandrill_webhook_configured():
        return []
    return [
        Error(
            "Mail goes through Mandrill but its tracking webhook is not protected.",
            hint=(
                "Set both MANDRILL_WEBHOOK_KEY and ANYMAIL_WEBHOOK_SECRET: without them the "
                "tracking webhook (/newsletter/webhooks/anymail/mandrill/) is not mounted and "
                "bounces, complaints and unsubscribes from our own mail are lost."
            ),
            id="newsletter.E001",
        )
    ]
