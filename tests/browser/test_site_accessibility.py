"""axe-core on each page type: no serious or critical WCAG 2.1 A/AA violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from home.demo.loader import Loader

pytestmark = [
    pytest.mark.browser,
    # Transactional (a live server); tests/fixtures/pages.py restores Wagtail's roots after
    # an earlier test's flush.
    pytest.mark.django_db(transaction=True),
]


PAGES = {
    "HomePage": "/",
    "ArticleIndexPage": "/nyheter/",
    "ArticleIndexPage filtered": "/nyheter/?tag=sns",
    "ArticlePage": "/nyheter/fran-ord-till-handling-pa-sex-dagar/",
    "EventIndexPage": "/kalender/",
    "EventPage": "/kalender/varmote-2022/",
    "MunicipalityIndexPage": "/medlemmar/",
    "StandardPage": "/om-smakom/",
    "Search": "/search/?q=Gr%C3%A4storp",
    "404": "/finns-inte/",
}
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def test_no_serious_or_critical_violations(page, live_server, home_page):
    Loader().run()
    axe = Axe()
    problems = {}
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        results = axe.run(page, options=OPTIONS)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious
    assert problems == {}
