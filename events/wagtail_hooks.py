from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from events import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.index, name="index"),
        path("<int:event_id>/", admin_views.detail, name="detail"),
        path("<int:event_id>/export/<str:fmt>/", admin_views.download, name="export"),
        path("<int:event_id>/add/", admin_views.add, name="add"),
        path("<int:event_id>/cancel/<int:pk>/", admin_views.cancel, name="cancel"),
        path("<int:event_id>/message/", admin_views.message, name="message"),
    ]
    return [path("registrations/", include((urls, "events_admin"), namespace="events_admin"))]


class RegistrationsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW)


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return RegistrationsMenuItem(
        _("Registrations"),
        reverse("events_admin:index"),
        name="registrations",
        icon_name="date",
        order=350,
    )


@hooks.register("register_permissions")
def register_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="events", codename__in=["view_registration", "change_registration"]
    )
