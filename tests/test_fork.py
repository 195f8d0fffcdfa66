"""The fork kit: `init` scaffolds a package for a new region, and a handful of rows make a complete site.

Every step goes through the command line a newsroom types, in a temporary copy of
the site skeleton, and no code is touched between the steps.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trademirror import fmt, scaffold
from trademirror.cli import main
from trademirror.settings import CIF_FOB_FACTOR

from .conftest import REAL_DESCRIPTOR, ROOT, PackageCopy, copy_site_skeleton

GUIDE = ROOT / "docs" / "fork.md"
FOCUS, PARTNER, REGION = "KEN", "TZA", "East African Community"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "--root", str(root), *args],
                          capture_output=True, text=True, cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def everything(folder: Path) -> dict[str, bytes | None]:
    """Every file with its bytes and every folder (None), so an empty folder left behind shows too."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_shipped_schema_is_the_real_packages_schema():
    """init copies package_schema.json; if the real package's schema changes, copy its resources there too."""
    shipped = json.loads(scaffold.SCHEMA_FILE.read_text(encoding="utf-8"))["resources"]
    assert shipped == json.loads(REAL_DESCRIPTOR.read_text(encoding="utf-8"))["resources"]


def guide_init_args() -> list[str]:
    """The arguments of the init command in docs/fork.md, as a reader would type them."""
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    line = next(line for block in blocks for line in block.splitlines() if "build_charts.py init" in line)
    args = shlex.split(line.split("#")[0])
    return args[args.index("init"):]


def usd(value: float) -> str:
    """An amount in millions of the guide's currency as the pages print it."""
    return fmt.money_mn(value, "USD")


def guide_figures() -> list[dict[str, str]]:
    """The example rows of figures.csv in docs/fork.md."""
    block = re.search(r"```csv\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S).group(1)
    return list(csv.DictReader(io.StringIO(block)))


@pytest.mark.slow
def test_the_guides_steps_give_a_complete_site_without_touching_code(tmp_path):
    root = copy_site_skeleton(tmp_path / "fork")
    made = cli(root, *guide_init_args())
    assert made.returncode == 0, made.stderr
    [descriptor] = (root / "datapackages").glob("*/datapackage.json")
    pkg = PackageCopy(descriptor.parent)
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    focus = meta["trademirror"]["focus_reporter"]

    # The guide's two rows: what the focus reporter says it sent, and what the partner says it received.
    documented = guide_figures()
    sent = next(r for r in documented if r["reporter"] == focus and r["flow"] == "exports")
    received = next(r for r in documented if r["reporter"] != focus and r["flow"] == "imports")
    partner, year = sent["partner"], sent["period_start"][:4]
    x, m_mirror = float(sent["value"]), float(received["value"])  # the guide's rows are in mn of USD
    for source in {r["source_id"] for r in documented}:
        pkg.add("sources", id=source, publisher=f"Statistics office ({source})", title=f"Foreign trade {year}",
                published=f"{int(year) + 1}-03", url="https://example.org/trade", primary_source="Customs",
                language="en")
    for row in documented:
        pkg.add("figures", **row)
    # The other direction, and each side's turnover (exports + imports), for the same year.
    m, x_mirror = 800, 700
    for fid, reporter, other, flow, value, source in [
            ("f-m", focus, partner, "imports", m, sent["source_id"]),
            ("f-t", focus, partner, "turnover", x + m, sent["source_id"]),
            ("p-x", partner, focus, "exports", x_mirror, received["source_id"]),
            ("p-t", partner, focus, "turnover", m_mirror + x_mirror, received["source_id"])]:
        pkg.add("figures", **{**sent, "id": fid, "reporter": reporter, "partner": other, "flow": flow,
                              "value": str(value), "source_id": source})

    checked = cli(root, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = cli(root, "build", "--site")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stderr

    site, docs = root / "site", root / "docs"
    for page in ("index.html", "findings.html", "methodology.html", "data.html", "changelog.html"):
        assert (site / page).is_file(), page
    names = {r["code"]: r["name"] for r in pkg.rows("countries")}
    # One country page: the only partner with figures (the scaffold's example row is about it too).
    [page] = (site / "countries").glob("*.html")
    partner_page = page.read_text(encoding="utf-8")
    assert names[partner] in re.search(r"<h1[^>]*>(.*?)</h1>", partner_page, re.S).group(1)

    # The mirror table: each side's figure and the gap after the CIF/FOB allowance; the gap in dollars in words.
    gap = m_mirror / (x * CIF_FOB_FACTOR) - 1
    table_rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", partner_page, re.S)]
    mirror_rows = [r for r in table_rows if usd(x) in r and usd(m_mirror) in r]
    assert mirror_rows, table_rows
    row = mirror_rows[0]
    assert names[focus] in row and names[partner] in row
    assert fmt.percent(gap, 1, signed=True) in row
    assert f"records {usd(m_mirror - x)} more goods received" in text_of(partner_page)
    other = m / (x_mirror * CIF_FOB_FACTOR) - 1
    assert any(usd(x_mirror) in r and usd(m) in r and fmt.percent(other, 1, signed=True) in r
               for r in table_rows)

    data_page = (site / "data.html").read_text(encoding="utf-8")
    assert all(f'id="src-{r["source_id"]}"' in data_page for r in documented)
    assert names[focus] in text_of((site / "index.html").read_text(encoding="utf-8"))
    assert (docs / "downloads" / f"{meta['name']}.zip").is_file()
    # Nothing of the original edition leaks into the pages made from the data (the hand-written ones,
    # and their copies in other languages, are the newsroom's to rewrite).
    original = {r["name"] for r in csv.DictReader((REAL_DESCRIPTOR.parent / "data" / "countries.csv").open())}
    generated = json.loads((docs / ".trademirror-manifest.json").read_text(encoding="utf-8"))
    hand_written = {p.name for p in docs.rglob("*.md") if p.relative_to(docs).as_posix() not in generated}
    for rel in generated:
        if rel.endswith(".md") and Path(rel).name not in hand_written:
            text = (docs / rel).read_text(encoding="utf-8")
            assert not [n for n in original - set(names.values()) if n in text], rel


def test_the_scaffold_validates_as_it_is(tmp_path):
    root = copy_site_skeleton(tmp_path / "fork")
    assert cli(root, "init", "--region", REGION, "--focus", FOCUS).returncode == 0
    checked = cli(root, "validate")
    assert checked.returncode == 0, checked.stdout
    assert "0 error(s), 0 finding(s)" in checked.stdout


def test_the_scaffold_builds_as_it_is(tmp_path):
    root = copy_site_skeleton(tmp_path / "fork")
    assert cli(root, "init", "--region", REGION, "--focus", FOCUS).returncode == 0
    built = cli(root, "build")
    assert built.returncode == 0, built.stderr
    assert len(list((root / "docs" / "countries").glob("*.md"))) == 1


def existing_package(root: Path) -> None:
    (root / "datapackages" / "first").mkdir(parents=True)
    (root / "datapackages" / "first" / "datapackage.json").write_text("{}", encoding="utf-8")


def existing_folder(root: Path) -> None:
    (root / "datapackages" / "taken").mkdir(parents=True)


def a_file(root: Path) -> None:
    (root / "notes.txt").write_text("not a folder", encoding="utf-8")


REFUSALS = [
    # (what is on disk, arguments after init, what the message says)
    (existing_package, ["--region", REGION, "--focus", FOCUS], "already holds the package first"),
    (existing_folder, ["--region", REGION, "--focus", FOCUS, "--name", "taken"], "already exists"),
    (existing_package, ["--region", REGION, "--focus", FOCUS, "--dir", "datapackages/first"], "already exists"),
    (None, ["--region", REGION, "--focus", "KE"], "'KE' is not a three-character code"),
    (None, ["--region", REGION, "--focus", FOCUS, "--members", PARTNER, "ke-n"], "'ke-n' is not"),
    (None, ["--region", REGION, "--focus", FOCUS, "--members", FOCUS], f"'{FOCUS}' is used twice"),
    (None, ["--region", REGION, "--focus", FOCUS, "--region-code", "WLD"], "means the world"),
    (None, ["--region", "Восточная Африка", "--focus", FOCUS], "give one with --region-code"),
    (None, ["--region", "Восточная Африка", "--focus", FOCUS, "--region-code", "XEA"], "--name"),
    (None, ["--region", " ", "--focus", FOCUS], "--region: is empty"),
    (a_file, ["--region", REGION, "--focus", FOCUS, "--dir", "notes.txt/pkg"], "cannot be written"),
]


@pytest.mark.parametrize(("setup", "args", "says"), REFUSALS)
def test_init_refuses_in_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, setup, args, says):
    root = tmp_path / "fork"
    root.mkdir()
    if setup:
        setup(root)
    monkeypatch.chdir(root)  # so a relative --dir is read from the project folder
    before = everything(root)
    assert main(["--root", str(root), "init", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: init: ") and says in err, err
    assert " — " in err  # what is wrong, then what to do
    assert everything(root) == before


def test_init_beside_an_existing_package_when_told_where(tmp_path, capsys):
    existing_package(tmp_path)
    target = tmp_path / "elsewhere" / "east-africa"
    assert main(["--root", str(tmp_path), "init", "--region", REGION, "--focus", FOCUS,
                 "--members", PARTNER, "UGA", "--dir", str(target)]) == 0
    assert f"--package {target / 'datapackage.json'}" in capsys.readouterr().out
    countries = PackageCopy(target).rows("countries")
    region = json.loads((target / "datapackage.json").read_text())["trademirror"]["region"]
    assert {r["code"]: r["groups"] for r in countries} == {FOCUS: "", PARTNER: region, "UGA": region, region: ""}
    assert all(r["name"] and r["name"] != r["code"] for r in countries)  # names come from CLDR


@pytest.mark.parametrize(("region", "code", "slug"), [
    ("Central Asia", "XCA", "central-asia"),
    ("East African Community", "XEA", "east-african-community"),
    ("Balkans", "XBA", "balkans"),
    ("Côte d'Ivoire and neighbours", "XCD", "cote-d-ivoire-and-neighbours"),
    ("Восточная Африка", "", ""),
])
def test_region_names_give_a_group_code_and_a_package_name(region, code, slug):
    assert scaffold.region_code(region) == code
    assert scaffold.slugify(region) == slug


def test_the_same_request_gives_the_same_files(tmp_path):
    from datetime import date

    req = scaffold.plan(REGION, FOCUS, datapackages=tmp_path)
    assert scaffold.files(req, date(2030, 6, 1)) == scaffold.files(req, date(2030, 6, 1))
    example = scaffold.files(req, date(2030, 6, 1))["data/figures.csv"]
    assert "2029-01-01,2029-12-31" in example  # the last full year before today, never a future period


WORKED = "## 7. A worked example"
# A block and the file it is for: the first path in backticks in the paragraph just above it, which ends in ":".
LABELLED = re.compile(r"`(datapackages/[^`]+|mkdocs\.yml)`(?:(?!\n\n).)*?:\n\n```(csv|yaml)\n(.*?)```", re.S)


def guide_worked_example() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(WORKED)
    return text[start:text.index("\n## ", start + 1)]


def follow(root: Path, section: str) -> list[subprocess.CompletedProcess]:
    """Do what the section says, in its order: run each command, write or delete each block where it is named."""
    steps = sorted([(m.start(), "file", m.groups()) for m in LABELLED.finditer(section)]
                   + [(m.start(), "sh", (m.group(1),)) for m in re.finditer(r"```sh\n(.*?)```", section, re.S)])
    results = []
    for _, kind, parts in steps:
        if kind == "file":
            rel, lang, body = parts
            target = root / rel
            if lang == "yaml":  # "delete these lines from mkdocs.yml"
                text = target.read_text(encoding="utf-8")
                assert body in text, f"the guide's lines are not in {rel}"
                target.write_text(text.replace(body, ""), encoding="utf-8")
            else:
                target.write_text(body, encoding="utf-8")
            continue
        for line in parts[0].splitlines():
            args = shlex.split(line.split("#")[0])
            if args[:2] == ["git", "rm"]:
                shutil.rmtree(root / args[-1], ignore_errors=True)
            elif args[:2] == [".venv/bin/python", "build_charts.py"]:
                results.append(cli(root, *args[2:]))
                assert results[-1].returncode == 0, (line, results[-1].stdout[-2000:], results[-1].stderr)
            else:
                raise AssertionError(f"the test does not know how to follow: {line}")
    return results


@pytest.mark.slow
def test_the_guides_worked_example_followed_literally_gives_an_eu_china_edition(tmp_path):
    """A group reporter with members, figures in euro and dollars with a rate, a pair without the focus, in English."""

    root = copy_site_skeleton(tmp_path / "fork")
    section = guide_worked_example()
    results = follow(root, section)
    assert [r.args[4] for r in results] == ["init", "validate", "build", "check-links"]
    assert "Traceback" not in "".join(r.stderr for r in results)
    site = root / "site"

    blocks = {Path(path).name: body for path, _, body in LABELLED.findall(section)}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(blocks["figures.csv"]))}
    rate = float(next(csv.DictReader(io.StringIO(blocks["rates.csv"])))["rate"])
    china = text_of((site / "countries" / "china.html").read_text(encoding="utf-8"))
    euro = rows["euu-chn-imports-2024"]
    converted = fmt.money_mn(float(euro["value"]) * 1000 * rate, "USD")
    assert f"€{euro['value']}bn, about {converted} at the 2024 average rate" in china
    assert "no gap can be computed" not in china
    germany = text_of((site / "countries" / "germany.html").read_text(encoding="utf-8"))
    german = rows["deu-chn-exports-2024"]  # Destatis' figure, in euro, converted at the same rate
    assert f"{fmt.money_mn(float(german['value']) * 1000, 'EUR')}, about" \
           f" {fmt.money_mn(float(german['value']) * 1000 * rate, 'USD')} at the 2024 average rate" in germany
    assert "US$94.9bn" in germany
    home = text_of((site / "index.html").read_text(encoding="utf-8"))
    assert "The European Union and China: two sets of books" in home
    # one partner: a sentence about it, not "only one of them" or "1 of 1"
    assert "China sells more to the European Union than it buys from it (2024)" in home and "Only China" not in home
    # English only: no edition folder, no language menu; nothing of the first edition's wording
    assert not (site / "ru").exists()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'hreflang="ru"' not in html, page
        if "assets" not in page.parts and page.name not in ("about.html", "security.html", "fork.html"):
            # what the build writes; site_name and site_description in mkdocs.yml are the newsroom's (section 6)
            article = html[html.find("<article"):html.find("</article>")]
            assert "Central Asia" not in article and "Tajikistan" not in article, page
