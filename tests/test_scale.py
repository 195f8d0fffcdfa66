"""A million figures validate with bounded memory, and a flood of errors is capped with true totals.

The timing is printed, not asserted (a shared machine makes timing tests
flaky); `bench/` records it. Peak memory is asserted: it does not depend on
how busy the machine is.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trademirror import package

from .conftest import ROOT
from .scale import write_big_package

MILLION = 1_000_000
PEAK_LIMIT_MB = 1024

# Runs the validator as its only child, then prints that child's peak memory (KiB on Linux).
MEASURE = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(result.stdout)
sys.stderr.write(result.stderr)
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(result.returncode)
"""


def _validate_measured(descriptor: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float, float]:
    command = [sys.executable, "-c", MEASURE, sys.executable, "build_charts.py", "--package", str(descriptor),
               "validate", *extra]
    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    return result, wall, cpu_seconds


def _peak_mb(result: subprocess.CompletedProcess) -> float:
    line = next(line for line in result.stdout.splitlines() if line.startswith("PEAK_KIB"))
    return int(line.split()[1]) / 1024


@pytest.mark.slow
def test_a_million_figures_validate_within_a_gigabyte(tmp_path: Path):
    descriptor = write_big_package(tmp_path / "big", MILLION, contradictions=20)
    result, wall, cpu = _validate_measured(descriptor, "--json", str(tmp_path / "report.json"))
    peak = _peak_mb(result)
    rows = sum(1 for _ in (tmp_path / "big" / "data" / "figures.csv").open("rb")) - 1
    print(f"\nvalidate {rows:,} figure rows: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MB")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert peak < PEAK_LIMIT_MB
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["valid"] and report["errors"] == []
    mismatches = [f for f in report["findings"] if f["code"] == "turnover-mismatch"]
    assert len(mismatches) == 20  # each planted turnover, and nothing else


def test_a_flood_of_errors_is_listed_up_to_the_cap_and_counted_in_full(tmp_path: Path):
    descriptor = write_big_package(tmp_path / "bad", 20_000)
    figures = tmp_path / "bad" / "data" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    bad = [line.replace(",exact,", ",roughly,", 1) for line in lines[1:]]  # every qualifier off the list
    figures.write_text("\n".join([lines[0], *bad]) + "\n", encoding="utf-8")
    result, _, _ = _validate_measured(descriptor, "--json", str(tmp_path / "report.json"), "--limit", "5")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    total = len(bad)
    assert f"Errors ({total:,}: {total:,} not-allowed)" in result.stdout
    assert f"… and {total - 5:,} more errors of this kind (not-allowed)" in result.stdout
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report["errors"]) == package.ERROR_CAP
    assert report["errors_total"] == total
    assert report["errors_not_listed"] == {"not-allowed": total - package.ERROR_CAP}
