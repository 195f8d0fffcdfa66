"""`build_charts.py import comtrade` against UN Comtrade's documented response format, with no network.

The official client runs as it would against the service; its requests go to a
local server (tests/comtrade_server.py) that answers with the fixtures in
tests/fixtures/comtrade/ — synthetic values, each file says so.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trademirror import changelog, cli, comtrade, importer
from trademirror.validate import validate

from . import comtrade_server as server
from .comtrade_server import AVAILABILITY, DATA, KEYED_AVAILABILITY, PREVIEW, Reply, Script, Server
from .conftest import REAL_PACKAGE

DECEMBER_2026 = "1796083200"  # SOURCE_DATE_EPOCH: 2026-12-01, the retrieval date the rows state
CLEAN = {PREVIEW: [Reply("preview-2023.json")], AVAILABILITY: [Reply("availability-2023.json")]}
REVISED = {PREVIEW: [Reply("preview-2023-revised.json")], AVAILABILITY: [Reply("availability-2023-revised.json")]}


@pytest.fixture(autouse=True)
def pinned_day_and_no_key(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER_2026)
    monkeypatch.delenv(comtrade.KEY_VARIABLE, raising=False)
    monkeypatch.delenv("COMTRADE_API_URL", raising=False)
    # No second between calls against the local stand-in; the pace itself is checked where the waits are
    monkeypatch.setattr(comtrade, "PACE_SECONDS", 0.0)


PUBLIC_PACE = 1.0  # seconds between two calls: the public tier allows one call a second


def files(package: Path) -> dict[str, str]:
    """Every file of a package and the hash of its bytes."""
    return {str(p.relative_to(package)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(package.rglob("*")) if p.is_file()}


def run_import(real_copy, script: Script | None, *extra: str, url: str | None = None) -> int:
    args = ["import", "comtrade", "--years", "2023", "--package", str(real_copy.descriptor), *extra]
    if script is None:
        return cli.main([*args, "--api-url", url])
    with Server(script) as address:
        return cli.main([*args, "--api-url", address])


def imported(real_copy) -> dict[str, dict]:
    return {r["id"]: r for r in real_copy.rows("figures") if r["source_id"] == importer.SOURCE_ID}


def test_a_clean_import_adds_each_declaration_as_a_figure_from_un_comtrade(real_copy, capsys):
    hand = real_copy.path("figures").read_text(encoding="utf-8")
    script = Script(dict(CLEAN))
    assert run_import(real_copy, script) == 0
    rows = imported(real_copy)
    assert sorted(rows) == ["comtrade-chn-kaz-exports-2023", "comtrade-chn-kaz-imports-2023",
                            "comtrade-kaz-chn-exports-2023", "comtrade-kaz-chn-imports-2023",
                            "comtrade-kgz-chn-imports-2023", "comtrade-kgz-wld-exports-2023"]
    kaz = rows["comtrade-kaz-chn-imports-2023"]
    # 15,987,654,321.0 US dollars as declared, in millions; CIF because primaryValue is the record's cifvalue
    assert (kaz["reporter"], kaz["partner"], kaz["flow"], kaz["value"], kaz["unit"], kaz["currency"]) == \
        ("KAZ", "CHN", "imports", "15987.654321", "mn", "USD")
    assert (kaz["period_start"], kaz["period_end"], kaz["qualifier"]) == ("2023-01-01", "2023-12-31", "exact")
    assert "CIF" in kaz["note"] and "FOB" in rows["comtrade-chn-kaz-exports-2023"]["note"]
    assert "CIF" not in rows["comtrade-kgz-chn-imports-2023"]["note"]  # no cifvalue/fobvalue: no basis claimed
    assert rows["comtrade-kgz-wld-exports-2023"]["partner"] == "WLD"  # partner 0, the world: a group, kept
    assert kaz["locator"] == ("release of 2024-06-17; C/A/HS TOTAL period 2023, reporter 398, partner 156,"
                              " flow M; retrieved 2026-12-01")
    source = next(r for r in real_copy.rows("sources") if r["id"] == importer.SOURCE_ID)
    assert source["title"] == "UN Comtrade Database" and source["published"] == "2026-12-01"
    # the hand-typed figures are untouched, byte for byte: the import only appended
    assert real_copy.path("figures").read_text(encoding="utf-8").startswith(hand)
    report, _ = validate(real_copy.descriptor, date(2026, 12, 1))
    assert report.errors == []
    assert "6 figure(s) were added, 0 revised, 0 unchanged" in capsys.readouterr().out
    # the client asked the keyless preview for totals of both flows, every economy of the package
    path, query = script.requests[0]
    assert path == "/public/v1/preview/C/A/HS" and query["cmdCode"] == ["TOTAL"] and query["flowCode"] == ["X,M"]
    assert query["reportercode"] == ["31,156,398,417,643,762,795,860"] and "subscription-key" not in query
    assert query["partnerCode"] == ["0,31,156,398,417,643,762,795,860"]


def test_importing_the_same_answer_again_changes_no_byte(real_copy, capsys):
    assert run_import(real_copy, Script(dict(CLEAN))) == 0
    before = files(real_copy.root)
    assert run_import(real_copy, Script(dict(CLEAN))) == 0
    assert files(real_copy.root) == before
    assert "0 figure(s) were added, 0 revised, 6 unchanged" in capsys.readouterr().out


def test_a_revised_value_updates_its_row_only_and_the_changelog_shows_a_revision(real_copy, capsys):
    assert run_import(real_copy, Script(dict(CLEAN))) == 0
    first = real_copy.path("figures").read_text(encoding="utf-8").splitlines()
    old_figures = pd.read_csv(real_copy.path("figures"), dtype=str, keep_default_na=False)
    assert run_import(real_copy, Script(dict(REVISED))) == 0
    second = real_copy.path("figures").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(first, second) if a != b]
    assert len(first) == len(second) and len(changed) == 1
    row = dict(zip(next(csv.reader([first[0]])), next(csv.reader([changed[0][1]]))))
    assert row["id"] == "comtrade-kaz-chn-imports-2023" and row["value"] == "16012.345678"
    assert "release of 2025-02-10" in row["locator"]
    assert "Revised by the source: 15987.654321 mn USD" in row["note"]
    out = capsys.readouterr().out
    assert "1 revised, 5 unchanged" in out
    assert "revised by the source: comtrade-kaz-chn-imports-2023: 15987.654321 mn USD -> 16012.345678 mn USD" in out
    new_figures = pd.read_csv(real_copy.path("figures"), dtype=str, keep_default_na=False)
    for frame in (old_figures, new_figures):  # every figure here is in millions of US dollars
        frame["value_mn"] = frame["value"]
    changes = changelog.compare(changelog.Release("1.0.1", new_figures, []),
                                changelog.Release("1.0.0", old_figures, []))
    assert [(c["id"], c["field"], c["old"], c["new"]) for c in changes.revised] == [
        ("comtrade-kaz-chn-imports-2023", "value_mn", "15987.654321", "16012.345678")]
    assert not changes.added and not changes.removed


CHAPTERS = {PREVIEW: [Reply("preview-2023-chapters.json")], AVAILABILITY: [Reply("availability-2023.json")]}


def test_chapters_go_to_a_goods_resource_made_from_the_figures_schema_and_totals_stay_alone(real_copy, capsys):
    figures = real_copy.path("figures").read_bytes()
    script = Script(dict(CHAPTERS))
    assert run_import(real_copy, script, "--commodity", "chapters") == 0
    assert real_copy.path("figures").read_bytes() == figures  # no total came, so figures.csv is as it was
    path, query = script.requests[0]
    assert query["cmdCode"] == ["AG2"]
    meta = json.loads(real_copy.descriptor.read_text(encoding="utf-8"))
    names = [r["name"] for r in meta["resources"]]
    assert names.index("goods") == names.index("figures") + 1 and importer.SOURCE_ID in meta["trademirror"]["databases"]
    goods = {r["id"]: r for r in csv.DictReader((real_copy.root / "data" / "goods.csv").open(encoding="utf-8"))}
    assert len(goods) == 8
    row = goods["comtrade-kaz-chn-imports-2023-hs84"]
    # 4,876,543,210 dollars declared CIF by Kazakhstan for chapter 84, in millions, the chapter in its own column
    assert (row["reporter"], row["partner"], row["flow"], row["commodity"], row["value"], row["note"]) == \
        ("KAZ", "CHN", "imports", "84", "4876.54321", "Valued CIF.")
    assert row["locator"] == ("release of 2024-06-17; C/A/HS 84 period 2023, reporter 398, partner 156, flow M;"
                              " retrieved 2026-12-01")
    schema, figures_schema = ({r["name"]: r for r in meta["resources"]}[n]["schema"] for n in ("goods", "figures"))
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["value"] == {f["name"]: f for f in figures_schema["fields"]}["value"] and "status" not in fields
    assert fields["flow"]["constraints"]["enum"] == ["exports", "imports"]
    assert schema["foreignKeys"] == figures_schema["foreignKeys"]
    report, _ = validate(real_copy.descriptor, date(2026, 12, 1))
    assert report.errors == []
    assert "in goods.csv 8 declaration(s) were added, 0 revised, 0 unchanged" in capsys.readouterr().out


def test_a_revised_chapter_updates_its_goods_row_only_and_a_second_import_changes_no_byte(real_copy, capsys):
    assert run_import(real_copy, Script(dict(CHAPTERS)), "--commodity", "chapters") == 0
    goods = real_copy.root / "data" / "goods.csv"
    first = goods.read_text(encoding="utf-8").splitlines()
    before = files(real_copy.root)
    assert run_import(real_copy, Script(dict(CHAPTERS)), "--commodity", "chapters") == 0
    assert files(real_copy.root) == before
    revised = {PREVIEW: [Reply("preview-2023-chapters-revised.json")], AVAILABILITY: [Reply("availability-2023.json")]}
    assert run_import(real_copy, Script(revised), "--commodity", "AG2") == 0
    second = goods.read_text(encoding="utf-8").splitlines()
    changed = [b for a, b in zip(first, second) if a != b]
    assert len(first) == len(second) and len(changed) == 1 and "comtrade-kaz-chn-exports-2023-hs74" in changed[0]
    assert "Revised by the source: 3456.789012 mn USD" in changed[0]
    assert "revised by the source: comtrade-kaz-chn-exports-2023-hs74" in capsys.readouterr().out


def test_a_goods_row_breaking_the_schema_is_refused_naming_file_row_and_field(real_copy, capsys):
    assert run_import(real_copy, Script(dict(CHAPTERS)), "--commodity", "chapters") == 0
    goods = real_copy.root / "data" / "goods.csv"
    lines = goods.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("comtrade-kaz-chn-imports-2023-hs84,"))
    lines[at] = lines[at].replace(",84,", ",8x4,", 1)
    goods.write_text("".join(lines), encoding="utf-8")
    report, _ = validate(real_copy.descriptor, date(2026, 12, 1))
    assert [(e.file, e.row, e.field) for e in report.errors] == [("data/goods.csv", at + 1, "commodity")]


def test_an_empty_answer_changes_nothing_and_says_so(real_copy, capsys):
    before = files(real_copy.root)
    script = Script({PREVIEW: [Reply("preview-empty.json")], AVAILABILITY: [Reply("availability-2023.json")]})
    assert run_import(real_copy, script) == 0
    assert files(real_copy.root) == before
    assert "no declarations for this query" in capsys.readouterr().out
    assert [p for p, _ in script.requests] == ["/public/v1/preview/C/A/HS"]  # no release dates asked for nothing


def test_a_429_is_waited_out_and_the_import_goes_on(real_copy, capsys):
    script = Script({PREVIEW: [Reply("error-429.json", 429, {"Retry-After": "0"}), Reply("preview-2023.json")],
                     AVAILABILITY: [Reply("availability-2023.json")]})
    assert run_import(real_copy, script) == 0
    assert [p for p, _ in script.requests] == ["/public/v1/preview/C/A/HS"] * 2 + ["/public/v1/getDa/C/A/HS"]
    assert len(imported(real_copy)) == 6


def test_the_wait_after_a_429_follows_retry_after_else_doubles(monkeypatch):
    monkeypatch.setattr(comtrade, "PACE_SECONDS", PUBLIC_PACE)
    waits = []
    script = Script({PREVIEW: [Reply("error-429.json", 429), Reply("error-429.json", 429, {"Retry-After": "7"}),
                               Reply("preview-2023.json")]})
    query = comtrade.Query((156,), (398,), ("2023",))
    with Server(script) as url:
        records = comtrade.Client(api_url=url, sleep=waits.append).declarations(query, "2023")
    assert len(records) == 6
    assert waits == [comtrade.BACKOFF_SECONDS, PUBLIC_PACE, 7.0, PUBLIC_PACE]


def test_a_service_that_keeps_answering_429_stops_the_import_in_one_line(real_copy, capsys, monkeypatch):
    monkeypatch.setattr(comtrade, "BACKOFF_SECONDS", 0.0)  # the waits themselves are the next test's
    before = files(real_copy.root)
    script = Script({PREVIEW: [Reply("error-429.json", 429)]})
    assert run_import(real_copy, script) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "429" in err
    assert len(script.requests) == comtrade.ATTEMPTS
    assert files(real_copy.root) == before  # nothing written


def test_after_every_attempt_answers_429_the_client_gives_up_having_backed_off_each_time():
    waits = []
    script = Script({PREVIEW: [Reply("error-429.json", 429)]})
    query = comtrade.Query((156,), (398,), ("2023",))
    with Server(script) as url, pytest.raises(comtrade.ComtradeError, match="429"):
        comtrade.Client(api_url=url, sleep=waits.append).declarations(query, "2023")
    assert len(script.requests) == comtrade.ATTEMPTS
    backoffs = [w for w in waits if w != comtrade.PACE_SECONDS]
    assert backoffs == [comtrade.BACKOFF_SECONDS * 2 ** n for n in range(comtrade.ATTEMPTS - 1)]


def test_an_unreachable_service_is_one_line_exit_1_and_the_package_is_byte_identical(real_copy, capsys):
    before = files(real_copy.root)
    assert run_import(real_copy, None, url=server.closed_port()) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("error: import comtrade: UN Comtrade is unreachable at http://127.0.0.1:")
    assert "nothing was written" in err
    assert files(real_copy.root) == before


def test_the_unreachable_service_through_the_real_entry_point(real_copy):
    import subprocess
    import sys

    from .conftest import ROOT

    before = files(real_copy.root)
    result = subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "import", "comtrade", "--years", "2023",
                             "--package", str(real_copy.descriptor), "--api-url", server.closed_port()],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "UN Comtrade is unreachable" in result.stderr and files(real_copy.root) == before


def test_an_unknown_economy_code_stops_the_import_naming_the_code_and_the_fix(real_copy, capsys):
    before = files(real_copy.root)
    script = Script({PREVIEW: [Reply("preview-unknown-partner.json")], AVAILABILITY: [Reply("availability-2023.json")]})
    assert run_import(real_copy, script) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "partner code 842 (USA) is USA" in err and "add a row for USA there" in err
    assert files(real_copy.root) == before


def test_a_code_missing_from_m49_csv_names_the_line_to_add(tmp_path):
    codes = importer.read_codes(REAL_PACKAGE / "data" / "countries.csv")
    with pytest.raises(importer.ImportRefused, match=r"partner code 999 .*add a line '999,ISO3,NAME'"):
        codes.economy(999, "partner")


def test_a_refused_key_is_named_with_the_variable_and_nothing_is_written(real_copy, capsys, monkeypatch):
    monkeypatch.setenv(comtrade.KEY_VARIABLE, "not-a-key")
    before = files(real_copy.root)
    script = Script({DATA: [Reply("error-401.json", 401)]})
    assert run_import(real_copy, script) == 1
    err = capsys.readouterr().err
    assert f"refused the subscription key in {comtrade.KEY_VARIABLE} (HTTP 401" in err and "not-a-key" not in err
    assert files(real_copy.root) == before
    path, query = script.requests[0]
    assert path == "/data/v1/get/C/A/HS" and query["subscription-key"] == ["not-a-key"]


def test_with_a_key_the_full_endpoints_are_used(real_copy, monkeypatch):
    monkeypatch.setenv(comtrade.KEY_VARIABLE, "a-key")
    script = Script({DATA: [Reply("preview-2023.json")], KEYED_AVAILABILITY: [Reply("availability-2023.json")]})
    assert run_import(real_copy, script) == 0
    assert [p for p, _ in script.requests] == ["/data/v1/get/C/A/HS", "/data/v1/getDa/C/A/HS"]
    assert len(imported(real_copy)) == 6


def test_a_hand_typed_figure_with_the_same_id_is_never_overwritten(real_copy, capsys):
    rows = real_copy.rows("figures")
    rows.append(dict(rows[0], id="comtrade-kaz-chn-imports-2023", reporter="KAZ", partner="CHN", flow="imports",
                     period_start="2023-01-01", period_end="2023-12-31", value="16"))
    real_copy.write_rows("figures", rows)
    before = files(real_copy.root)
    assert run_import(real_copy, Script(dict(CLEAN))) == 1
    err = capsys.readouterr().err
    assert f"figures.csv:{len(rows) + 1}: id comtrade-kaz-chn-imports-2023 is a figure from eurasianet-2025-12" in err
    assert files(real_copy.root) == before


def test_a_dry_run_writes_nothing(real_copy, capsys):
    before = files(real_copy.root)
    assert run_import(real_copy, Script(dict(CLEAN)), "--dry-run") == 0
    assert files(real_copy.root) == before
    assert "6 figure(s) would be added" in capsys.readouterr().out


@pytest.mark.parametrize("flag, value, says", [
    ("--years", "23", "'23' is not a year"),
    ("--months", "2024-13", "'2024-13' is not a month"),
    ("--commodity", "27x", "'27x' is not an HS code"),
    ("--commodity", "270", "'270' is not an HS code"),
    ("--reporters", "XYZ", "'XYZ' is not in countries.csv"),
])
def test_a_bad_flag_is_refused_in_one_line_before_any_call(real_copy, capsys, flag, value, says):
    args = ["import", "comtrade", "--package", str(real_copy.descriptor), "--api-url", server.closed_port()]
    args += [flag, value] if flag in ("--years", "--months") else ["--years", "2023", flag, value]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert says in err and "unreachable" not in err


def test_periods_read_years_months_and_ranges():
    from trademirror.importcli import periods

    assert periods(["2019-2021", "2023"], None) == ("2019", "2020", "2021", "2023")
    assert periods(None, ["2024-11..2025-02"]) == ("202411", "202412", "202501", "202502")


def test_the_fixtures_say_they_are_synthetic_cite_the_format_and_never_reach_the_package():
    values = set()
    for path in sorted(server.FIXTURES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert "Synthetic" in body["_note"], path.name
        if "data" in body:
            assert "comtradedeveloper.un.org" in body["_documentation"] and body["count"] == len(body["data"])
            values |= {importer._number(importer.Decimal(repr(r["primaryValue"])) / importer.MILLION)
                       for r in body["data"] if "primaryValue" in r}
    published = {r["value"] for r in csv.DictReader((REAL_PACKAGE / "data" / "figures.csv").open(encoding="utf-8"))}
    assert values and not values & published
    assert not any(r["id"] == importer.SOURCE_ID
                   for r in csv.DictReader((REAL_PACKAGE / "data" / "sources.csv").open(encoding="utf-8")))


# Idempotency as a property: whatever the service answers, merging it twice is merging it once,
# and the hand-typed rows keep their bytes.
ECONOMIES = {156: "China", 398: "Kazakhstan", 417: "Kyrgyzstan", 762: "Tajikistan", 860: "Uzbekistan", 0: "World"}
record = st.fixed_dictionaries({
    "reporterCode": st.sampled_from([c for c in ECONOMIES if c]),
    "partnerCode": st.sampled_from(list(ECONOMIES)),
    "flowCode": st.sampled_from(["X", "M"]),
    "period": st.integers(2015, 2024).map(str),
    "primaryValue": st.decimals(min_value=0, max_value=10**12, places=2).map(float),
    "cmdCode": st.just("TOTAL"),
}).filter(lambda r: r["reporterCode"] != r["partnerCode"])


def _unique(records):
    seen = {}
    for r in records:
        seen[(r["reporterCode"], r["partnerCode"], r["flowCode"], r["period"])] = r
    return list(seen.values())


@settings(max_examples=40, deadline=None)
@given(first=st.lists(record, max_size=12).map(_unique), second=st.lists(record, max_size=12).map(_unique))
def test_merging_an_answer_twice_is_merging_it_once_and_hand_rows_keep_their_bytes(first, second):
    codes = importer.read_codes(REAL_PACKAGE / "data" / "countries.csv")
    query = comtrade.Query((156,), (398,), ("2023",))
    table = importer.Table.read(REAL_PACKAGE / "data" / "figures.csv")
    hand = list(table.texts)
    for answer, day in ((first, date(2026, 1, 5)), (second, date(2026, 2, 5))):
        incoming = importer.rows(comtrade.Answer(records=answer), query, codes, day)
        importer.merge(table, incoming, day)
        once = table.text()
        again = importer.merge(table, importer.rows(comtrade.Answer(records=answer), query, codes, date(2027, 1, 1)),
                               date(2027, 1, 1))
        assert again.empty and table.text() == once
    assert table.texts[:len(hand)] == hand
    # every imported value is the latest answer's, for the figures that answer holds
    latest = {importer.figure_id(codes.to_package[r["reporterCode"]], codes.to_package[r["partnerCode"]],
                                 importer.FLOWS[r["flowCode"]], r["period"], "TOTAL"): r for r in second}
    for row in table.rows:
        if row["id"] in latest:
            expected = importer.Decimal(repr(latest[row["id"]]["primaryValue"])) / importer.MILLION
            assert importer.Decimal(row["value"]) == expected
