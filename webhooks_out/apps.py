from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksOutConfig(AppConfig):
    name = "webhooks_out"
    verbose_name = _("Publish webhooks")

    def ready(self):
        from webhooks_out import receivers  # noqa: F401  (connects to the audit log)
