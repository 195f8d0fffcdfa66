"""Lighthouse scores of the built site, served gzipped with its Content-Security-Policy header, as a host would.

    .venv/bin/python bench/lighthouse.py [SITE_DIR] [PAGE ...]

Needs Node.js with `npx` (it runs the `lighthouse` package from the npm registry, so the first run
downloads it) and Debian's Chromium at /usr/bin/chromium. Prints one line per page with the four category
scores of Lighthouse's default mobile profile (simulated slow 4G, 4x CPU slowdown), and writes the full
reports beside bench/results.json as lighthouse-<page>.json (not committed). Not part of `make test`:
the scores depend on the machine's load, so they are measured and recorded in bench/README.md, not asserted.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("index.html", "countries/tajikistan.html")
# `lighthouse` if it is installed (npm install -g lighthouse), else npx fetches it from the npm registry.
LIGHTHOUSE = ["lighthouse"] if shutil.which("lighthouse") else ["npx", "--yes", "lighthouse@12"]
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt")


def policy(site: Path) -> str:
    lines = (site / "_headers").read_text(encoding="utf-8").splitlines()
    return next(line.split(":", 1)[1].strip() for line in lines if "Content-Security-Policy" in line)


class Gzipped(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the client accepts it, with the site's policy and a cache lifetime."""

    csp = ""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSIBLE or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def end_headers(self):
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else ROOT / "site"
    pages = argv[1:] or list(PAGES)
    handler = type("Handler", (Gzipped,), {"csp": policy(site)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    print(f"{'page':32} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    for page in pages:
        out = ROOT / "bench" / f"lighthouse-{page.replace('/', '-').removesuffix('.html')}.json"
        subprocess.run([*LIGHTHOUSE, f"{base}/{page}", "--quiet", "--output=json",
                        f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
                        "--chrome-flags=--headless=new --no-sandbox --disable-gpu"], check=True, env=env)
        scores = json.loads(out.read_text(encoding="utf-8"))["categories"]
        print(f"{page:32} " + " ".join(f"{scores[c]['score']:>14.2f}" for c in CATEGORIES))
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
