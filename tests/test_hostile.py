"""Hostile data packages, as a pull request from a stranger could send them, through the real commands.

Each package tries to make the build read a file outside its folder, to bloat
the site or to crash the build. Each is refused with a line of its own and
exit code 1, never a traceback, by `build_charts.py validate` and by
`build_charts.py build --site` (which must leave the last good site as it
was). A sentinel file sits just outside the package folder: its unique content
must appear in no output, report or built file, and a named pipe stands in for
a file that must not even be opened (opening it would hang the command).
"""

from __future__ import annotations

import csv
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import yaml

from trademirror import numeric, package, resources, settings
from trademirror.validate import validate

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, copy_site_skeleton

TOKEN = f"SENTINEL-{uuid.uuid4().hex}"
RESOURCES = len(json.loads((REAL_PACKAGE / "datapackage.json").read_text(encoding="utf-8"))["resources"])
TEN_MB = 10 * 1024 * 1024


def line_of(resource: str, row_id: str) -> int:
    """The line of a row of the real package, by its id (the header is line 1)."""
    with (REAL_PACKAGE / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as fh:
        return next(i for i, row in enumerate(csv.DictReader(fh), start=2) if row["id"] == row_id)


ROW = "chn-tjk-exports-2025"  # the figure the issue was tried on
LINE = line_of("figures", ROW)


class Hostile:
    """A copy of the real package to break, and a folder beside it with the sentinel and a named pipe."""

    def __init__(self, tmp: Path):
        import shutil

        self.copy = PackageCopy(tmp / "pkg")
        shutil.copytree(REAL_PACKAGE, self.copy.root)
        self.outside = tmp / "outside"
        self.outside.mkdir()
        self.sentinel = self.outside / "secret.csv"
        self.sentinel.write_text(f"{TOKEN}\n{TOKEN},{TOKEN}\n", encoding="utf-8")
        self.pipe = self.outside / "pipe.csv"
        os.mkfifo(self.pipe)

    def meta(self, change) -> None:
        meta = json.loads(self.copy.descriptor.read_text(encoding="utf-8"))
        change(meta)
        self.copy.descriptor.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")

    def path(self, resource: str, value: str) -> None:
        def change(meta):
            next(r for r in meta["resources"] if r["name"] == resource)["path"] = value
        self.meta(change)

    def link(self, rel: str, target: Path) -> None:
        where = self.copy.root / rel
        if where.is_dir():
            import shutil

            shutil.rmtree(where)
        else:
            where.unlink()
        where.symlink_to(target)

    def cell(self, **changes: str) -> None:
        self.copy.set("figures", ROW, **changes)

    def relative(self, target: Path) -> str:
        return os.path.relpath(target, self.copy.root)


def _too_many(meta: dict) -> None:
    meta["resources"] = [dict(r, name=f"{r['name']}{i}") for i in range(6) for r in meta["resources"]]


def _big_descriptor(h: Hostile) -> None:
    text = h.copy.descriptor.read_text(encoding="utf-8")
    h.copy.descriptor.write_text(text + " " * (settings.MAX_DESCRIPTOR_BYTES + 1 - len(text.encode())),
                                 encoding="utf-8")


def _descriptor_link(h: Hostile) -> None:
    outside = h.outside / "datapackage.json"
    outside.write_bytes(h.copy.descriptor.read_bytes())
    h.copy.descriptor.unlink()
    h.copy.descriptor.symlink_to(outside)


PATH = "datapackage.json: resources: sources: path: "
# case: (how to break the package, the start of its one error line, how many such lines)
CASES = {
    "parent-directory path": (lambda h: h.path("sources", h.relative(h.sentinel)),
                              f"{PATH}'../outside/secret.csv' goes up a folder with '..'", 1),
    "parent-directory path that starts inside": (lambda h: h.path("sources", "data/../../outside/secret.csv"),
                                                 f"{PATH}'data/../../outside/secret.csv' goes up a folder", 1),
    "absolute path": (lambda h: h.path("sources", str(h.sentinel)), f"{PATH}'/", 1),
    "symbolic link out of the folder": (lambda h: h.link("data/sources.csv", h.sentinel),
                                        f"{PATH}'data/sources.csv' leads out of the package folder through a"
                                        " symbolic link", 1),
    "symbolic link to a pipe out of the folder": (lambda h: h.link("data/sources.csv", h.pipe),
                                                  f"{PATH}'data/sources.csv' leads out of the package folder", 1),
    "data folder linked out of the package": (lambda h: h.link("data", h.outside),
                                              "datapackage.json: resources: figures: path: 'data/figures.csv' leads"
                                              " out of the package folder", RESOURCES),
    "URL": (lambda h: h.path("sources", "https://example.org/sources.csv"),
            f"{PATH}'https://example.org/sources.csv' is a URL: remote resources are off"
            " (settings.REMOTE_RESOURCES)", 1),
    "file URL": (lambda h: h.path("sources", f"file://{h.sentinel}"),
                 f"{PATH}'file://", 1),
    "custom profile fetched from elsewhere": (lambda h: h.meta(lambda m: m.update(profile="https://example.org/p.json")),
                                              "datapackage.json: profile: 'https://example.org/p.json' is not a"
                                              " standard profile", 1),
    "dialect in a file outside": (lambda h: h.meta(lambda m: m["resources"][0].update(dialect=h.relative(h.sentinel))),
                                  "datapackage.json: resources: figures: dialect: '../outside/secret.csv' points at"
                                  " another document", 1),
    "too many resources": (lambda h: h.meta(_too_many),
                           f"datapackage.json: resources: lists {6 * RESOURCES} resources, more than the"
                           f" {settings.MAX_RESOURCES} allowed (settings.MAX_RESOURCES)", 1),
    "datapackage.json is a symbolic link": (_descriptor_link, "datapackage.json: is a symbolic link", 1),
    "oversized datapackage.json": (_big_descriptor,
                                   f"datapackage.json: is {settings.MAX_DESCRIPTOR_BYTES + 1:,} bytes, more than the"
                                   f" {settings.MAX_DESCRIPTOR_BYTES:,} allowed (settings.MAX_DESCRIPTOR_BYTES)", 1),
    "oversized file": (lambda h: os.truncate(h.copy.path("figures"), settings.MAX_FILE_BYTES + 1),
                       f"data/figures.csv: is {settings.MAX_FILE_BYTES + 1:,} bytes, more than the"
                       f" {settings.MAX_FILE_BYTES:,} allowed (settings.MAX_FILE_BYTES)", 1),
    "oversized cell": (lambda h: h.cell(note="n" * 5000),
                       f"data/figures.csv:{LINE}: note: is 5,000 characters long, more than the 1,000 allowed", 1),
    "a line of 10 MB": (lambda h: h.cell(note="n" * TEN_MB),
                        f"data/figures.csv:{LINE}: line is 10,485,", 1),
    "Infinity": (lambda h: h.cell(value="Infinity"),
                 f"data/figures.csv:{LINE}: value: 'Infinity' is not a finite number", 1),
    "NaN": (lambda h: h.cell(value="NaN"), f"data/figures.csv:{LINE}: value: 'NaN' is not a finite"
            " number", 1),
    "1_000": (lambda h: h.cell(value="1_000"),
              f"data/figures.csv:{LINE}: value: '1_000' has a thousands separator", 1),
    "Unicode digits": (lambda h: h.cell(value="١٢"),
                       f"data/figures.csv:{LINE}: value: '١٢' has digits other than 0-9 — write it with the"
                       " digits 0-9: 12", 1),
}


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def _error_lines(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.startswith("  ")]


def test_every_hostile_package_has_a_message_of_its_own():
    starts = [expected for _, expected, _ in CASES.values()]
    assert len(set(starts)) == len(starts)


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_refuses_a_hostile_package_with_one_line_and_reads_nothing_outside(tmp_path: Path, case: str):
    breaker, expected, count = CASES[case]
    hostile = Hostile(tmp_path)
    breaker(hostile)
    report = tmp_path / "report.json"
    result = _run("--package", str(hostile.copy.descriptor), "validate", "--json", str(report))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 1, output[-3000:]
    lines = _error_lines(result.stdout)
    assert len(lines) == count, output[-3000:]  # one line per fault, not a cascade
    assert lines[0].startswith(expected), lines[0][:500]
    assert " — " in lines[0] and len(lines[0]) < 1000  # says what to do, and quotes no flood
    assert TOKEN not in output + report.read_text(encoding="utf-8")


# Three hostile packages, each with several faults the build meets at the same stage: the paths
# (nothing is opened), the files' sizes (nothing is parsed) and the cells (the schema and the numbers).
BUILD_GROUPS = {
    "paths": ["parent-directory path", "absolute path", "symbolic link out of the folder", "URL",
              "custom profile fetched from elsewhere"],
    "sizes": ["oversized file", "a line of 10 MB"],
    "cells": ["oversized cell", "Infinity", "NaN", "1_000", "Unicode digits"],
}
BUILD_TARGETS = {  # where each fault goes when several share one package
    "absolute path": lambda h: h.path("growth", str(h.sentinel)),
    "symbolic link out of the folder": lambda h: h.link("data/indicators.csv", h.sentinel),
    "URL": lambda h: h.path("countries", "https://example.org/countries.csv"),
    "a line of 10 MB": lambda h: h.copy.set("growth", "chn-kaz-turnover-2025-vs-2024", note="n" * TEN_MB),
    "Infinity": lambda h: h.copy.set("figures", "chn-kaz-exports-2025", value="Infinity"),
    "NaN": lambda h: h.copy.set("figures", "chn-kaz-imports-2025", value="NaN"),
    "1_000": lambda h: h.copy.set("figures", "chn-kaz-turnover-2025", value="1_000"),
}
BUILD_EXPECTED = {
    "absolute path": "datapackage.json: resources: growth: path: '/",
    "symbolic link out of the folder": "datapackage.json: resources: indicators: path: 'data/indicators.csv' leads"
                                       " out of the package folder",
    "URL": "datapackage.json: resources: countries: path: 'https://example.org/countries.csv' is a URL",
    "a line of 10 MB": f"data/growth.csv:{line_of('growth', 'chn-kaz-turnover-2025-vs-2024')}: line is 10,485,",
    "Infinity": f"data/figures.csv:{line_of('figures', 'chn-kaz-exports-2025')}: value: 'Infinity' is not a"
                " finite number",
    "NaN": f"data/figures.csv:{line_of('figures', 'chn-kaz-imports-2025')}: value: 'NaN' is not a finite"
           " number",
    "1_000": f"data/figures.csv:{line_of('figures', 'chn-kaz-turnover-2025')}: value: '1_000' has a thousands"
             " separator",
}


@pytest.fixture(scope="module")
def last_good_site(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A project whose docs/ and site/ hold a previous build (stand-ins: only their bytes matter here)."""
    root = copy_site_skeleton(tmp_path_factory.mktemp("project") / "project")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("<p>the last good site</p>\n", encoding="utf-8")
    (root / "nav.yml").write_text("nav: []\n", encoding="utf-8")
    return root, _tree(root)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("group", sorted(BUILD_GROUPS))
def test_build_site_refuses_hostile_packages_and_keeps_the_last_good_site(tmp_path: Path, last_good_site, group):
    root, before = last_good_site
    hostile = Hostile(tmp_path)
    for case in BUILD_GROUPS[group]:
        BUILD_TARGETS.get(case, CASES[case][0])(hostile)
    result = _run("--package", str(hostile.copy.descriptor), "--root", str(root), "build", "--site", cwd=root)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 1, output[-3000:]
    assert "nothing was built" in output
    lines = _error_lines(result.stdout)
    assert len(lines) == len(BUILD_GROUPS[group]), output[-3000:]
    for case in BUILD_GROUPS[group]:
        expected = BUILD_EXPECTED.get(case, CASES[case][1])
        assert any(line.startswith(expected) for line in lines), (case, output[-3000:])
    assert TOKEN not in output
    after = _tree(root)
    assert after == before  # docs/, site/ and nav.yml untouched, no staging left behind
    assert not any(TOKEN.encode() in data for data in after.values())


# --- The pieces, one by one ----------------------------------------------------------

@pytest.mark.parametrize("text, limit, expected", [
    (b"a\nbb\n", 2, None),
    (b"ab\n", 1, (1, 2)),
    (b"a\nbbb", 2, (2, 3)),  # the last line, without a newline
    (b"xxxxx\n", 5, None),  # exactly at the limit
    (b"\n\n\nxxxxxx\nx", 5, (4, 6)),
    (b"x" * 20 + b"\n" + b"y" * 10, 10, (1, 20)),
    (b"", 1, None),
])
def test_the_first_line_over_the_limit_is_named_with_its_length(text: bytes, limit: int, expected):
    problems = resources.line_problems("data/x.csv", text, limit)
    if expected is None:
        assert problems == []
        return
    assert [p.row for p in problems] == [expected[0]]
    assert f"line is {expected[1]:,} bytes long, more than the {limit:,} allowed" in problems[0].message


@pytest.mark.parametrize("cell, code", [
    ("784", None), (" 12 ", None), ("+12.", None), ("1e3", None), ("-0", None), ("n/a", None),  # None: plain, or
    ("Infinity", "not-finite"), ("-inf", "not-finite"), ("NaN", "not-finite"), ("sNaN", "not-finite"),  # the type
    ("1_000", "thousands-separator"), ("1_0", "not-a-number"), ("١٢", "non-ascii-digits"),  # check's to report
    ("１２", "non-ascii-digits"), ("\xa012", "not-a-number"), ("1e500", "out-of-range"),
])
def test_a_number_the_schema_takes_but_the_build_cannot_read_is_refused_by_name(cell: str, code):
    refused = numeric.refusal(cell)
    assert (refused[0] if refused else None) == code
    if code is None and cell != "n/a":
        assert numeric.parse([cell])[0] == float(cell)


@pytest.mark.parametrize("rel, code", [
    ("data/figures.csv", None), ("./data/figures.csv", None), ("data/../data/figures.csv", "path-parent"),
    ("..\\outside.csv", "path-parent"), ("/etc/hostname", "path-absolute"),
    ("\\\\server\\share\\x.csv", "path-absolute"),
    ("C:\\data\\x.csv", "path-absolute"), ("c:x.csv", "path-absolute"), ("https://example.org/x.csv", "path-url"),
    ("ftp://example.org/x.csv", "path-url"), ("file:///etc/hostname", "path-url"), ("", "path-invalid"),
    ("data/\x00.csv", "path-invalid"),
])
def test_each_path_rule(tmp_path: Path, rel: str, code):
    (tmp_path / "data").mkdir()
    problem = resources.path_problem(tmp_path, rel, "figures")
    assert (problem.code if problem else None) == code


def test_remote_resources_are_read_once_within_the_limit_when_an_editor_allows_them(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(REAL_PACKAGE, tmp_path / "pkg")
    served = tmp_path / "served"
    served.mkdir()
    (tmp_path / "pkg" / "data" / "sources.csv").rename(served / "sources.csv")
    monkeypatch.setattr(http.server.SimpleHTTPRequestHandler, "log_message", lambda *a: None)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sources.csv"
        descriptor = tmp_path / "pkg" / "datapackage.json"
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
        next(r for r in meta["resources"] if r["name"] == "sources")["path"] = url
        descriptor.write_text(json.dumps(meta), encoding="utf-8")
        assert package.check_schema(descriptor).problems[0].code == "path-url"  # off by default
        monkeypatch.setattr(settings, "REMOTE_RESOURCES", True)
        report, data = validate(descriptor)
        assert report.errors == [] and data is not None
        assert data.raw[url] == (served / "sources.csv").read_bytes() and len(data.sources) == 5
        monkeypatch.setattr(settings, "MAX_FILE_BYTES", 100)
        problems = package.check_schema(descriptor).problems
        remote = [p for p in problems if p.file == url]
        assert [p.code for p in remote] == ["file-too-big"] and "MAX_FILE_BYTES" in remote[0].message
    finally:
        server.shutdown()


# --- The workflow and the docs ----------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def test_pull_requests_run_with_a_read_only_token_that_is_not_kept_and_no_secrets():
    text = WORKFLOW.read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads the key `on` as true
    triggers = [triggers] if isinstance(triggers, str) else list(triggers)
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    for name, job in flow["jobs"].items():
        steps = yaml.safe_dump(job["steps"])
        pushes = "--push" in steps or "git push" in steps
        checkouts = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout")]
        for step in checkouts:
            assert step.get("with", {}).get("persist-credentials") is pushes, name
        if not pushes:  # the job a pull request runs
            assert job.get("permissions") == {"contents": "read"}, name
            assert "secrets." not in yaml.safe_dump(job), name


@pytest.mark.parametrize("page", ["docs/security.md", "docs/ru/security.md"])
def test_the_security_page_states_the_limits_the_code_applies(page: str):
    text = (ROOT / page).read_text(encoding="utf-8")
    for number in (settings.MAX_FILE_BYTES // 2**20, settings.MAX_LINE_BYTES // 2**10, settings.MAX_RESOURCES):
        assert re.search(rf"\b{number} ", text), number  # 128 MB, 64 kB, 32 tables
    assert "pull_request_target" in text and "datapackages/" in text
