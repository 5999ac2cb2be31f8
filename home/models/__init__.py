from .mixins import BasePage
from .pages import (
    ArticleIndexPage,
    ArticlePage,
    ArticlePageTag,
    EventIndexPage,
    EventPage,
    HomePage,
    MunicipalityIndexPage,
    StandardPage,
    past_events,
    upcoming_events,
)
from .snippets import COUNTIES, Municipality, MunicipalityVisit, Person

__all__ = [
    "COUNTIES",
    "ArticleIndexPage",
    "ArticlePage",
    "ArticlePageTag",
    "BasePage",
    "EventIndexPage",
    "EventPage",
    "HomePage",
    "Municipality",
    "MunicipalityIndexPage",
    "MunicipalityVisit",
    "Person",
    "StandardPage",
    "past_events",
    "upcoming_events",
]
