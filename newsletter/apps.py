from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Nyhetsbrev")

    def ready(self):
        from newsletter import (
            receivers,  # noqa: F401  (connects the campaign signals)
            site_settings_receivers,  # noqa: F401  (audience footer facts)
        )
