"""Webhooks, mounted at /newsletter/webhooks/ (see newsletter.webhooks)."""

from anymail.webhooks.mandrill import MandrillCombinedWebhookView

from django.urls import path

from newsletter import webhooks

# Mailchimp Transactional (Mandrill) tracking through anymail: basic auth (ANYMAIL
# WEBHOOK_SECRET) and Mandrill's signature (MANDRILL_WEBHOOK_KEY, over MANDRILL_WEBHOOK_URL).
mandrill_tracking = MandrillCombinedWebhookView.as_view()

urlpatterns = [
    # Mailchimp audience webhook: POST /newsletter/webhooks/mailchimp/?key=SECRET
    path("mailchimp/", webhooks.mailchimp_webhook, name="mailchimp_webhook"),
    path("anymail/mandrill/", mandrill_tracking, name="anymail_mandrill_webhook"),
    # The path anymail documents for tracking (and `make run` configures).
    path("anymail/mandrill/tracking/", mandrill_tracking, name="anymail_mandrill_tracking"),
]
