#!/usr/bin/env bash
# Everything CI runs: lint, Django checks, the suite on SQLite and PostgreSQL, and the browser tests.
# `scripts/test.sh [all|sqlite|postgres|browser]`.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=cms.settings.test
export PYTHONDONTWRITEBYTECODE=1
PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
unset DATABASE_URL
WORKERS="${TEST_WORKERS:-2}"

step() { printf '\n== %s\n' "$*"; }

pytest_run() {
  # pytest exits 5 when nothing was collected; that is a failure here only if tests were expected.
  set +e
  "$BIN/pytest" "$@"
  local rc=$?
  set -e
  if [ $rc -ne 0 ]; then exit $rc; fi
}

pg_answers() {
  "$BIN/python" - "$PG_URL" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
PY
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
}

ensure_varnish() {
  # tests/cms/test_varnish_purge.py starts Debian's varnishd (on a free port) in front of a live server.
  if [ ! -x /usr/sbin/varnishd ]; then
    step "installing Debian's varnish for the purge test"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish >/dev/null
    fi
  fi
}

if [ "$what" != browser ]; then
  ensure_varnish
fi

if [ "$what" = all ]; then
  step "lint (ruff)"
  "$BIN/ruff" check .
  "$BIN/ruff" format --check .
  step "Swedish catalogue up to date"
  "$BIN/python" scripts/compile_messages.py --check
  step "manage.py check, migrations"
  "$BIN/python" manage.py check
  "$BIN/python" manage.py makemigrations --check --dry-run
  step "manage.py check --deploy (production settings)"
  SECRET_KEY="ci-$(date +%s%N)-a-long-random-looking-secret-key-for-the-deploy-check" \
    ALLOWED_HOSTS=smakom.se DJANGO_SETTINGS_MODULE=cms.settings.production \
    MANDRILL_WEBHOOK_KEY=ci-mandrill-webhook-key ANYMAIL_WEBHOOK_SECRET=ci:anymail-secret \
    "$BIN/python" manage.py check --deploy --fail-level WARNING
fi

if [ "$what" = all ] || [ "$what" = sqlite ]; then
  step "test suite on SQLite"
  pytest_run -q -m "not browser" -n "$WORKERS" -p no:randomly
fi

if [ "$what" = all ] || [ "$what" = postgres ]; then
  if ! pg_answers && command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  if pg_answers; then
    step "test suite on PostgreSQL ($PG_URL)"
    DATABASE_URL="$PG_URL" TEST_DATABASE_NAME="test_smakom_$$" pytest_run -q -m "not browser" -n "$WORKERS" -p no:randomly --create-db
  elif [ -n "${CI:-}" ]; then
    echo "PostgreSQL does not answer at $PG_URL, and CI requires it." >&2
    exit 1
  else
    echo "PostgreSQL does not answer at $PG_URL: skipped (CI requires it)."
  fi
fi

if [ "$what" = all ] || [ "$what" = browser ]; then
  ensure_chromium
  step "browser tests on SQLite (Playwright + /usr/bin/chromium)"
  pytest_run -q -m browser -p no:randomly
  if pg_answers; then
    step "browser tests on PostgreSQL"
    DATABASE_URL="$PG_URL" TEST_DATABASE_NAME="test_smakom_browser_$$" pytest_run -q -m browser -p no:randomly --create-db
  fi
fi
