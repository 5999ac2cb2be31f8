from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Website")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import PageViewRestriction

        from cms.visibility import view_restrictions_changed

        post_save.connect(view_restrictions_changed, sender=PageViewRestriction)
        post_delete.connect(view_restrictions_changed, sender=PageViewRestriction)
