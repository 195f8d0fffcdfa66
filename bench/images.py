"""CPU cost of each kind of chart image, per image, for the charts of a built docs/ folder.

    .venv/bin/python bench/images.py [DOCS] [--runs N]

Draws every chart spec (`*.vl.json`) under DOCS (default: docs/, so run `make
build` first) in this process, one kind of image after another, N times, and
prints the median CPU milliseconds per image with the range. The renderer is
started before timing, so its set-up cost is not counted. CPU time (user +
system of this process, vl-convert's threads included) is what to compare on
a shared machine; wall time swings with the load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from trademirror import charts  # noqa: E402


def per_image(draw, items: list) -> float:
    started = time.process_time()
    for item in items:
        draw(item)
    return (time.process_time() - started) / len(items) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="?", type=Path, default=ROOT / "docs")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    specs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.docs.rglob("*.vl.json"))]
    if not specs:
        sys.exit(f"bench/images.py: no chart specs under {args.docs}; run `make build` first")
    charts.render_png(specs[0])  # start the renderer before timing
    svgs = [charts.render_svg(spec) for spec in specs]
    kinds = {
        "SVG download (render_svg)": lambda: per_image(charts.render_svg, specs),
        "page + phone SVGs, each (render_page_svg)": lambda: per_image(
            lambda s: (charts.render_page_svg(s), charts.render_page_svg(s, charts.PHONE_WIDTH)), specs) / 2,
        "PNG through a second Vega layout (render_png)": lambda: per_image(charts.render_png, specs),
        "PNG rasterised from the SVG (svg_png)": lambda: per_image(charts.svg_png, svgs),
        "social card (render_card)": lambda: per_image(charts.render_card, specs),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.runs):  # kinds alternate within each run, so a change of load touches them alike
        for kind, measure in kinds.items():
            times[kind].append(measure())
    print(f"{len(specs)} charts, {args.runs} runs; CPU ms per image, median (min–max)")
    for kind, values in times.items():
        print(f"  {kind:45s} {statistics.median(values):6.1f} ({min(values):.1f}–{max(values):.1f})")


if __name__ == "__main__":
    main()
