"""Publishing purges Varnish through Wagtail's frontend cache (FRONTEND_CACHE_URL), with the VCL
we ship (deploy/varnish/default.vcl) in front of a live server. Needs Debian's varnish
(`scripts/test.sh` installs it); skipped without it, except under CI."""

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.core.cache import cache

from home.models import ArticlePage
from tests.newsletter.issue_content import make_article

VCL = Path(django_settings.BASE_DIR) / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def varnish(live_server, tmp_path):
    if not os.path.exists(VARNISHD):
        if os.environ.get("CI"):
            pytest.fail("varnishd is missing (scripts/test.sh installs Debian's varnish)")
        pytest.skip("varnishd is not installed")
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = tmp_path / "test.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - Debian's varnishd
        [
            VARNISHD,
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp_path / "varnish"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            pytest.fail(f"varnishd exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=2).read()  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("varnishd did not answer")
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _get(url, cookie=None, headers=None):
    headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        return response.read().decode(), response.headers


@pytest.mark.django_db(transaction=True)
def test_publish_purges_varnish(varnish, home_page, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": varnish,
        }
    }
    cache.clear()
    article = make_article(home_page, 1)
    article.save_revision().publish()
    urls = [article.url, "/nyheter/", "/nyheter/?sida=1", "/"]
    for url in urls:
        body, headers = _get(varnish + url)
        assert article.title in body, url
        body, headers = _get(varnish + url)
        assert headers["X-Varnish-Cache"] == "HIT", url
    # An editor's request is never answered from Varnish.
    assert _get(varnish + "/", cookie="sessionid=x")[1]["X-Varnish-Cache"] == "MISS"
    # Nor one that carries credentials.
    auth = {"Authorization": "Bearer a-frontend-token"}
    assert _get(varnish + "/", headers=auth)[1]["X-Varnish-Cache"] == "MISS"
    # The newsletter's tracking parameters do not make another copy.
    for url in ("/nyheter/?utm_source=nyhetsbrev&sida=1&utm_medium=email", "/?mc_cid=a&mc_eid=b"):
        assert _get(varnish + url)[1]["X-Varnish-Cache"] == "HIT", url

    article = ArticlePage.objects.get(pk=article.pk)
    article.title = "Rubrik efter rensning"
    article.save_revision().publish()  # purges at commit: here, Varnish too (tasks run in-process)

    for url in urls:
        body, headers = _get(varnish + url)
        assert "Rubrik efter rensning" in body, url
    assert _get(varnish + "/")[1]["X-Varnish-Cache"] == "HIT"  # cached again
    cache.clear()
