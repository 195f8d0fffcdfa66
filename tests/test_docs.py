"""The README's commands exist and work, so the docs cannot go stale."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

from .conftest import ROOT, PackageCopy

README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_gives_exactly_two_setup_commands_and_the_makefile_has_them():
    first_block = re.search(r"## Two commands.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make serve", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_ci_runs_the_readmes_test_command_and_nothing_else():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert commands[-1] == "make test"
    assert not any("pytest" in c or "build_charts" in c for c in commands)


def test_every_validate_command_in_the_readme_runs(tmp_path):
    for line in shell_lines():
        if "build_charts.py validate" not in line:
            continue
        args = shlex.split(line)[2:]
        args = [str(tmp_path / a) if a.endswith(".json") else a for a in args]
        result = subprocess.run([sys.executable, "build_charts.py", *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, (line, result.stdout, result.stderr)
        assert "0 error(s)" in result.stdout
        if "--json" in args:
            report = json.loads((tmp_path / "report.json").read_text())
            assert report["valid"] is True and report["findings"]


def test_the_stock_frictionless_command_in_the_readme_runs():
    line = re.search(r"`(frictionless validate [^`]+)`", README).group(1)
    result = subprocess.run([sys.executable, "-m", *shlex.split(line)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_error_example_in_the_readme_is_what_the_tool_prints(tmp_path):
    example = re.search(r"^  (data/figures\.csv:\d+: value: '-48700' is negative.*)$", README, re.M).group(1)
    shutil.copytree(ROOT / "datapackages" / "china-central-asia-trade", tmp_path / "pkg")
    copy = PackageCopy(tmp_path / "pkg")
    line = copy.set("figures", "chn-kaz-turnover-2025", value="-48700")
    result = subprocess.run([sys.executable, "build_charts.py", "--package", str(copy.descriptor), "validate"],
                            cwd=ROOT, capture_output=True, text=True)
    assert example.startswith(f"data/figures.csv:{line}:") and example in result.stdout
