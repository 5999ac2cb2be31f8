#!/usr/bin/env bash
# `make bench`: every benchmark under benchmarks/, each printing its own figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
for bench in benchmarks/bench_*.py; do
  printf '\n== %s\n' "$bench"
  .venv/bin/python "$bench"
done
