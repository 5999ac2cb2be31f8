"""`manage.py mailchimp_sandbox` as `make run` starts it: prints its URLs, stops on SIGTERM."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_command_serves_and_stops_cleanly(tmp_path):
    state = tmp_path / "mailchimp-sandbox.json"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test", "PYTHONUNBUFFERED": "1"}
    # The sandbox needs no database; keep the command independent of the test run's DATABASE_URL.
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            "manage.py",
            "mailchimp_sandbox",
            "--port",
            "0",
            "--audience-id",
            "smakomdemo",
            "--state-file",
            str(state),
            "--api-key",
            "demo-us1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", first).group(1)
        lines = [proc.stdout.readline() for _ in range(5)]
        assert any(f"{base}/3.0" in line for line in lines)
        assert any(f"{base}/api/1.0" in line for line in lines)
        assert any(f"{base}/_sandbox/inbox" in line for line in lines)
        ping = requests.get(f"{base}/3.0/ping", auth=("user", "demo-us1"), timeout=5)
        assert ping.status_code == 200
        wrong = requests.get(f"{base}/3.0/ping", auth=("user", "other-us1"), timeout=5)
        assert wrong.status_code == 401
        audience = requests.get(f"{base}/3.0/lists/smakomdemo", auth=("u", "demo-us1"), timeout=5)
        assert audience.json()["name"] == "SmåKom nyhetsbrev"
        requests.post(
            f"{base}/3.0/campaigns", json={"type": "regular"}, auth=("u", "demo-us1"), timeout=5
        )
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert state.exists() and '"campaigns"' in state.read_text()
