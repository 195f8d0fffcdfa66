"""Command line: parse arguments, run a stage, turn failures into one line and an exit code.

A user's mistake (bad data, a wrong path) is printed as a message, never as a
traceback; the exit code says whether anything failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_charts.py", description=__doc__)
    parser.add_argument("--package", type=Path, help="path to a datapackage.json (default: the one in datapackages/)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("build", help="validate, then write pages and charts into docs/ (the default)")
    v = sub.add_parser("validate", help="check the data package; exit 1 on errors")
    v.add_argument("--json", type=Path, help="also write the machine-readable report here")
    v.add_argument("--limit", type=int, default=200, help="at most this many lines per group (default 200)")
    args = parser.parse_args(argv)
    try:
        descriptor = args.package or Paths().default_package()
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "validate":
        return _validate(descriptor, args.json, args.limit)
    if args.command in (None, "build"):
        return _build(descriptor)
    parser.error(f"unknown command {args.command}")
    return 2


def _build(descriptor: Path) -> int:
    from .build import BuildError, build

    try:
        summary = build(descriptor, Paths())
    except BuildError as exc:
        if exc.report is not None:
            print(exc.report.format())
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Built {summary.pages} pages and {summary.charts} charts; {summary.findings} finding(s)"
          f" reported; {summary.seconds:.1f} s")
    return 0


def _validate(descriptor: Path, json_path: Path | None, limit: int) -> int:
    from .validate import validate

    started = time.perf_counter()
    report, _ = validate(descriptor)
    print(f"Validating {descriptor}")
    print(report.format(limit=limit))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.to_json(), encoding="utf-8")
    print(f"({time.perf_counter() - started:.1f} s)")
    return report.exit_code
