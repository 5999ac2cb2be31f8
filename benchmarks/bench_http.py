"""Public pages over HTTP as production serves them, uncached and from the page cache.

    .venv/bin/python benchmarks/bench_http.py [--duration 3] [--connections 8]
                                              [--articles 200] [--events 50]

Builds a throwaway SQLite database with the demo content plus generated content (200 articles
with images, 50 events), collects the static files, then runs the production settings under
gunicorn (`gunicorn.conf.py`: 2 sync workers) twice — page cache off, then on — and drives each
URL with Debian's `wrk` (installed with apt when missing). Prints requests/s and p50/p99 per page
type uncached and cached, beside a trivial Django view (/robots.txt, uncached) and a static file
served by WhiteNoise measured in the same run, with each figure's ratio to them, and the workers'
CPU time per request (which, unlike requests/s, does not depend on what else the machine runs;
the load average is printed too).

Targets (issue 13); the script exits non-zero when one is missed:
  cached anonymous pages   ≥ 50 % of the static file's rate
  uncached home            ≥ 3 % of the trivial view's rate
  uncached article         ≥ 5.5 % of the trivial view's rate
  worker RSS               ≤ 150 MB after the run
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchsetup import ROOT

BIN = Path(sys.executable).parent
ARTICLE = "/nyheter/fran-ord-till-handling-pa-sex-dagar/"
PAGES = {
    "home": "/",
    "article": ARTICLE,
    "article listing": "/nyheter/",
    "event": "/kalender/varmote-2022/",
    "issue": "/nyhetsbrev/2022-04/",
    "municipality index": "/medlemmar/",
    "search": "/search/?q=kommun",
    "API listing": "/api/v2/pages/?type=home.ArticlePage&fields=*&limit=20",
}
TRIVIAL = "/robots.txt"
STATIC = "/static/css/site.css"
NEVER_CACHED = {"search"}  # every search is logged for the editors' reports
CACHED_SHARE_OF_STATIC = 0.50
UNCACHED_SHARE_OF_TRIVIAL = {"home": 0.03, "article": 0.055}
MAX_RSS_MB = 150


def production_environment(workdir: Path, page_cache_seconds: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        SMAKOM_VAR_DIR=str(workdir),
        SECRET_KEY="bench-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        MAILCHIMP_API_KEY="",
        LOG_LEVEL="ERROR",
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("REDIS_URL", None)
    env.pop("FRONTEND_CACHE_URL", None)
    return env


def build_content(articles: int, events: int) -> None:
    """Runs in a child process with the production settings (tasks in-process, so the search
    index is complete)."""
    import datetime as dt
    import io
    import logging

    import django
    from django.conf import settings

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}
    }
    django.setup()
    logging.disable(logging.WARNING)
    from bench_pages import add_articles

    from django.core.management import call_command
    from django.utils import timezone

    from home.models import EventIndexPage, EventPage

    call_command("migrate", verbosity=0, interactive=False)
    # Static files first, as in a deploy: rendering the demo issue's email needs the manifest.
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo", stdout=io.StringIO())
    add_articles(articles)
    calendar = EventIndexPage.objects.get()
    now = timezone.now()
    for n in range(events):
        start = now + dt.timedelta(days=n - events // 2, hours=n % 8)
        calendar.add_child(
            instance=EventPage(
                title=f"Evenemang {n}",
                slug=f"evenemang-{n}",
                start=start,
                end=start + dt.timedelta(hours=2),
                location_city="Småstad",
            )
        )


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing Debian's wrk …", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    apt = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    subprocess.run([*apt, "update", "-qq"], check=True)  # noqa: S603
    subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=True)  # noqa: S603
    return shutil.which("wrk") or "/usr/bin/wrk"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own executable
            [str(BIN / "gunicorn"), "cms.wsgi:application", f"--bind=127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                if fetch(self.port, TRIVIAL)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def _workers(self) -> dict[str, str]:
        found = {}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                found[status.parent.name] = text
        return found

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for text in self._workers().values():
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
        return sizes

    def worker_cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each worker has used: per request, it does not depend on
        what else the machine is running, unlike requests/s."""
        seconds = {}
        for pid in self._workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return seconds

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(binary: str, port: int, path: str, duration: int, connections: int) -> dict:
    out = subprocess.run(  # noqa: S603
        [
            binary,
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p):
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\b", out, re.M).groups()
        return float(value) * _UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rate": rate,
        "p50": percentile(50),
        "p99": percentile(99),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(binary, server, paths, args) -> dict:
    results = {}
    for name, path in paths.items():
        status, _headers = fetch(server.port, path)  # warm: renditions, and the page cache
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        before = server.worker_cpu_seconds()
        results[name] = wrk(binary, server.port, path, args.duration, args.connections)
        after = server.worker_cpu_seconds()
        # Unknown when a worker was replaced during the run (max_requests).
        same = before.keys() == after.keys() and results[name]["requests"]
        results[name]["cpu_ms"] = (
            1000 * (sum(after.values()) - sum(before.values())) / results[name]["requests"]
            if same
            else None
        )
    return results


def _cpu(result: dict) -> str:
    return "–" if result.get("cpu_ms") is None else f"{result['cpu_ms']:.1f}"


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per URL")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--build-content", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_content:
        build_content(args.articles, args.events)
        return 0

    binary = ensure_wrk()
    load_before = _load()
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    started = time.perf_counter()
    try:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--build-content",
                f"--articles={args.articles}",
                f"--events={args.events}",
            ],
            cwd=ROOT,
            env=production_environment(workdir, 0),
            check=True,
        )
        print(
            f"setup (migrate, load_demo, {args.articles} articles with images, {args.events} "
            f"events, collectstatic): {time.perf_counter() - started:.0f} s"
        )

        server = Server(production_environment(workdir, 0))
        try:
            baselines = measure(
                binary, server, {"trivial view": TRIVIAL, "static file": STATIC}, args
            )
            uncached = measure(binary, server, PAGES, args)
            rss = server.worker_rss_mb()
        finally:
            server.stop()
        server = Server(production_environment(workdir, 600))
        try:
            cacheable = {k: v for k, v in PAGES.items() if k not in NEVER_CACHED}
            for name, path in cacheable.items():
                fetch(server.port, path)
                status, headers = fetch(server.port, path)
                if headers.get("x-page-cache") != "hit":
                    raise SystemExit(f"{name} ({path}) was not served from the page cache")
            cached = measure(binary, server, cacheable, args)
            rss += server.worker_rss_mb()
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    trivial, static = baselines["trivial view"]["rate"], baselines["static file"]["rate"]
    print(
        f"\nwrk -c{args.connections} -d{args.duration}s, gunicorn (gunicorn.conf.py) with "
        f"production settings on SQLite, {os.cpu_count()} CPUs"
    )
    print(f"load average before and after: {load_before} → {_load()}")
    print("cpu: worker CPU ms per request (independent of other load on the machine)")
    print(f"{'':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu':>7}")
    for name, r in baselines.items():
        print(f"{name:<20}{r['rate']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{_cpu(r):>7}")
    header = (
        f"\n{'page':<20}{'uncached':>9}{'p50':>7}{'p99':>7}{'cpu':>7}{'÷trivial':>10}"
        f"{'cached':>9}{'p50':>7}{'p99':>7}{'÷static':>9}"
    )
    print(header)
    missed = []
    for name in PAGES:
        u = uncached[name]
        line = (
            f"{name:<20}{u['rate']:>9.0f}{u['p50']:>7.1f}{u['p99']:>7.1f}{_cpu(u):>7}"
            f"{u['rate'] / trivial:>9.1%}"
        )
        if name in cached:
            c = cached[name]
            line += f"{c['rate']:>10.0f}{c['p50']:>7.1f}{c['p99']:>7.1f}{c['rate'] / static:>9.1%}"
            if c["rate"] < CACHED_SHARE_OF_STATIC * static:
                missed.append(f"cached {name}: {c['rate'] / static:.1%} of the static file's rate")
        else:
            line += f"{'(never cached)':>33}"
        print(line)
        share = UNCACHED_SHARE_OF_TRIVIAL.get(name)
        if share and u["rate"] < share * trivial:
            missed.append(f"uncached {name}: {u['rate'] / trivial:.1%} of the trivial view's rate")
        errors = u["errors"] + cached.get(name, {}).get("errors", 0)
        if errors:
            missed.append(f"{name}: {errors} responses were not 2xx/3xx")
    worst = max(rss) if rss else 0
    print(f"\nworker RSS after the runs: {', '.join(f'{r:.0f}' for r in rss)} MB")
    if worst > MAX_RSS_MB:
        missed.append(f"worker RSS {worst:.0f} MB > {MAX_RSS_MB} MB")
    print(f"total {time.perf_counter() - started:.0f} s")
    if missed:
        print("\nmissed:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
