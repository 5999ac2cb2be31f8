from .audience import AudienceSyncState, MailchimpErasure, MailchimpWebhookEvent  # noqa: F401
from .campaigns import Campaign, CampaignOperation, CampaignStatus, ScheduleDecision  # noqa: F401
from .pages import NewsletterIndexPage, NewsletterIssuePage
from .subscribers import Subscriber, SubscriberEvent, normalise_email

__all__ = [
    "NewsletterIndexPage",
    "NewsletterIssuePage",
    "Subscriber",
    "SubscriberEvent",
    "normalise_email",
]
