"""`make run`: set up and start everything a newcomer needs on 127.0.0.1.

Migrates the SQLite database under var/, loads the demo content, creates an editor account,
then starts the Mailchimp sandbox, the task worker, the periodic-task clock and the site.
Ctrl-C stops everything it started. Running it again keeps the data.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable
PORT = int(os.environ.get("PORT", "8000"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8025"))
EDITOR_USERNAME = "redaktor"


def local_secrets() -> dict:
    """Secrets for this checkout, generated once and kept in var/ (never committed)."""
    path = VAR / "dev-secrets.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    for key in (
        "secret_key",
        "webhook_secret",
        "editor_password",
        "anymail_webhook_secret",
        "mandrill_webhook_key",
    ):
        data.setdefault(key, secrets.token_urlsafe(24))
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)
    return data


def environment(sec: dict) -> dict:
    env = dict(os.environ)
    base = f"http://127.0.0.1:{PORT}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    env.setdefault("SECRET_KEY", sec["secret_key"])
    env.setdefault("WAGTAILADMIN_BASE_URL", base)
    env.setdefault("SITE_BASE_URL", base)
    env.setdefault("MAILCHIMP_WEBHOOK_SECRET", sec["webhook_secret"])
    env.setdefault("ANYMAIL_WEBHOOK_SECRET", f"mandrill:{sec['anymail_webhook_secret']}")
    # With both keys the tracking webhook is mounted (newsletter/urls_webhooks.py).
    env.setdefault("MANDRILL_WEBHOOK_KEY", sec["mandrill_webhook_key"])
    env["PYTHONUNBUFFERED"] = "1"
    if not env.get("MAILCHIMP_API_KEY"):
        # No real account: everything Mailchimp goes to the local sandbox, mail we send ourselves too.
        sandbox = f"http://127.0.0.1:{SANDBOX_PORT}"
        env["SMAKOM_SANDBOX"] = "1"
        env["MAILCHIMP_API_KEY"] = "0" * 32 + "-us1"
        env["MAILCHIMP_API_URL"] = f"{sandbox}/3.0"
        env["MAILCHIMP_AUDIENCE_ID"] = env.get("MAILCHIMP_AUDIENCE_ID") or "smakomdemo"
        env["MANDRILL_API_URL"] = f"{sandbox}/api/1.0"
        env.setdefault("MANDRILL_API_KEY", "sandbox-mandrill-key")
        env["MANDRILL_WEBHOOK_URL"] = f"{base}/newsletter/webhooks/anymail/mandrill/tracking/"
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=check)


def wait_for(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback URL
                return True
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error still means the server is up
                return True
            time.sleep(0.3)
    return False


def ensure_editor(env: dict, password: str) -> None:
    code = (
        "from django.contrib.auth import get_user_model; U = get_user_model();"
        f"u, created = U.objects.get_or_create(username={EDITOR_USERNAME!r},"
        " defaults={'email': 'redaktor@smakom.se', 'first_name': 'Redaktör', 'is_staff': True,"
        " 'is_superuser': True});"
        f"created and (u.set_password({password!r}) or u.save())"
    )
    manage(env, "shell", "--no-imports", "-c", code)


def main() -> int:
    VAR.mkdir(exist_ok=True)
    sec = local_secrets()
    env = environment(sec)
    print("== database (SQLite under var/)")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env=env)  # noqa: S603
        procs.append(proc)
        return proc

    def stop_all(*_):
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
    try:
        if env.get("SMAKOM_SANDBOX"):
            print(f"== Mailchimp sandbox on http://127.0.0.1:{SANDBOX_PORT}/")
            start(
                "mailchimp_sandbox",
                "--port",
                str(SANDBOX_PORT),
                "--audience-id",
                env["MAILCHIMP_AUDIENCE_ID"],
                "--state-file",
                str(VAR / "mailchimp-sandbox.json"),
            )
            if not wait_for(f"http://127.0.0.1:{SANDBOX_PORT}/_sandbox/state.json"):
                print("The Mailchimp sandbox did not start.", file=sys.stderr)
                return 1
        print("== demo content")
        manage(env, "load_demo")
        ensure_editor(env, sec["editor_password"])
        print("== task worker, periodic tasks, site")
        start("db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.5")
        start("run_periodic")
        start("runserver", f"127.0.0.1:{PORT}", "--noreload")
        if not wait_for(f"http://127.0.0.1:{PORT}/"):
            print("The site did not start.", file=sys.stderr)
            return 1
        if env.get("SMAKOM_SANDBOX"):
            manage(env, "mailchimp_webhook", "register", check=False)
        line = "=" * 72
        print(f"\n{line}\n SmåKom CMS is running\n")
        print(f"   Site:            http://127.0.0.1:{PORT}/")
        print(f"   Admin:           http://127.0.0.1:{PORT}/admin/")
        print(f"   Editor login:    {EDITOR_USERNAME} / {sec['editor_password']}")
        if env.get("SMAKOM_SANDBOX"):
            print(f"   Mailchimp inbox: http://127.0.0.1:{SANDBOX_PORT}/_sandbox/inbox")
        print(f"\n Ctrl-C stops everything.\n{line}\n", flush=True)
        while all(proc.poll() is None for proc in procs):
            time.sleep(1)
        print("A process stopped; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
