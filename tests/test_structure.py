"""The code stays easy to enter: no module in trademirror/ over 400 lines, no function over 60 (issue 14).

Branching is limited by ruff (C901, max 12, in pyproject.toml); length is limited here, since ruff has no
rule for it. A failure names each module or function over its limit, so the fix starts where it says.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "trademirror"
MODULE_LINES = 400
FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def too_long_modules(paths: list[Path], limit: int = MODULE_LINES) -> list[str]:
    found = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(path.parents[1]).as_posix()}: {lines} lines (at most {limit})")
    return found


def too_long_functions(paths: list[Path], limit: int = FUNCTION_LINES) -> list[str]:
    """Every function and method longer than `limit` lines, its decorators and docstring included."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = node.end_lineno - start + 1
                if lines > limit:
                    found.append(f"{path.relative_to(path.parents[1]).as_posix()}:{node.lineno}: {node.name}()"
                                 f" is {lines} lines (at most {limit})")
    return found


def test_the_package_has_modules_to_measure():
    assert len(modules()) > 20


def test_no_module_in_trademirror_is_over_400_lines():
    assert too_long_modules(modules()) == []


def test_no_function_in_trademirror_is_over_60_lines():
    assert too_long_functions(modules()) == []


@pytest.fixture
def long_module(tmp_path: Path) -> Path:
    body = "def short():\n    return 1\n\n\ndef long():\n" + "    x = 1\n" * 61 + "    return x\n"
    path = tmp_path / "pkg" / "long.py"
    path.parent.mkdir()
    path.write_text(body + "\n" * 400, encoding="utf-8")
    return path


def test_a_module_over_the_limit_is_named_with_its_length(long_module):
    assert too_long_modules([long_module]) == ["pkg/long.py: 467 lines (at most 400)"]


def test_a_function_over_the_limit_is_named_with_its_place_and_length(long_module):
    assert too_long_functions([long_module]) == ["pkg/long.py:5: long() is 63 lines (at most 60)"]
