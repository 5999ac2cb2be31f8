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
]
