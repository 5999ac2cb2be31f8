from django.conf import settings
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("api.urls")),
    path("search/", include("search.urls")),
    # Subscriber pages (/nyhetsbrev/prenumerera/ …) and webhooks (/newsletter/webhooks/…).
    path("", include("newsletter.urls")),
    # Feeds, iCalendar, sitemap.xml, robots.txt.
    path("", include("home.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's own patterns, its page view replaced by one that routes in two queries.
urlpatterns += [
    *wagtail_urls.urlpatterns[:-1],
    re_path(wagtail_urls.serve_pattern, cms_views.serve, name="wagtail_serve"),
]

handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
