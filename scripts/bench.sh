#!/usr/bin/env bash
# `make bench`: every benchmark under benchmarks/, each printing its own figures. Exits non-zero
# if any missed its target, after running them all.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
PG_SERVER="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
missed=()
run() {
  printf '\n== %s\n' "$*"
  .venv/bin/python "$@" || missed+=("$*")
}
for bench in benchmarks/bench_*.py; do
  run "$bench"
done
# The webhook again on production's database (the run above used SQLite).
run benchmarks/bench_webhooks.py --database-url "${PG_SERVER%/*}/bench_webhooks"
if [ ${#missed[@]} -gt 0 ]; then
  printf '\nmissed a target or failed: %s\n' "${missed[@]}" >&2
  exit 1
fi
