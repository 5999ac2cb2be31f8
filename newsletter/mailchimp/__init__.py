"""All Mailchimp access goes through this package; the rest of the code never imports the SDK.

- client.py: building the official SDK client, translating its errors, backoff.
- campaigns.py: campaign operations (create/update, content, test, schedule, send, reports).
- audience.py: audience and member operations (upsert, batch subscribe, listing, webhooks).
"""

from .client import MailchimpError, MailchimpNotConfigured, get_client, is_configured, retry_delay

__all__ = ["MailchimpError", "MailchimpNotConfigured", "get_client", "is_configured", "retry_delay"]
