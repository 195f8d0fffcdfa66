"""The live preview (`build_charts.py serve`): a journalist edits figures.csv and sees the page follow.

The real command runs in a copy of the project on a free port; the test edits the data package as a
journalist would (a text editor saving the file) and reads the pages over HTTP, as the browser does
after the preview tells it to reload.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, copy_site_skeleton

pytestmark = pytest.mark.slow

FIGURE = "chn-tjk-exports-2025"  # China's exports to Tajikistan in 2025, US$3.7bn in the real package
PAGE = "countries/tajikistan.html"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, condition, seconds: float) -> tuple[str, float]:
    """The page once `condition(text)` holds, and how long that took; fails after `seconds`."""
    start = time.monotonic()
    while True:
        text = read(url)
        if condition(text):
            return text, time.monotonic() - start
        if time.monotonic() - start > seconds:
            pytest.fail(f"{url}: not as expected after {seconds} s; last text: {text[:300]!r}")
        time.sleep(0.25)


@pytest.fixture
def preview(tmp_path):
    root = copy_site_skeleton(tmp_path / "site")
    shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, str(ROOT / "build_charts.py"), "--root", str(root), "serve",
                               "--address", f"127.0.0.1:{port}"], cwd=root, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    base = f"http://127.0.0.1:{port}/trade-mirror/"
    try:
        wait_for(base + PAGE, lambda text: "US$3.7bn" in text, 240)  # the first build draws every chart
        yield base, PackageCopy(root / "datapackages" / "trade"), tmp_path / "serve.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_preview_follows_the_data_and_shows_errors_on_the_page(preview):
    base, pkg, log = preview
    assert "Таджикистан" in read(base + "ru/" + PAGE)  # every language edition is served

    pkg.set("figures", FIGURE, value="3950")
    page, seconds = wait_for(base + PAGE, lambda text: "US$3.95bn" in text, 10)
    assert "US$3.7bn" not in page, f"took {seconds:.1f} s"

    pkg.set("figures", FIGURE, value="3,950")  # a typing slip: the package no longer validates
    page, _ = wait_for(base + PAGE, lambda text: "tm-preview-errors" in text, 10)
    banner = page.split('class="tm-preview-errors"', 1)[1].split("</div>", 1)[0]
    assert "figures.csv" in banner and "value" in banner and "line" in banner
    assert "US$3.95bn" in page  # the last good figures are still served
    russian = read(base + "ru/" + PAGE)
    assert "tm-preview-errors" in russian and "Предпросмотр устарел" in russian
    assert "figures.csv" in log.read_text(encoding="utf-8")  # and the terminal says it too

    pkg.set("figures", FIGURE, value="3960")
    page, _ = wait_for(base + PAGE, lambda text: "US$3.96bn" in text and "tm-preview-errors" not in text, 10)
