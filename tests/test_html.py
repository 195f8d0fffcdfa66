"""The published HTML passes the Nu Html Checker (vnu.jar from npm, run with the machine's Java).

One page of each kind is checked, with the site's stylesheet and SVG images, in
a single run of the checker (one JVM start, about 10 s). Skipped, loudly, when
Java or the checker is missing: `make test` installs the checker with `npm ci`,
and CI installs Java.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(JAVA is None, reason="HTML CHECK SKIPPED: java is missing — install it with "
                       "`sudo apt-get install default-jre-headless` (CI does)"),
    pytest.mark.skipif(not VNU.exists(), reason="HTML CHECK SKIPPED: node_modules/vnu-jar is missing — "
                       "run `npm ci` (make test does)"),
]

# One page of each kind, as a reader reaches them; the country page is whichever comes first.
PAGE_KINDS = ["index.html", "countries/*.html", "findings.html", "methodology.html", "data.html",
              "changelog.html", "about.html", "404.html"]


def accepted(message: dict) -> bool:
    """Errors we do not fix, each for a stated reason. Keep this list short and exact.

    Material's base.html writes autocomplete="off" on its two checkbox toggles (the
    navigation drawer and the search overlay), so Firefox does not restore them
    open after a reload; HTML allows autocomplete only on text-like inputs. The
    tags stand outside every template block, so the only fix would be a copy of
    the theme's whole base.html, frozen at one Material version, and a drawer
    that may reopen by itself. Only that attribute on those toggles is accepted.
    """
    extract = message.get("extract", "")
    return (message["message"].startswith("Attribute “autocomplete” is only allowed when the input type is")
            and 'class="md-toggle"' in extract and 'type="checkbox"' in extract)


def pages_of_each_kind(site: Path) -> list[Path]:
    pages = []
    for pattern in PAGE_KINDS:
        found = sorted(site.glob(pattern))
        assert found, f"no page {pattern} in the built site"
        pages.append(found[0])
    return pages


# A page with two known errors, checked in the same run: proof that the checker reads what it is given.
CONTROL = ('<!DOCTYPE html><html lang="en"><head><title>control</title></head>'
           '<body><p id="a">one</p><p id="a">two</p><img src="x.svg"></body></html>')


@pytest.fixture(scope="module")
def checked(two_releases, tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's messages by file, for one page of each kind of the newest published version."""
    _, _, served = two_releases
    site = served / "latest"
    control = tmp_path_factory.mktemp("vnu") / "control.html"
    control.write_text(CONTROL, encoding="utf-8")
    # Our stylesheet, the logo and the static charts (the images shown without JavaScript) go in the same run.
    files = [*pages_of_each_kind(site), site / "assets" / "css" / "site.css", site / "assets" / "logo.svg",
             *sorted(site.glob("assets/charts/**/*.svg")), control]
    result = subprocess.run([JAVA, "-jar", str(VNU), "--format", "json", "--also-check-css", "--also-check-svg",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    # vnu exits 1 when it reports any error; its report goes to stderr either way.
    by_file: dict[str, list[dict]] = {"control": []}
    for message in json.loads(result.stderr)["messages"]:
        url = message.get("url", "")
        key = "control" if url.endswith("/control.html") else url.rsplit("/latest/", 1)[-1]
        by_file.setdefault(key, []).append(message)
    return by_file


def describe(messages: list[dict]) -> str:
    return "\n".join(f"{m.get('url', '').rsplit('/latest/', 1)[-1]}:{m.get('lastLine', '?')}: {m['type']}:"
                     f" {m['message']}\n    {m.get('extract', '').strip()[:160]}" for m in messages)


def is_error(message: dict) -> bool:
    return message["type"] in ("error", "non-document-error")


def test_every_kind_of_page_is_valid_html(checked, capsys):
    site = [m for key, messages in checked.items() if key != "control" for m in messages]
    errors = [m for m in site if is_error(m) and not accepted(m)]
    assert not errors, "the Nu Html Checker reports errors:\n" + describe(errors)
    warnings = [m for m in site if m["type"] == "info" and m.get("subType") == "warning"]
    if warnings:
        with capsys.disabled():
            print(f"\nNu Html Checker warnings, not failures:\n{summarise(warnings)}")


def summarise(warnings: list[dict]) -> str:
    """One line per distinct warning, with its count and first place.

    Expected among them: the checker reads the pages as file: URLs, whose origin
    never matches the Content-Security-Policy's 'self', so it reports every
    stylesheet, script and image as blocked; and it counts Material's JSON
    settings block (<script type="application/json">, never executed) as an
    inline script. The browser tests check the policy on pages served over HTTP.
    """
    first: dict[str, dict] = {}
    counts: Counter[str] = Counter()
    for m in warnings:
        key = re.sub(r"“[^”]*”", "“…”", m["message"])
        counts[key] += 1
        first.setdefault(key, m)
    return "\n".join(f"  {n} × {key} (first: {first[key].get('url', '').rsplit('/latest/', 1)[-1]}:"
                     f"{first[key].get('lastLine', '?')})" for key, n in counts.most_common())


def test_the_same_run_reports_the_errors_of_a_broken_page(checked):
    errors = [m["message"] for m in checked["control"] if is_error(m)]
    assert any("Duplicate ID" in e for e in errors), errors
    assert any("alt" in e for e in errors), errors
