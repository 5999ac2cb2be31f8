from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Nyhetsbrev")

    def ready(self):
        from newsletter import (  # noqa: F401
            checks,  # system checks
            receivers,  # the campaign signals
            site_settings_receivers,  # audience footer facts
        )
