from django.urls import include, path

urlpatterns = [
    # Sign-up, confirmation, one-click unsubscribe, preferences (public pages, Swedish URLs).
    path("", include("newsletter.urls_public")),
    # Mailchimp audience webhook and anymail tracking webhooks.
    path("newsletter/webhooks/", include("newsletter.urls_webhooks")),
]
