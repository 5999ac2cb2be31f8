from .audience import (  # noqa: F401
    AudienceSyncState,
    ErasureTombstone,
    MailchimpErasure,
    MailchimpWebhookEvent,
)
from .campaigns import Campaign, CampaignOperation, CampaignStatus, ScheduleDecision  # noqa: F401
from .pages import NewsletterIndexPage, NewsletterIssuePage
from .subscribers import PendingAddressChange, Subscriber, SubscriberEvent, normalise_email

__all__ = [
    "NewsletterIndexPage",
    "NewsletterIssuePage",
    "PendingAddressChange",
    "Subscriber",
    "SubscriberEvent",
    "normalise_email",
]
