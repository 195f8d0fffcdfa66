"""Benchmark the build: cold, warm and one-figure rebuilds, validation at scale, and what a reader downloads.

    .venv/bin/python bench/run.py                 # everything; prints the table, writes bench/results.json
    .venv/bin/python bench/run.py --quick         # 2 runs, small sizes: checks the script, not the machine

Every timed step is a separate process, exactly as a user runs it:
`build_charts.py --root DIR --package P build` (validate, charts, pages) and
then `mkdocs build` in DIR. Each figure is the median of --runs runs, with the
minimum and maximum. The sites are built in a temporary folder; the checkout's
docs/ and site/ are never touched. Results go to a JSON file as well, so a
later run can be compared with this one.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path, PurePosixPath

import synth

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import REAL_PACKAGE, copy_site_skeleton  # noqa: E402  (the tests' own site skeleton)

PYTHON = sys.executable
BIN = Path(PYTHON).parent
# PYTHONPATH: MkDocs' hooks import trademirror too, and must import this checkout's (the venv's editable
# install may point at another one, e.g. when benchmarking an exported commit).
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)}
VERSIONS = ("mkdocs", "mkdocs-material", "altair", "vl-convert-python", "pandas", "frictionless", "jinja2")


# --- running and timing ---------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    cpu: float  # user + system seconds of the process and its workers: less sensitive than wall time to a busy machine
    peak_mb: float
    output: str
    returncode: int


def run(args: list[str], cwd: Path, timeout: float = 1800) -> Timed:
    """Run a command; its wall time and its own peak memory (from wait4, so only this process tree's top)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT, text=True)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    return Timed(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text, proc.returncode)


def must(timed: Timed, what: str) -> Timed:
    if timed.returncode != 0:
        sys.exit(f"bench: {what} failed (exit {timed.returncode}):\n{timed.output[-3000:]}")
    return timed


@dataclass
class Series:
    """Repeated measurements of one thing, in seconds."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    def summary(self) -> dict:
        v = self.values
        return {"median": statistics.median(v), "min": min(v), "max": max(v), "runs": len(v), "values": v} if v \
            else {"median": None, "min": None, "max": None, "runs": 0, "values": []}


# --- one site -------------------------------------------------------------------


@dataclass
class Site:
    """A project folder (site skeleton + one package) that can be built and timed."""

    name: str
    template: Path  # pristine copy: skeleton and package, nothing generated
    descriptor_rel: str
    edit_id: str
    partners: int

    def fresh(self, where: Path) -> Path:
        if where.exists():
            shutil.rmtree(where)
        shutil.copytree(self.template, where, symlinks=True)
        return where

    def build(self, project: Path) -> Timed:
        return must(run([PYTHON, str(ROOT / "build_charts.py"), "--root", str(project), "--package",
                         str(project / self.descriptor_rel), "build"], project), f"{self.name}: build_charts build")

    def mkdocs(self, project: Path) -> Timed:
        return must(run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(project / "site")], project),
                    f"{self.name}: mkdocs build")


def prepare_goods(work: Path, years: str, runs: int, log) -> tuple[Site, dict]:
    """The real package plus declarations by HS chapter imported through the import itself (bench/goods.py),
    timed; then its validation, timed. Returns the site to bench as the others and the import's figures."""
    template = copy_site_skeleton(work / "template-real-goods")
    shutil.copytree(REAL_PACKAGE, template / "datapackages" / REAL_PACKAGE.name)
    rel = f"datapackages/{REAL_PACKAGE.name}/datapackage.json"
    imported = must(run([PYTHON, str(ROOT / "bench" / "goods.py"), str(template / rel), "--years", years], ROOT),
                    "bench/goods.py (the HS-chapter import)")
    goods = template / "datapackages" / REAL_PACKAGE.name / "data" / "goods.csv"
    with goods.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    log(f"  HS-chapter import: {rows:,} rows, {goods.stat().st_size / 2**20:.1f} MB, {imported.seconds:.1f} s"
        f" (CPU {imported.cpu:.1f} s, peak {imported.peak_mb:.0f} MB)")
    times, cpu, peaks = Series(), Series(), []
    for i in range(runs):
        t = must(run([PYTHON, str(ROOT / "build_charts.py"), "--package", str(template / rel), "validate"], ROOT),
                 "validate (HS-chapter package)")
        times.add(t.seconds)
        cpu.add(t.cpu)
        peaks.append(t.peak_mb)
        log(f"  validate HS-chapter package {i + 1}/{runs}: {t.seconds:.1f} s, CPU {t.cpu:.1f} s, peak"
            f" {t.peak_mb:.0f} MB")
    figures = {"years": years, "rows": rows, "bytes": goods.stat().st_size,
               "import": {"seconds": imported.seconds, "cpu": imported.cpu, "peak_mb": imported.peak_mb},
               "validate": {**times.summary(), "cpu": cpu.summary(), "peak_mb": max(peaks)}}
    site = Site("real-goods", template, rel, edit_figure(template / rel), partner_count(template / rel))
    return site, figures


def prepare_sites(work: Path, sizes: list[int], real: bool) -> list[Site]:
    sites = []
    if real:
        template = copy_site_skeleton(work / "template-real")
        shutil.copytree(REAL_PACKAGE, template / "datapackages" / REAL_PACKAGE.name)
        rel = f"datapackages/{REAL_PACKAGE.name}/datapackage.json"
        sites.append(Site("real", template, rel, edit_figure(template / rel), partner_count(template / rel)))
    for n in sizes:
        template = copy_site_skeleton(work / f"template-{n}")
        made = synth.generate(template / "datapackages" / "synthetic", n)
        sites.append(Site(f"synthetic-{n}", template, "datapackages/synthetic/datapackage.json", made.edit_id, n))
    return sites


def _rows(descriptor: Path, resource: str) -> list[dict]:
    with (descriptor.parent / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def edit_figure(descriptor: Path) -> str:
    """The figure to change: the focus reporter's last full-year exports to a country (any package)."""
    focus = json.loads(descriptor.read_text(encoding="utf-8")).get("trademirror", {}).get("focus_reporter")
    kinds = {r["code"]: r["kind"] for r in _rows(descriptor, "countries")}
    rows = [r for r in _rows(descriptor, "figures") if r["reporter"] == focus and kinds.get(r["partner"]) == "country"
            and r["flow"] == "exports" and r["period_end"][5:] == "12-31"]
    return rows[-1]["id"]


def partner_count(descriptor: Path) -> int:
    focus = json.loads(descriptor.read_text(encoding="utf-8")).get("trademirror", {}).get("focus_reporter")
    kinds = {r["code"]: r["kind"] for r in _rows(descriptor, "countries")}
    figures = _rows(descriptor, "figures")
    involved = {r["partner"] for r in figures if r["reporter"] == focus} | \
               {r["reporter"] for r in figures if r["partner"] == focus}
    return sum(1 for c in involved if kinds.get(c) == "country" and c != focus)


def set_value(descriptor: Path, figure_id: str, value: str) -> None:
    path = descriptor.parent / "data" / "figures.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["id"] == figure_id:
            row["value"] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def original_value(descriptor: Path, figure_id: str) -> float:
    return float(next(r["value"] for r in _rows(descriptor, "figures") if r["id"] == figure_id))


WRITTEN = re.compile(r"(\d+) written, (\d+) unchanged")


KINDS = ("build", "mkdocs", "total", "cpu", "build_cpu", "mkdocs_cpu")


def record(series: dict[str, Series], b: Timed, m: Timed) -> None:
    series["build"].add(b.seconds)
    series["mkdocs"].add(m.seconds)
    series["total"].add(b.seconds + m.seconds)
    series["cpu"].add(b.cpu + m.cpu)
    series["build_cpu"].add(b.cpu)
    series["mkdocs_cpu"].add(m.cpu)


def bench_site(site: Site, work: Path, runs: int, log) -> dict:
    cold = {k: Series() for k in KINDS}
    project = work / f"project-{site.name}"
    for i in range(runs):
        site.fresh(project)
        b, m = site.build(project), site.mkdocs(project)
        record(cold, b, m)
        log(f"  {site.name} cold {i + 1}/{runs}: {b.seconds:.1f} s + mkdocs {m.seconds:.1f} s"
            f" (CPU {b.cpu:.1f} + {m.cpu:.1f} s)")
    outputs = _count_outputs(project)
    warm = {k: Series() for k in KINDS}
    written_warm = []
    for i in range(runs):
        b, m = site.build(project), site.mkdocs(project)
        record(warm, b, m)
        written_warm.append(_written(b.output))
        log(f"  {site.name} warm {i + 1}/{runs}: {b.seconds:.1f} s + mkdocs {m.seconds:.1f} s"
            f" (CPU {b.cpu:.1f} + {m.cpu:.1f} s)")
    plain, plain_cpu = Series(), Series()
    for i in range(runs):
        m = site.mkdocs(project)
        plain.add(m.seconds)
        plain_cpu.add(m.cpu)
        log(f"  {site.name} plain mkdocs {i + 1}/{runs}: {m.seconds:.1f} s")
    edit = {k: Series() for k in KINDS}
    written_edit = []
    descriptor = project / site.descriptor_rel
    base = original_value(descriptor, site.edit_id)
    for i in range(runs):
        set_value(descriptor, site.edit_id, f"{base + i + 1:g}")  # a different value each run: always a change
        b, m = site.build(project), site.mkdocs(project)
        record(edit, b, m)
        written_edit.append(_written(b.output))
        log(f"  {site.name} one-figure edit {i + 1}/{runs}: {b.seconds:.1f} s + mkdocs {m.seconds:.1f} s"
            f" (CPU {b.cpu:.1f} + {m.cpu:.1f} s),"
            f" {written_edit[-1]} files written")
    result = {
        "partners": site.partners, "pages": outputs["pages"], "charts": outputs["charts"],
        "figures": len(_rows(descriptor, "figures")), "edit_figure": site.edit_id,
        "cold": {k: s.summary() for k, s in cold.items()},
        "warm": {k: s.summary() for k, s in warm.items()}, "warm_files_written": written_warm,
        "edit": {k: s.summary() for k, s in edit.items()}, "edit_files_written": written_edit,
        "plain_mkdocs": plain.summary(), "plain_mkdocs_cpu": plain_cpu.summary(),
        "size": site_size(project / "site"),
    }
    result["warm_ratio"] = result["warm"]["total"]["median"] / result["plain_mkdocs"]["median"]
    result["warm_ratio_cpu"] = result["warm"]["cpu"]["median"] / result["plain_mkdocs_cpu"]["median"]
    result["cold_cpu_per_country"] = result["cold"]["cpu"]["median"] / max(1, site.partners)
    result["cold_per_country"] = result["cold"]["total"]["median"] / max(1, site.partners)
    shutil.rmtree(project)
    return result


def _written(output: str) -> int | None:
    match = WRITTEN.search(output)
    return int(match.group(1)) if match else None


def _count_outputs(project: Path) -> dict:
    docs = project / "docs"
    return {"pages": len(list((project / "site").rglob("*.html"))),
            "charts": len(list((docs / "assets" / "charts").rglob("*.vl.json")))}


# --- sizes ----------------------------------------------------------------------


class Loads(HTMLParser):
    """What a browser fetches for a page: scripts, stylesheets, images, and the chart specs charts.js fetches."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("rel") in ("stylesheet", "icon", "shortcut icon") and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.urls.append(a["src"])
        if a.get("data-spec"):
            self.urls.append(a["data-spec"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def site_size(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    pages = sorted((site / "countries").glob("*.html"))
    per_page = [page_transfer(site, p) for p in pages]
    per_page.sort(key=lambda r: r["page_gzip"])
    median = per_page[len(per_page) // 2] if per_page else None
    return {"total_bytes": total, "files": len(files), "country_page_median": median,
            "country_page_largest": per_page[-1] if per_page else None}


def page_transfer(site: Path, page: Path) -> dict:
    """Bytes a reader downloads for one page: its own (HTML, chart specs, SVGs) and the shared assets, once."""
    parser = Loads()
    html = page.read_bytes()
    parser.feed(html.decode("utf-8"))
    own_raw, own_gz, shared_raw, shared_gz = len(html), gz(html), 0, 0
    seen = set()
    rel_dir = PurePosixPath(page.relative_to(site).as_posix()).parent
    for url in parser.urls:
        if re.match(r"^([a-z]+:)?//", url) or url.startswith("data:"):
            continue
        path = os.path.normpath(str(rel_dir / url.split("#")[0].split("?")[0]))
        if path in seen or not (site / path).is_file():
            continue
        seen.add(path)
        data = (site / path).read_bytes()
        if path.startswith("assets/charts/"):
            own_raw, own_gz = own_raw + len(data), own_gz + gz(data)
        else:
            shared_raw, shared_gz = shared_raw + len(data), shared_gz + gz(data)
    index = site / "search" / "search_index.json"  # Material's search fetches it once, on the first page
    search = index.read_bytes() if index.is_file() else b""
    return {"page": page.name, "page_bytes": own_raw, "page_gzip": own_gz, "shared_bytes": shared_raw,
            "shared_gzip": shared_gz, "search_index_bytes": len(search), "search_index_gzip": gz(search),
            "files": len(seen) + 1}


# --- validation at scale --------------------------------------------------------


def bench_validate(work: Path, rows: list[int], runs: int, budget: float, log) -> dict:
    out = {}
    for n in rows:
        folder = work / f"validate-{n}"
        made = synth.generate(folder, 0, figures_target=n)
        times, cpu, peaks, codes = Series(), Series(), [], []
        for i in range(runs):
            t = run([PYTHON, str(ROOT / "build_charts.py"), "--package", str(made.descriptor), "validate"], ROOT,
                    timeout=budget * 3)
            times.add(t.seconds)
            cpu.add(t.cpu)
            peaks.append(t.peak_mb)
            codes.append(t.returncode)
            log(f"  validate {n} rows {i + 1}/{runs}: {t.seconds:.1f} s, peak {t.peak_mb:.0f} MB, exit {t.returncode}")
            if t.seconds > budget and i + 1 < runs:
                log(f"  validate {n} rows: {t.seconds:.0f} s is over the {budget:.0f} s budget per run; stopping here")
                break
        last = t.output.strip().splitlines()
        out[str(n)] = {"figures": made.figures, **times.summary(), "cpu": cpu.summary(), "peak_mb": max(peaks),
                       "exit_codes": codes,
                       "summary_line": next((line for line in reversed(last) if "error(s)" in line), last[-1:])}
        shutil.rmtree(folder)
    return out


# --- machine and report ---------------------------------------------------------


def machine() -> dict:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0") if Path("/proc/meminfo").exists() else "0"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    versions = {}
    for name in VERSIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gb": round(int(mem) / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(), "versions": versions,
            "commit": commit.stdout.strip() or os.environ.get("BENCH_COMMIT", ""),  # a git archive has no .git
            "load_average_start": os.getloadavg()}


def fmt_series(s: dict, unit: str = "s") -> str:
    if not s.get("runs"):
        return "–"
    return f"{s['median']:.2f} {unit} ({s['min']:.2f}–{s['max']:.2f}, n={s['runs']})"


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def table(results: dict) -> str:
    lines = ["| site | partners | pages | charts | cold: build + mkdocs | warm, no change | one figure changed"
             " (files written) | plain mkdocs build | warm ÷ plain (wall; CPU) | cold per partner (wall; CPU) |",
             "|---|---:|---:|---:|---|---|---|---|---:|---:|"]
    for name, r in results["sites"].items():
        written = sorted({w for w in r["edit_files_written"] if w is not None})
        lines.append(f"| {name} | {r['partners']} | {r['pages']} | {r['charts']} | {fmt_series(r['cold']['total'])}"
                     f" | {fmt_series(r['warm']['total'])} | {fmt_series(r['edit']['total'])}"
                     f" ({'/'.join(map(str, written))}) | {fmt_series(r['plain_mkdocs'])}"
                     f" | {r['warm_ratio']:.2f}×; {r['warm_ratio_cpu']:.2f}× | {r['cold_per_country']:.2f} s;"
                     f" {r['cold_cpu_per_country']:.2f} s |")
    lines += ["", "| site | build_charts cold | mkdocs cold | build_charts warm | build_charts after edit"
              " | CPU: cold, warm, edit, plain mkdocs |", "|---|---|---|---|---|---|"]
    for name, r in results["sites"].items():
        cpu = ", ".join(f"{x['median']:.1f}" for x in (r["cold"]["cpu"], r["warm"]["cpu"], r["edit"]["cpu"],
                                                         r["plain_mkdocs_cpu"]))
        lines.append(f"| {name} | {fmt_series(r['cold']['build'])} | {fmt_series(r['cold']['mkdocs'])}"
                     f" | {fmt_series(r['warm']['build'])} | {fmt_series(r['edit']['build'])} | {cpu} s |")
    lines += ["", "| site | site total | country page (median): own bytes, gzip | largest country page, gzip"
              " | shared JS/CSS once, gzip | search index, gzip |", "|---|---:|---|---:|---|---|"]
    for name, r in results["sites"].items():
        s, med, big = r["size"], r["size"]["country_page_median"], r["size"]["country_page_largest"]
        if med is None:
            continue
        lines.append(f"| {name} | {s['total_bytes'] / 2**20:,.1f} MB ({s['files']} files) | {kb(med['page_bytes'])},"
                     f" {kb(med['page_gzip'])} | {kb(big['page_gzip'])} | {kb(med['shared_bytes'])},"
                     f" {kb(med['shared_gzip'])} | {kb(med['search_index_bytes'])}, {kb(med['search_index_gzip'])} |")
    if results.get("validate"):
        lines += ["", "| validate | figure rows | wall time | CPU time | peak memory | exit codes |",
                  "|---|---:|---|---|---:|---|"]
        for n, v in results["validate"].items():
            lines.append(f"| `build_charts.py validate` | {int(n):,} | {fmt_series(v)} | {fmt_series(v.get('cpu', {}))}"
                         f" | {v['peak_mb']:,.0f} MB | {' '.join(map(str, v['exit_codes']))} |")
    goods = results.get("goods")
    if goods:
        v = goods["validate"]
        lines += ["", "| HS-chapter package | rows | goods.csv | import (CPU, peak) | validate: wall | CPU | peak |",
                  "|---|---:|---:|---|---|---|---:|",
                  f"| real package + monthly chapters {goods['years']} | {goods['rows']:,}"
                  f" | {goods['bytes'] / 2**20:,.1f} MB | {goods['import']['cpu']:.1f} s,"
                  f" {goods['import']['peak_mb']:,.0f} MB | {fmt_series(v)} | {fmt_series(v['cpu'])}"
                  f" | {v['peak_mb']:,.0f} MB |"]
    ratio = results.get("per_country_ratio")
    if ratio is not None:
        lines += ["", f"Cold-build cost per partner, largest ÷ smallest synthetic site: {ratio:.2f}× wall,"
                  f" {results['per_country_ratio_cpu']:.2f}× CPU"]
    return "\n".join(lines)


def _site(results: dict, name: str) -> dict | None:
    return results.get("sites", {}).get(name)


def _largest(results: dict) -> dict | None:
    synthetic = [r for n, r in results.get("sites", {}).items() if n.startswith("synthetic-")]
    return max(synthetic, key=lambda r: r["partners"]) if synthetic else None


def _cpu(r: dict, step: str, part: str = "cpu") -> float:
    return r[step][part]["median"]


def _million(results: dict) -> dict | None:
    return results.get("validate", {}).get(str(1_000_000)) or results.get("validate", {}).get(1_000_000)


# The targets of the build's redesign (issue "The build core, redesigned"), each as (what, measured, limit, unit):
# CPU seconds throughout, which a busy machine inflates far less than wall time.
TARGETS = [
    ("one figure changed, largest site: build_charts build CPU",
     lambda R: (_cpu(r, "edit", "build_cpu") if (r := _largest(R)) and "build_cpu" in r["edit"] else None), 10, "s"),
    ("one figure changed, largest site: build + mkdocs CPU ÷ plain mkdocs CPU",
     lambda R: (_cpu(r, "edit") / r["plain_mkdocs_cpu"]["median"] if (r := _largest(R)) else None), 1.3, "×"),
    ("cold build + mkdocs, largest site: CPU per partner",
     lambda R: (r["cold_cpu_per_country"] if (r := _largest(R)) else None), 1.5, "s"),
    ("cold build + mkdocs, real site: CPU ÷ plain mkdocs CPU",
     lambda R: (_cpu(r, "cold") / r["plain_mkdocs_cpu"]["median"] if (r := _site(R, "real")) else None), 8, "×"),
    ("warm, no change, every site: build + mkdocs CPU ÷ plain mkdocs CPU (the worst)",
     lambda R: max((r["warm_ratio_cpu"] for r in R.get("sites", {}).values()), default=None), 1.1, "×"),
    ("validate 1M rows: CPU", lambda R: (v["cpu"]["median"] if (v := _million(R)) and v.get("cpu") else None), 5, "s"),
    ("validate 1M rows: peak memory", lambda R: (v["peak_mb"] if (v := _million(R)) else None), 1000, "MB"),
    ("HS-chapter package: validate CPU",
     lambda R: (g["validate"]["cpu"]["median"] if (g := R.get("goods")) else None), 5, "s"),
    ("HS-chapter package: validate peak memory",
     lambda R: (g["validate"]["peak_mb"] if (g := R.get("goods")) else None), 1000, "MB"),
]


def targets(results: dict) -> str:
    """Each target of the redesign with the figure measured and whether it is met (or not measured here)."""
    lines = ["| target | measured | limit | |", "|---|---:|---:|---|"]
    for what, measure, limit, unit in TARGETS:
        value = measure(results)
        verdict = "not measured" if value is None else ("met" if value <= limit else "NOT MET")
        shown = "–" if value is None else f"{value:,.2f} {unit}"
        lines.append(f"| {what} | {shown} | {limit:,} {unit} | {verdict} |")
    return "\n".join(lines)


def save(path: Path, results: dict, merge: bool) -> dict:
    """Write the results (with --merge, over the earlier file's results for what this run did not redo)."""
    merged = dict(results)
    if merge and path.exists():
        earlier = json.loads(path.read_text(encoding="utf-8"))
        if earlier.get("machine", {}).get("date") != results["machine"]["date"]:
            earlier["earlier_runs"] = earlier.get("earlier_runs", []) + [earlier["machine"]]
        merged["sites"] = {**earlier.get("sites", {}), **results["sites"]}
        merged["validate"] = {**earlier.get("validate", {}), **results.get("validate", {})}
        if "goods" not in results and "goods" in earlier:
            merged["goods"] = earlier["goods"]
        merged["earlier_runs"] = earlier.get("earlier_runs", [])
    synthetic = sorted((r for n, r in merged["sites"].items() if n.startswith("synthetic-")),
                       key=lambda r: r["partners"])
    if len(synthetic) >= 2:  # per-partner cost of the largest synthetic site over the smallest
        merged["per_country_ratio"] = synthetic[-1]["cold_per_country"] / synthetic[0]["cold_per_country"]
        merged["per_country_ratio_cpu"] = synthetic[-1]["cold_cpu_per_country"] / synthetic[0]["cold_cpu_per_country"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    return merged


def heading(results: dict) -> str:
    m = results["machine"]
    return (f"Trade Mirror benchmark, {m['date']}, {m['usable_cores']} cores, {m['ram_gb']} GB, Python {m['python']},"
            f" load average {m['load_average_start'][0]:.1f} → {m.get('load_average_end', ['?'])[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    # The 200-partner site is one run of each step: it is what shows the scaling, and what takes the time.
    parser.add_argument("--runs-for", nargs="*", default=["synthetic-20=1", "synthetic-200=1", "real-goods=1"],
                        metavar="SITE=N",
                        help="fewer or more runs for one site (default: synthetic-20=1 synthetic-200=1 real-goods=1)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 200], help="synthetic partner counts")
    parser.add_argument("--validate-rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--validate-budget", type=float, default=60,
                        help="seconds: a validation run slower than this is not repeated (default 60)")
    parser.add_argument("--no-real", action="store_true", help="skip the real package")
    parser.add_argument("--goods-years", default="2019-2024", metavar="FIRST-LAST",
                        help="years of monthly HS-chapter declarations imported into the real package (default"
                             " 2019-2024: 207,360 rows); 'none' to skip")
    parser.add_argument("--quick", action="store_true", help="2 runs, 20 partners, 10k rows: a smoke test")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json", help="where to write results")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed afterwards)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the results already in the JSON file for what this run does not redo")
    parser.add_argument("--table", type=Path, metavar="JSON", help="only print the table of an earlier results file")
    args = parser.parse_args()
    if args.table:
        results = json.loads(args.table.read_text(encoding="utf-8"))
        print(heading(results))
        print(table(results))
        print("\n" + targets(results))
        return
    if args.quick:
        args.runs, args.sizes, args.validate_rows, args.goods_years = 2, [20], [10_000], "2024"
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    work = args.work or Path(tempfile.mkdtemp(prefix="trademirror-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "runs": args.runs, "sites": {}}
    try:
        sites = prepare_sites(work, args.sizes, not args.no_real)
        if args.goods_years != "none":
            log(f"HS-chapter package: the real package plus monthly chapters of {args.goods_years}")
            site, results["goods"] = prepare_goods(work, args.goods_years, args.runs, log)
            sites.append(site)
        for site in sites:
            runs = dict(item.split("=") for item in args.runs_for).get(site.name, args.runs)
            log(f"{site.name}: {site.partners} partner countries, {runs} runs")
            results["sites"][site.name] = bench_site(site, work, int(runs), log)
            save(args.json, results, args.merge)  # after each site, so an interrupted run keeps what it measured
        results["validate"] = bench_validate(work, args.validate_rows, args.runs, args.validate_budget, log)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_average_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    results = save(args.json, results, args.merge)
    print(heading(results))
    print(table(results))
    print("\n" + targets(results))
    print(f"\nResults written to {args.json} ({results['seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
