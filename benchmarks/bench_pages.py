"""Public page rendering speed with the demo content: home, news index, article, calendar,
event, member list.

    .venv/bin/python benchmarks/bench_pages.py [--rounds 30] [--extra-articles 0]
                                               [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless --database-url is given; a
PostgreSQL database given there must exist and may be emptied), migrates it, runs `load_demo`,
optionally adds N more articles (to show the query count stays flat as listings grow), warms
each page once (image renditions are created on first view), then requests each page `rounds`
times in-process with Django's test client (full middleware stack, no cache) and prints the
median and p95 time and the SQL queries per view.
"""

import argparse
import datetime as dt
import statistics
import time

from benchsetup import IMMEDIATE_TASKS, setup_django

PAGES = {
    "home": "/",
    "news index": "/nyheter/",
    "article": "/nyheter/fran-ord-till-handling-pa-sex-dagar/",
    "calendar": "/kalender/",
    "event": "/kalender/varmote-2022/",
    "members (70)": "/medlemmar/",
}


# Drawn once and shared by the generated articles (drawing and saving one per article was most of
# the setup): a page of the news index still shows ten different pictures, each with its own
# renditions.
BENCH_IMAGES = 12


def add_articles(count: int) -> None:
    from home.demo.images import draw_landscape, get_or_create_image
    from home.models import ArticleIndexPage, ArticlePage

    images = [
        get_or_create_image(f"Bench {n}", lambda t: draw_landscape(t, 640, 400), f"bench-{n}.jpg")
        for n in range(min(count, BENCH_IMAGES))
    ]
    index = ArticleIndexPage.objects.get()
    for n in range(count):
        index.add_child(
            instance=ArticlePage(
                title=f"Extra nyhet {n}",
                slug=f"extra-{n}",
                date=dt.date(2022, 1, 1) + dt.timedelta(days=n % 60),
                listing_summary="Sammanfattning",
                listing_image=images[n % len(images)],
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--extra-articles", type=int, default=0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    # Search indexing and reference updates run in-process, as in a request.
    setup_django("bench-pages", args.database_url, IMMEDIATE_TASKS)

    import io
    import logging

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    logging.disable(logging.INFO)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=io.StringIO())
    if args.extra_articles:
        add_articles(args.extra_articles)
    print(f"setup (migrate + load_demo): {time.perf_counter() - started:.1f} s")

    client = Client()
    print(f"{'page':<14} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in PAGES.items():
        assert client.get(url).status_code == 200, url  # warm: renditions
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        # Read now: every request starts by clearing the connection's query log.
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{name:<14} {statistics.median(times):>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
