"""The Mailchimp webhook secret never reaches the logs (issue 12, point 8): gunicorn's access log
as README documents it (gunicorn.conf.py), and Django's own log handlers."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from django.conf import settings

from cms.logredact import RedactSecretsFilter, redact

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-webhook-key-4711"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"GET /newsletter/webhooks/mailchimp/?key={SECRET} HTTP/1.1",
            "GET /newsletter/webhooks/mailchimp/?key=[redacted] HTTP/1.1",
        ),
        (f"POST /x/?a=1&KEY={SECRET}&b=2", "POST /x/?a=1&KEY=[redacted]&b=2"),
        (f"/x/?key%3D{SECRET}", "/x/?key%3D[redacted]"),
        (f"/x/?secret={SECRET};", "/x/?secret=[redacted];"),
        ("/x/?monkey=banana&keyword=ok", "/x/?monkey=banana&keyword=ok"),  # not a key
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


def test_the_filter_is_on_every_configured_handler_and_rewrites_the_record():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"POST /newsletter/webhooks/mailchimp/?key={SECRET} HTTP/1.1", 200, 2),
        None,
    )
    assert RedactSecretsFilter().filter(record) is True
    assert SECRET not in record.getMessage()
    assert "?key=[redacted]" in record.getMessage()


def test_django_server_log_does_not_show_the_secret(caplog):
    logging.getLogger("django.server")  # configured by settings.LOGGING
    handler = next(h for h in logging.getLogger("django.server").handlers if h.filters)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /newsletter/webhooks/mailchimp/?key={SECRET} HTTP/1.1", 200, 2),
        None,
    )
    assert all(f.filter(record) for f in handler.filters)
    assert SECRET not in record.getMessage()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_never_shows_the_webhook_key(tmp_path):
    """Real gunicorn with the documented config: the documented format has no query string at
    all; a format that has one (%(r)s, %(q)s) is redacted by the logger class."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    results = {}
    for name, extra in [
        ("documented", []),
        ("with-query", ["--access-logformat", '"%(r)s" q=%(q)s "%(f)s" %(s)s']),
    ]:
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--access-logfile",
                str(log),
            ]
            + extra,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            url = f"http://127.0.0.1:{port}/newsletter/webhooks/mailchimp/?key={SECRET}"
            while True:
                try:
                    request = urllib.request.Request(url, headers={"Referer": url})
                    urllib.request.urlopen(request, timeout=30).read()  # noqa: S310
                    break
                except urllib.error.HTTPError:
                    break  # any answer is logged
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            for _ in range(50):  # the access log is written after the response
                if log.exists() and log.read_text().strip():
                    break
                time.sleep(0.1)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        results[name] = log.read_text()
    assert "/newsletter/webhooks/mailchimp/" in results["documented"]
    assert SECRET not in results["documented"]
    assert '"GET /newsletter/webhooks/mailchimp/ HTTP/1.1"' in results["documented"]
    assert "/newsletter/webhooks/mailchimp/?key=[redacted]" in results["with-query"]
    assert "q=key=[redacted]" in results["with-query"]
    assert SECRET not in results["with-query"]
