"""Public subscriber pages, with Swedish URLs."""

from django.urls import path

from newsletter.views import address_change, confirm, preferences, signup, unsubscribe

app_name = "newsletter"

urlpatterns = [
    path("nyhetsbrev/prenumerera/", signup.signup, name="signup"),
    # Fresh CSRF token and form stamp for the sign-up form on cached pages (never cached).
    path("nyhetsbrev/prenumerera/formular/", signup.signup_tokens, name="signup_tokens"),
    path("nyhetsbrev/prenumerera/tack/", signup.signup_done, name="signup_done"),
    path(
        "nyhetsbrev/prenumerera/tack/bekrafta-via-mejl/",
        signup.signup_done,
        {"via_mailchimp": True},
        name="signup_done_mailchimp",
    ),
    path("nyhetsbrev/bekrafta/<str:token>/", confirm.confirm, name="confirm"),
    # The public (browser) copy of an issue has no personal link: this page says where to find it.
    path("nyhetsbrev/avsluta/", unsubscribe.unsubscribe_help, name="unsubscribe_help"),
    path("nyhetsbrev/avsluta/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("nyhetsbrev/installningar/<str:token>/", preferences.preferences, name="preferences"),
    # The link sent to a new address asked for on the preferences page.
    path(
        "nyhetsbrev/byt-adress/<str:token>/", address_change.address_change, name="address_change"
    ),
]
