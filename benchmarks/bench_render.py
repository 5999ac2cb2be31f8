"""Email rendering speed: the demo April 2022 issue to HTML and plain text.

    .venv/bin/python benchmarks/bench_render.py [--rounds 50] [--teasers 0] [--postgres]

Builds a throwaway database (a temporary SQLite file; with --postgres the database
`bench_render` on BENCH_PG_URL's server, dropped and created again), migrates it,
runs `load_demo`, then renders the published issue the way a campaign sync does
(`page.live_revision.as_object()` → render_email) and prints median, p95 and SQL queries per
rendering. `--teasers N` adds N more article teasers to show the query count stays flat.
Target: median under 150 ms.
"""

import argparse
import statistics
import time

from benchsetup import DUMMY_TASKS, drop_postgres_database, fresh_postgres_database, setup_django

PG_DB = "bench_render"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--teasers", type=int, default=0)
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL (BENCH_PG_URL)")
    args = parser.parse_args()

    # Background work (Mailchimp sync, search indexing) is only queued, never run.
    database_url = fresh_postgres_database(PG_DB) if args.postgres else None
    setup_django("bench-render", database_url, DUMMY_TASKS)

    import io
    import logging

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter.models import NewsletterIssuePage
    from newsletter.rendering import render_email

    logging.disable(logging.INFO)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=io.StringIO())
    issue = NewsletterIssuePage.objects.get(slug="2022-04")
    if args.teasers:
        from home.models import ArticlePage

        articles = list(ArticlePage.objects.live().values_list("pk", flat=True))
        extra = [
            {
                "type": "article_teaser",
                "value": {"article": articles[n % len(articles)], "show_image": True},
            }
            for n in range(args.teasers)
        ]
        issue.body = list(issue.body.raw_data) + extra
        issue.save_revision().publish()
    print(f"setup (migrate + load_demo): {time.perf_counter() - started:.1f} s")

    def one_rendering():
        page = NewsletterIssuePage.objects.get(pk=issue.pk).live_revision.as_object()
        return render_email(page)

    rendered = one_rendering()  # warm up: renditions, template loading, site caches
    with CaptureQueriesContext(connection) as queries:
        one_rendering()

    timings = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        rendered = one_rendering()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    sections = len(list(issue.body.raw_data))
    print(f"database: {connection.vendor}; issue sections: {sections}; rounds: {args.rounds}")
    print(
        f"html: {len(rendered.html.encode()) / 1024:.1f} KB, text: {len(rendered.text.encode()) / 1024:.1f} KB"
    )
    print(
        f"render_email (HTML + text): median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"SQL queries per rendering: {len(queries)}")
    target_ok = statistics.median(timings) < 150
    print("target (median < 150 ms):", "met" if target_ok else "NOT met")
    if args.postgres:
        connection.close()
        drop_postgres_database(PG_DB)


if __name__ == "__main__":
    main()
