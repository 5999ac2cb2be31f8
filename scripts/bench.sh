#!/usr/bin/env bash
# `make bench`: every benchmark under benchmarks/, each printing its own figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
PG_SERVER="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
for bench in benchmarks/bench_*.py; do
  printf '\n== %s\n' "$bench"
  .venv/bin/python "$bench"
done
# The webhook again on production's database (bench_webhooks.py above ran on SQLite).
printf '\n== benchmarks/bench_webhooks.py on PostgreSQL\n'
.venv/bin/python benchmarks/bench_webhooks.py --database-url "${PG_SERVER%/*}/bench_webhooks"
