from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "SmåKom"

    def ready(self):
        from cms import purge, sitecache

        purge.connect()
        sitecache.connect()
