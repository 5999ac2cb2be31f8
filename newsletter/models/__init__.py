from .pages import NewsletterIndexPage, NewsletterIssuePage
from .subscribers import Subscriber, SubscriberEvent, normalise_email

__all__ = [
    "NewsletterIndexPage",
    "NewsletterIssuePage",
    "Subscriber",
    "SubscriberEvent",
    "normalise_email",
]
