"""Throwaway-database setup shared by the benchmarks (imported by scripts run as
`.venv/bin/python benchmarks/bench_*.py`, so this folder is on sys.path).
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")

IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        PG_SERVER.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(sql)


def fresh_postgres_database(name: str) -> str:
    """Drops and creates database `name` on BENCH_PG_URL's server; returns its URL."""
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
    _pg_admin(f"CREATE DATABASE {name}")
    return postgres_database_url(name)


def postgres_database_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


def postgres_database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(
        PG_SERVER.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def drop_postgres_database(name: str) -> None:
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")


def setup_django(prefix: str, database_url: str | None, tasks_backend: str) -> None:
    """Test settings (local-memory cache, temporary media) on `database_url`, or on a temporary
    SQLite file; Mailchimp unconfigured so nothing leaves the machine; tasks on `tasks_backend`."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("SMAKOM_VAR_DIR", str(workdir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": tasks_backend, "QUEUES": []}}
    settings.MAILCHIMP_API_KEY = ""
    django.setup()
