"""Webhooks, mounted at /newsletter/webhooks/ (see newsletter.webhooks)."""

from anymail.webhooks.mandrill import MandrillCombinedWebhookView

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path

from newsletter import webhooks


def mandrill_webhook_configured() -> bool:
    """Both anymail's basic auth (WEBHOOK_SECRET) and Mandrill's signature key must be set:
    without them anyone could unsubscribe or "complain" any address."""
    config = getattr(settings, "ANYMAIL", {}) or {}
    return bool(config.get("MANDRILL_WEBHOOK_KEY") and config.get("WEBHOOK_SECRET"))


class MalformedEvents(Exception):
    pass


class MandrillTrackingView(MandrillCombinedWebhookView):
    """Mailchimp Transactional (Mandrill) tracking through anymail: basic auth (ANYMAIL
    WEBHOOK_SECRET) and Mandrill's signature (MANDRILL_WEBHOOK_KEY, over MANDRILL_WEBHOOK_URL).

    Answers 404 unless both are configured, and 400 (never 500) for a body anymail cannot read.
    """

    def dispatch(self, request, *args, **kwargs):
        if not mandrill_webhook_configured():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def parse_events(self, request):
        try:
            events = super().parse_events(request)
        except Exception as exc:  # anything anymail cannot parse is the sender's mistake
            raise MalformedEvents(type(exc).__name__) from exc
        return events

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except MalformedEvents as exc:
            return HttpResponse(
                f"bad request: unreadable mandrill_events ({exc})",
                status=400,
                content_type="text/plain; charset=utf-8",
            )


mandrill_tracking = MandrillTrackingView.as_view()

urlpatterns = [
    # Mailchimp audience webhook: POST /newsletter/webhooks/mailchimp/?key=SECRET
    path("mailchimp/", webhooks.mailchimp_webhook, name="mailchimp_webhook"),
]
if mandrill_webhook_configured():
    # Not mounted at all without its keys (and refused at request time if they go away).
    urlpatterns += [
        path("anymail/mandrill/", mandrill_tracking, name="anymail_mandrill_webhook"),
        # The path anymail documents for tracking (and `make run` configures).
        path("anymail/mandrill/tracking/", mandrill_tracking, name="anymail_mandrill_tracking"),
    ]
