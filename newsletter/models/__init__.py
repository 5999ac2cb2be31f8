from .pages import NewsletterIndexPage, NewsletterIssuePage

__all__ = ["NewsletterIndexPage", "NewsletterIssuePage"]
