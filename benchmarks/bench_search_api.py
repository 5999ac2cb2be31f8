"""Search and API speed with 10,000 generated articles on PostgreSQL.

    .venv/bin/python benchmarks/bench_search_api.py [--articles 10000] [--rounds 60] [--keep]

Creates the PostgreSQL database `bench_smakom` (with --keep: reuses it, or creates it when
missing), migrates it, bulk-creates the articles (page rows with computed tree paths, then
the article rows in one insert per batch: minutes faster than add_child), rebuilds the
search index, and measures /search/ and /api/v2/pages/?type=home.ArticlePage in-process with
Django's test client.
Targets: search p95 < 100 ms, API article listing p95 < 50 ms.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time

from benchsetup import (
    DATABASE_TASKS,
    ROOT,
    fresh_postgres_database,
    postgres_database_exists,
    postgres_database_url,
    setup_django,
)

DB_NAME = "bench_smakom"

# The real April 2022 newsletter gives the vocabulary, with common SmåKom terms added: the
# demo content's copy of it (one copy in the tree, see home/demo/README.md).
SEED = ROOT / "home" / "demo" / "smakom-nyhetsbrev-2022-04.txt"
EXTRA_WORDS = (
    "kommun kommunen kommuner kommunerna flykting flyktingar skola skolan förening styrelsen "
    "vårmöte årsstämma konferens digitalisering välfärdsteknik bostadsbidrag landsbygd tillväxt "
    "näringsliv kommunchef kommunalråd samverkan omsorg äldreomsorg integration arbetsmarknad "
    "infrastruktur bredband kollektivtrafik region länsstyrelse enkät rapport seminarium"
)


def vocabulary() -> list[str]:
    words = set(EXTRA_WORDS.split())
    words.update(re.findall(r"[^\W\d_]{3,}", SEED.read_text(encoding="utf-8").lower()))
    rng = random.Random(7)
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


WORDS = vocabulary()
# Zipf-like frequencies, as in real text: a few words are everywhere, most are rare.
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]


def sentence(rng, n):
    return " ".join(rng.choices(WORDS, weights=WEIGHTS, k=n)).capitalize() + "."


def generate_articles(count: int, batch: int = 1000):
    import datetime

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from wagtail.models import Page

    from home.models import ArticleIndexPage, ArticlePage
    from tests.api.content import GRASTORP_BODY
    from tests.fixtures.pages import make_home_page

    rng = random.Random(2022)
    home = make_home_page()
    index = ArticleIndexPage.objects.first() or home.add_child(
        instance=ArticleIndexPage(title="Nyheter", slug="nyheter")
    )
    index.refresh_from_db()
    content_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    child_fields = [f for f in ArticlePage._meta.local_concrete_fields]
    start = index.numchild
    for offset in range(0, count, batch):
        pages, articles = [], []
        for i in range(offset, min(offset + batch, count)):
            n = start + i + 1
            slug = f"artikel-{n}"
            title = sentence(rng, 5)[:-1]
            body = (
                GRASTORP_BODY if i == 0 else f"<p>{sentence(rng, 60)}</p><p>{sentence(rng, 40)}</p>"
            )
            article = ArticlePage(
                title="Vad händer i Grästorp?" if i == 0 else title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                path=Page._get_path(index.path, index.depth + 1, n),
                depth=index.depth + 1,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                live=True,
                first_published_at=now,
                last_published_at=now,
                locale_id=index.locale_id,
                date=datetime.date(2022, 4, 1) - datetime.timedelta(days=i % 3650),
                listing_summary=sentence(rng, 20),
                body=[("paragraph", body)],
            )
            pages.append(article)
        with transaction.atomic():
            base_rows = Page.objects.bulk_create(
                [
                    Page(
                        **{
                            f.attname: getattr(a, f.attname)
                            for f in Page._meta.concrete_fields
                            if f.attname != "id"
                        }
                    )
                    for a in pages
                ]
            )
            for article, row in zip(pages, base_rows, strict=True):
                article.page_ptr_id = article.id = row.id
                articles.append(article)
            # One INSERT per batch into the article table (bulk_create refuses multi-table models).
            ArticlePage._base_manager._insert(articles, fields=child_fields)
            Page.objects.filter(pk=index.pk).update(numchild=start + offset + len(pages))
        print(f"  {offset + len(pages)} articles", flush=True)


def percentiles(times):
    times = sorted(times)
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], len(times)


def measure(client, url, params_list, rounds, verbose=False):
    """p50/p95 over all requests; with verbose, also per query (to see the worst case)."""
    times, per_query = [], {}
    for _ in range(rounds):
        for params in params_list:
            t0 = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (url, params, response.status_code)
            times.append(elapsed)
            per_query.setdefault(str(params), []).append(elapsed)
    if verbose:
        for params, query_times in per_query.items():
            p50, p95, _n = percentiles(query_times)
            print(f"    {params:60s} p50={p50:6.1f} ms p95={p95:6.1f} ms")
    return percentiles(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()

    # --keep reuses the database when there is one; otherwise it is created and filled.
    if args.keep and postgres_database_exists(DB_NAME):
        url = postgres_database_url(DB_NAME)
    else:
        url = fresh_postgres_database(DB_NAME)
    # As in production: background work is queued in the database for the worker.
    setup_django("bench-search", url, DATABASE_TASKS)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from home.models import ArticlePage

    # A kept database gets the migrations (indexes) added since it was filled, too.
    print("migrating …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    if not args.keep or not ArticlePage.objects.exists():
        t0 = time.perf_counter()
        generate_articles(args.articles)
        print(f"created {args.articles} articles in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        call_command("update_index", verbosity=0)
        print(f"rebuilt the search index in {time.perf_counter() - t0:.1f} s", flush=True)
    # What autovacuum does in production after the bulk load and the migrations (this server
    # runs without it): planner statistics, and no dead rows or unmerged GIN entries left.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"articles in the database: {ArticlePage.objects.count()}")

    client = Client()
    # Warm up (connection, URL resolver, caches).
    client.get("/search/", {"q": "kommun"})
    client.get("/api/v2/pages/", {"type": "home.ArticlePage"})

    searches = [
        {"q": q} for q in ["kommunen", "flyktingarna", "Grästorp", "vårmöte bredband", "xyzzy"]
    ]
    searches.append({"q": "kommun", "type": "article", "page": "3"})
    # Worst case: one of the commonest words, found in most of the 10,000 articles.
    searches.append({"q": WORDS[1]})
    listings = [
        {"type": "home.ArticlePage"},
        {"type": "home.ArticlePage", "offset": "200"},
        {"type": "home.ArticlePage", "date_from": "2020-01-01", "date_to": "2021-12-31"},
        {"type": "home.ArticlePage", "order": "title", "limit": "50"},
    ]
    print(f"load average before measuring: {os.getloadavg()} on {os.cpu_count()} CPUs")
    results = [
        ("search /search/?q=…", measure(client, "/search/", searches, args.rounds, True), 100),
        (
            "API /api/v2/pages/?type=home.ArticlePage",
            measure(client, "/api/v2/pages/", listings, args.rounds, True),
            50,
        ),
        (
            "API search ?search=kommunen",
            measure(
                client,
                "/api/v2/pages/",
                [{"type": "home.ArticlePage", "search": "kommunen"}],
                args.rounds,
            ),
            100,
        ),
    ]
    ok = True
    for name, (p50, p95, n), target in results:
        verdict = "ok" if p95 < target else "TOO SLOW"
        ok = ok and p95 < target
        print(
            f"{name:45s} n={n:4d} p50={p50:6.1f} ms p95={p95:6.1f} ms (target p95 < {target} ms) {verdict}"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
