"""Incremental builds: a one-figure correction re-draws one country, and parallel drawing changes no byte.

test_build.py checks the real package's pages; here a generated package with
several partners (the benchmark's generator, bench/synth.py) shows that
correcting one partner's figure re-draws only that partner's charts and
rewrites only its page and the pages that list every country, that the result
is the same as a clean build, and that drawing the SVGs in worker processes
gives the same files as drawing them one by one.
"""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trademirror import languages, site
from trademirror.build import build
from trademirror.edition import slugify
from trademirror.paths import Paths
from trademirror.releases import nothing_published

from .conftest import ROOT, copy_site_skeleton

sys.path.insert(0, str(ROOT / "bench"))
synth = importlib.import_module("synth")

PARTNERS = 3
YEARS = range(2022, 2026)  # shorter than the benchmark's series: smaller charts, a quicker test


def quiet(_: str) -> None:
    pass


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def project(root: Path) -> tuple[Paths, Path]:
    copy_site_skeleton(root)
    made = synth.generate(root / "datapackages" / "synthetic", PARTNERS, years=YEARS)
    return Paths(root), made.descriptor


def figures(descriptor: Path) -> list[dict]:
    with (descriptor.parent / "data" / "figures.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def change(descriptor: Path, figure_id: str, value: str) -> None:
    rows = figures(descriptor)
    for row in rows:
        if row["id"] == figure_id:
            row["value"] = value
    with (descriptor.parent / "data" / "figures.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def in_main_edition(paths: Paths, written: list[str]) -> list[str]:
    """Written paths with each language edition's folder taken off: every edition must change alike."""
    folders = [lang.folder for lang in languages.configured(paths.mkdocs_yml) if lang.folder]
    return [next((p.removeprefix(f) for f in folders if p.startswith(f)), p) for p in written]


def slugs(descriptor: Path) -> dict[str, str]:
    """Country code -> the slug of its page."""
    with (descriptor.parent / "data" / "countries.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: slugify(r["name"]) for r in csv.DictReader(fh) if r["kind"] == "country"}


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A built project, then the same project rebuilt after one partner's own figure was corrected."""
    paths, descriptor = project(tmp_path_factory.mktemp("incremental"))
    first = build(descriptor, paths, log=quiet, previous=nothing_published)
    country = synth.code(PARTNERS // 2)
    # A figure the partner itself published: it feeds that country's page and mirror chart, not the region's.
    row = next(r for r in figures(descriptor) if r["reporter"] == country and r["flow"] == "imports"
               and r["period_end"].endswith("-12-31"))
    change(descriptor, row["id"], str(float(row["value"]) * 1.5))
    second = build(descriptor, paths, log=quiet, previous=nothing_published)
    return paths, descriptor, country, first, second


def test_a_one_figure_edit_redraws_only_that_countrys_charts(edited):
    paths, descriptor, country, first, second = edited
    slug = slugs(descriptor)[country]
    drawn = [p for p in in_main_edition(paths, second.written) if p.endswith((".svg", ".png"))]
    assert drawn, "the corrected figure is in a chart, which must be re-drawn"
    assert [p for p in drawn if not p.startswith(f"assets/charts/countries/{slug}/")] == []
    first_drawn = {p for p in in_main_edition(paths, first.written) if p.endswith(".svg")}
    assert len(first_drawn) >= 4 * PARTNERS  # the first build drew every chart of every partner


def test_a_one_figure_edit_rewrites_only_that_country_and_the_pages_listing_all(edited):
    paths, descriptor, country, _, second = edited
    slug = slugs(descriptor)[country]
    written = in_main_edition(paths, second.written)
    pages = sorted({p for p in written if p.endswith(".md")})
    assert f"countries/{slug}.md" in pages
    others = [s for c, s in slugs(descriptor).items() if c != country]
    assert others and not any(s in p for p in written for s in others)
    # The overview's table of every pair and the list of findings may change; no other page may.
    assert set(pages) <= {f"countries/{slug}.md", "index.md", "findings.md"}
    # Everything else written is site-wide (downloads, the validation report, the feed): nothing of a country.
    assert [p for p in written if "countries/" in p and slug not in p] == []


def test_an_incremental_rebuild_equals_a_clean_build_of_the_same_data(edited, tmp_path):
    paths, descriptor, _, _, _ = edited
    clean_paths, clean_descriptor = project(tmp_path / "clean")
    clean_descriptor.parent.joinpath("data", "figures.csv").write_bytes(
        descriptor.parent.joinpath("data", "figures.csv").read_bytes())
    build(clean_descriptor, clean_paths, log=quiet, previous=nothing_published)
    incremental, clean = tree(paths.docs), tree(clean_paths.docs)
    assert incremental.keys() == clean.keys()
    assert [p for p in incremental if incremental[p] != clean[p]] == []


DRAW_BOTH_WAYS = """
import json, sys
from pathlib import Path
from trademirror import charts, drawing, site

specs = [json.loads(p.read_text()) for p in sorted(Path(sys.argv[1]).rglob("*.vl.json"))][:int(sys.argv[2])]
outputs = []
for i, s in enumerate(specs):  # each SVG, and its PNG rasterised from it, as the build draws them
    svg = site.Shared(lambda s=s: charts.render_svg(s).encode())
    outputs.append(site.Output(f"{i}.svg", render=svg, key=str(i)))
    outputs.append(site.Output(f"{i}.png", render=lambda svg=svg: charts.svg_png(svg().decode()), key=f"png {i}"))
parallel = site.render_all(outputs, jobs=2)
drawn_elsewhere = not drawing._runtime_here
one_by_one = site.render_all(outputs, jobs=1)
print(json.dumps({"images": len(specs), "drawn_elsewhere": drawn_elsewhere,
                  "differ": [p for p in parallel if parallel[p] != one_by_one[p]]}))
"""


def test_drawing_in_worker_processes_gives_the_same_files_as_one_by_one(edited):
    """A fresh process draws charts of the site (SVG, and PNG from it) twice: with two workers, then in-process."""
    paths = edited[0]
    result = subprocess.run([sys.executable, "-c", DRAW_BOTH_WAYS, str(paths.docs / "assets" / "charts"),
                             str(site.PARALLEL_MIN)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["images"] == site.PARALLEL_MIN  # just enough images for the workers to be used
    assert report["drawn_elsewhere"], "with two jobs, the images must be drawn by worker processes"
    assert report["differ"] == []


class Drawing:
    """A costly output's renderer that counts how often it is called."""

    def __init__(self, data: bytes):
        self.data, self.calls = data, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.data


@pytest.mark.parametrize("cached, second_key, draws", [
    (True, "chart-a", 1),  # the same input in a fresh folder: taken from the cache, not drawn again
    (True, "chart-b", 2),  # a different input: drawn
    (False, "chart-a", 2),  # without a cache, a fresh folder draws everything
])
def test_the_image_cache_spares_a_fresh_folder_from_drawing_what_it_has_seen(tmp_path, monkeypatch, cached,
                                                                              second_key, draws):
    if cached:
        monkeypatch.setenv(site.CACHE_ENV, str(tmp_path / "cache"))
    else:
        monkeypatch.delenv(site.CACHE_ENV, raising=False)
    draw = Drawing(b"<svg>a</svg>")
    site.write(tmp_path / "one", [site.Output("a.svg", render=draw, key="chart-a")], jobs=1)
    site.write(tmp_path / "two", [site.Output("a.svg", render=draw, key=second_key)], jobs=1)
    assert draw.calls == draws
    assert (tmp_path / "one" / "a.svg").read_bytes() == (tmp_path / "two" / "a.svg").read_bytes() == b"<svg>a</svg>"


def test_a_shared_drawing_is_drawn_once_for_every_output_that_needs_it(tmp_path):
    """The PNG download is rasterised from the SVG download's bytes: one layout per chart, even on threads."""
    draw = Drawing(b"<svg>a</svg>")
    svg = site.Shared(draw)
    outputs = [site.Output(f"{i}.svg", render=svg, key=f"svg {i}") for i in range(site.PARALLEL_MIN)]
    outputs += [site.Output(f"{i}.png", render=lambda: svg() + b"png", key=f"png {i}") for i in range(3)]
    site.write(tmp_path, outputs, jobs=2)
    assert draw.calls == 1
    assert (tmp_path / "0.png").read_bytes() == b"<svg>a</svg>png"
