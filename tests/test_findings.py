"""Each kind of finding is one registry entry (trademirror/checks/kind.py): code, check, details, sentence.

These tests hold the registry to what the checks and the catalogues say: every
finding code a check can emit has an entry whose check is the one that emits
it, every entry has its words in every language, and every kind, emitted on
real and generated data, reads as a sentence in every edition.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date
from pathlib import Path

import pytest

from trademirror import checks, derive, mirror, package
from trademirror.checks import BY_CODE, KINDS, Kind
from trademirror.i18n import LOCALES, Catalogue
from trademirror.views import Views

from .conftest import REAL_DESCRIPTOR, write_package
from .test_locales import messages

CHECKS_DIR = Path(checks.__file__).parent
LOCALE_FILES = sorted(LOCALES.glob("*.yml"))


def missing_words(kind: Kind, catalogue: dict[str, object]) -> list[str]:
    return [key for key in kind.locale_keys if key not in catalogue]


def emitted_codes(tree: ast.AST) -> set[str]:
    """Finding codes written as literals in `_finding("code", …)` or `Problem("finding", "code", …)` calls."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args[:2]]
        if node.func.id == "_finding" and isinstance(args[0], str):
            found.add(args[0])
        elif node.func.id == "Problem" and args[0] == "finding" and isinstance(args[1], str):
            found.add(args[1])
    return found


def test_the_registry_lists_each_kind_once_in_the_order_the_checks_run():
    codes = [k.code for k in KINDS]
    assert len(codes) == len(set(codes)) >= 9
    assert checks.FINDING_CHECKS == tuple(dict.fromkeys(k.check for k in KINDS))


@pytest.mark.parametrize("path", LOCALE_FILES, ids=lambda p: p.stem)
def test_every_finding_kind_has_its_words_in_every_language(path):
    catalogue = messages(path)
    assert {k.code: missing_words(k, catalogue) for k in KINDS} == {k.code: [] for k in KINDS}


def test_a_kind_whose_words_are_missing_is_reported():
    kind = Kind("no-such-kind", KINDS[0].check, KINDS[0].sentence, {}, words=("findings.direction.sideways",))
    assert missing_words(kind, messages(LOCALES / "en.yml")) == [
        "findings.heading.no-such-kind", "findings.sentence.no-such-kind", "findings.direction.sideways"]


def test_every_finding_code_in_the_checks_has_an_entry_naming_the_check_that_emits_it():
    in_source = set()
    for path in sorted(CHECKS_DIR.glob("*.py")):
        in_source |= emitted_codes(ast.parse(path.read_text(encoding="utf-8")))
    assert in_source == set(BY_CODE), "a finding code without a registry entry, or an entry no check emits"
    for kind in KINDS:
        assert kind.code in emitted_codes(ast.parse(inspect.getsource(kind.check))), kind.code


def test_the_code_scan_sees_both_ways_a_finding_is_made():
    source = '_finding("a-kind", data, rows, m, f, {})\nProblem("finding", "b-kind", f)\nProblem("error", "c", f)'
    assert emitted_codes(ast.parse(source)) == {"a-kind", "b-kind"}


# --- Every kind, emitted and read -------------------------------------------------------

SOURCES = [{"id": "src", "publisher": "P", "title": "T", "published": "2025", "primary_source": "A",
            "language": "en"}]
COUNTRIES = [{"code": "AAA", "name": "Reporterland", "kind": "country"},
             {"code": "XGR", "name": "The group", "kind": "group"},
             {"code": "P00", "name": "Partner 0", "kind": "country", "groups": "XGR"},
             {"code": "P01", "name": "Partner 1", "kind": "country", "groups": "XGR"}]


def _fig(fid, reporter, partner, flow, value, year=2024, months=12):
    return {"id": fid, "reporter": reporter, "partner": partner, "flow": flow, "period_start": f"{year}-01-01",
            "period_end": f"{year}-{months:02d}-{30 if months in (6, 9) else 31}", "value": repr(value), "unit": "mn",
            "currency": "USD", "qualifier": "exact", "source_id": "src", "locator": "p1"}


def the_kinds_the_real_package_lacks() -> dict[str, list[dict]]:
    """A group total, a growth rate, a mirror pair and two series that contradict their figures, and a press
    figure that the official database ("db", listed in the settings as one) contradicts."""
    figures = [
        _fig("x0", "AAA", "P00", "exports", 100), _fig("x1", "AAA", "P01", "exports", 200),
        _fig("xg", "AAA", "XGR", "exports", 900),  # the members add up to 300
        _fig("x0-before", "AAA", "P00", "exports", 100, 2023),
        _fig("m1", "P01", "AAA", "imports", 200_000),  # AAA's 200 to P01, typed in thousands by P01
        *(_fig(f"s{i}", "AAA", "P00", "imports", v, 2018 + i) for i, v in enumerate([500, 600, 0.55, 550])),
        _fig("q0", "AAA", "P01", "imports", 520, 2018), _fig("q1", "AAA", "P01", "imports", 0.52, 2019),
        _fig("press", "AAA", "P01", "exports", 300, 2021), dict(_fig("declared", "AAA", "P01", "exports", 420.7, 2021),
                                                                source_id="db"),
    ]
    growth = [{"id": "g", "reporter": "AAA", "partner": "P00", "flow": "exports", "period_start": "2024-01-01",
               "period_end": "2024-12-31", "base_start": "2023-01-01", "base_end": "2023-12-31", "change_pct": "50",
               "qualifier": "exact", "source_id": "src", "locator": "p1"}]
    database = dict(SOURCES[0], id="db", publisher="An official database", title="Declarations")
    return {"figures": figures, "growth": growth, "sources": [*SOURCES, database], "countries": COUNTRIES}


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    generated = write_package(root, the_kinds_the_real_package_lacks(), settings={"focus_reporter": "AAA",
                                                                                 "region": "XGR", "databases": ["db"]})
    out = []
    for descriptor, focus in ((REAL_DESCRIPTOR, "CHN"), (generated, "AAA")):
        data = package.load(descriptor)
        out.append((data, focus, checks.run(data, today=date(2026, 1, 1))))
    return out


def test_every_kind_is_emitted_on_the_test_packages_with_the_details_its_entry_names(packages):
    emitted = [p for _, _, problems in packages for p in problems]
    assert all(p.severity == "finding" for p in emitted)
    assert {p.code for p in emitted} == set(BY_CODE)
    for p in emitted:
        assert set(p.details) <= set(BY_CODE[p.code].details), p.code
    series = [p for p in emitted if p.code == "units-slip-series"]
    assert sorted(len(p.ids) for p in series) == [1, 2]  # both sentences of the kind: one figure, and a pair


@pytest.mark.parametrize("locale", [p.stem for p in LOCALE_FILES])
def test_every_kind_reads_as_a_sentence_in_every_language(packages, locale):
    from trademirror.report import Report

    for data, focus, problems in packages:
        pairs, unmatched = mirror.pair(data.figures, data.countries, focus)
        catalogue = Catalogue(locale)
        views = Views(data, Report(problems), pairs, unmatched, derive.derived_values(data.figures, data.growth),
                      catalogue)
        for p in problems:
            sentence = views.finding_sentence(p)
            assert sentence and sentence != p.message and "{" not in sentence, (p.code, sentence)
        assert catalogue.missing == set()
