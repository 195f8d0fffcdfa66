"""`build_charts.py import comtrade`: UN Comtrade's declarations as figures of the data package, merged idempotently.

One step each, in order; nothing is written unless every step passed:

1. the query: reporters and partners from the package's own economies (or
   the codes given), mapped to UN Comtrade's numeric codes by `m49.csv`;
2. the answer: `comtrade.fetch` (the official client; raises on any failure);
3. the rows: each declaration becomes a figure — value in millions of US
   dollars as declared (`primaryValue`), the CIF/FOB basis in the note when
   the record says which, the period, the economies mapped back to the
   package's codes (an unknown code stops the import, naming the code and the
   fix), and as locator the release it comes from, the query and the
   retrieval date; all from the source "UN Comtrade" (`SOURCE_ID`);
4. the merge: a row the import wrote before and whose value is unchanged
   stays byte for byte as it is (its old locator too); a changed value
   replaces the row under the same id, so the release changelog and
   `build_charts.py diff` show it as revised, and the note says what it was;
   a figure typed by hand is never touched, and an id that belongs to one
   stops the import;
5. validation of the package with the merged rows, in a copy; only then are
   figures.csv (and sources.csv, the first time) replaced.

The first import that writes also lists "UN Comtrade" among the package's
official databases (datapackage.json `trademirror.databases`, see
official.py), so the pages label its figures as official declarations and the
checks set the press figures against them. A package edited by hand the same
way (its own source ids there) is labelled the same way.

`m49.csv` maps UN Comtrade's reporter and partner codes to the codes the
packages use (ISO 3166-1 alpha-3 for countries, the group codes WLD and EUU
for the world and the European Union). They are the UN M49 numeric codes
(https://unstats.un.org/unsd/methodology/m49/) except where Comtrade's own
reference lists differ (France 251, India 699, Norway 579, Switzerland 757,
USA 842); every line was checked against those lists, Reporters.json and
partnerAreas.json at comtradeapi.un.org/files/v1/app/reference/ (June 2025
edition). Comtrade's own alpha-3 for the world and the EU (W00, EUR) are not
used, and "Other Asia, nes" (490) is left out: which economy it stands for is
a package's choice. A line added there, and the economy's row in
countries.csv, is all a new economy needs.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import comtrade, goods
from .errors import UserError
from .site import atomic_write

SOURCE_ID = "un-comtrade"
SOURCE_ROW = {
    "id": SOURCE_ID, "publisher": "United Nations Statistics Division", "title": "UN Comtrade Database",
    "url": "https://comtradeplus.un.org/",
    "primary_source": "Customs and statistical authorities of each reporter, as declared to UN Comtrade",
    "language": "en", "agency": "",
}
M49_FILE = Path(__file__).with_name("m49.csv")
ID_PREFIX = "comtrade"
FLOWS = {code: flow for flow, code in comtrade.FLOW_CODES.items()}  # Comtrade's flowCode -> the package's flow
MILLION = Decimal(1_000_000)
BASIS = {"cifvalue": "CIF", "fobvalue": "FOB"}


class ImportRefused(UserError):
    """The declarations cannot go into this package as they are; the line says which and how to fix it."""

    exit_code = 1
    command = "import comtrade"


@dataclass
class Codes:
    """UN Comtrade's codes and the package's, both ways, and the package's own economies."""

    to_package: dict[int, str]  # Comtrade code -> package code
    names: dict[int, str]  # Comtrade code -> name in m49.csv
    economies: dict[str, str]  # package code -> kind (country or group)

    def to_comtrade(self, code: str) -> int:
        for number, mapped in self.to_package.items():
            if mapped == code:
                return number
        raise ImportRefused(f"{code} has no UN Comtrade code in {M49_FILE.name} — add a line 'NUMBER,{code},NAME'"
                           " to trademirror/m49.csv with the economy's code from UN Comtrade's reference list")

    def economy(self, number: int, role: str, desc: str | None = None) -> str:
        """The package's code for a Comtrade code, or an error naming the code and what to add."""
        shown = f"{role} code {number}" + (f" ({desc})" if desc else "")
        if number not in self.to_package:
            raise ImportRefused(f"UN Comtrade {shown} is not in trademirror/m49.csv — add a line"
                               f" '{number},ISO3,NAME' with the economy's ISO 3166-1 alpha-3 code, and its row"
                               " to countries.csv; or leave it out of the query")
        code = self.to_package[number]
        if code not in self.economies:
            raise ImportRefused(f"UN Comtrade {shown} is {code} ({self.names[number]}), which is not in this"
                               f" package's countries.csv — add a row for {code} there, or leave {number} out"
                               " of --reporters/--partners")
        return code


def read_codes(countries_csv: Path, m49_csv: Path = M49_FILE) -> Codes:
    with m49_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with countries_csv.open(encoding="utf-8", newline="") as fh:
        economies = {r["code"]: r["kind"] for r in csv.DictReader(fh)}
    return Codes({int(r["m49"]): r["code"] for r in rows}, {int(r["m49"]): r["name"] for r in rows}, economies)


@dataclass
class Table:
    """A CSV file as its header and its records, each record with the exact text it was read from."""

    header: list[str]
    header_text: str
    rows: list[dict[str, str]]
    texts: list[str]

    @classmethod
    def read(cls, path: Path) -> Table:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        header_text, done = "".join(lines[:reader.line_num]), reader.line_num
        rows, texts = [], []
        for record in reader:
            texts.append("".join(lines[done:reader.line_num]))
            done = reader.line_num
            rows.append(dict(zip(header, record)))
        return cls(header, header_text, rows, texts)

    def line(self, row: dict[str, str]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([row.get(k, "") for k in self.header])
        return out.getvalue()

    def text(self) -> str:
        body = list(self.texts)
        if body and not body[-1].endswith("\n"):
            body[-1] += "\n"  # a last line without its newline gets one before rows are added after it
        return self.header_text + "".join(body)


@dataclass
class Change:
    id: str
    old: str
    new: str
    row: dict[str, str]


@dataclass
class Merge:
    """What an import did to figures.csv."""

    added: list[dict[str, str]] = field(default_factory=list)
    revised: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.revised)


def _number(value: Decimal) -> str:
    """A decimal as plain digits, no exponent, no trailing zeros: 21734.567891, 300."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _period(period: str) -> tuple[str, str]:
    import calendar

    year = int(period[:4])
    if len(period) == 4:
        return f"{year}-01-01", f"{year}-12-31"
    month = int(period[4:6])
    return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _basis(record: dict) -> str | None:
    """CIF or FOB when the declared value is the record's CIF or FOB value; None when the record does not say."""
    value = record.get("primaryValue")
    for column, name in BASIS.items():
        if record.get(column) is not None and value is not None and Decimal(repr(record[column])) == \
                Decimal(repr(value)):
            return name
    return None


def figure_id(reporter: str, partner: str, flow: str, period: str, commodity: str) -> str:
    """comtrade-chn-kaz-exports-2023, comtrade-chn-kaz-exports-2023-05; the commodity when not the total."""
    parts = [ID_PREFIX, reporter, partner, flow, period[:4]] + ([period[4:6]] if len(period) == 6 else [])
    if commodity != comtrade.TOTAL:
        parts.append(f"hs{commodity}")
    return "-".join(p.lower() for p in parts)


def rows(answer: comtrade.Answer, query: comtrade.Query, codes: Codes, retrieved: date) -> list[dict[str, str]]:
    """Each declaration as a figure row (the package's columns), in a stable order."""
    out: dict[str, dict[str, str]] = {}
    for record in answer.records:
        flow = FLOWS.get(str(record.get("flowCode")))
        if flow is None or record.get("primaryValue") is None:
            continue  # a flow not asked for (re-exports), or a record without a value
        if str(record.get("customsCode") or "C00") != "C00" or int(record.get("motCode") or 0) != 0 \
                or int(record.get("partner2Code") or 0) != 0:
            continue  # a breakdown by procedure, transport or second partner: the totals are the figure
        commodity = str(record.get("cmdCode") or comtrade.TOTAL)
        if commodity != comtrade.TOTAL and not goods.CODE.fullmatch(commodity):
            raise ImportRefused(f"UN Comtrade returned commodity code '{commodity}', which is neither TOTAL nor an HS"
                               " code of 2, 4 or 6 digits — ask for HS codes (--commodity chapters or 27,72)")
        number = int(record["reporterCode"])
        reporter = codes.economy(number, "reporter", record.get("reporterDesc"))
        partner = codes.economy(int(record["partnerCode"]), "partner", record.get("partnerDesc"))
        period = str(record.get("period") or record.get("refPeriodId"))
        start, end = _period(period)
        released = answer.released.get((number, period), "")
        basis = _basis(record)
        row = {
            "id": figure_id(reporter, partner, flow, period, commodity),
            "reporter": reporter, "partner": partner, "flow": flow, "period_start": start, "period_end": end,
            "value": _number(Decimal(repr(record["primaryValue"])) / MILLION), "unit": "mn", "currency": "USD",
            "qualifier": "exact", "source_id": SOURCE_ID,
            "locator": (f"release of {released}" if released else "release date not stated")
                       + f"; {query.describe(period, commodity)}, reporter {number}, partner {record['partnerCode']},"
                         f" flow {record['flowCode']}; retrieved {retrieved.isoformat()}",
            "note": f"As declared by {reporter} to UN Comtrade"
                    + (f", valued {basis} ({'cifvalue' if basis == 'CIF' else 'fobvalue'})." if basis else ".")
                    + " primaryValue in US dollars, shown in millions.",
            "status": "",
        }
        if commodity != comtrade.TOTAL:  # a row of goods.csv: its code; the note only what the source row cannot say
            row = {**row, "commodity": commodity, "note": f"Valued {basis}." if basis else ""}
            del row["status"]
        if row["id"] in out and out[row["id"]]["value"] != row["value"]:
            raise ImportRefused(f"UN Comtrade returned two values for {row['id']} ({out[row['id']]['value']} and"
                               f" {row['value']} mn USD) — report the query; nothing was written")
        out[row["id"]] = row
    return [out[k] for k in sorted(out)]


def merge(table: Table, incoming: Iterable[dict[str, str]], retrieved: date, file: str = "figures.csv") -> Merge:
    """Merge imported rows into a table (figures.csv's or goods.csv's) in place; hand-entered rows are never
    changed."""
    result = Merge()
    index = {row.get("id"): i for i, row in enumerate(table.rows)}
    for row in incoming:
        at = index.get(row["id"])
        if at is None:
            table.rows.append(row)
            table.texts.append(table.line(row))
            index[row["id"]] = len(table.rows) - 1
            result.added.append(row)
            continue
        current = table.rows[at]
        if current.get("source_id") != SOURCE_ID:
            raise ImportRefused(f"{file}:{at + 2}: id {row['id']} is a figure from {current.get('source_id')},"
                               " not from the import, and is never overwritten — rename that figure's id")
        if _same(current, row):
            result.unchanged += 1
            continue
        old = f"{current.get('value')} {current.get('unit')} {current.get('currency')}"
        row = dict(row, note=f"{row['note']} Revised by the source: {old} until {retrieved.isoformat()}"
                             f" ({current.get('locator', '').split(';')[0]}).")
        table.rows[at] = row
        table.texts[at] = table.line(row)
        result.revised.append(Change(row["id"], old, f"{row['value']} {row['unit']} {row['currency']}", row))
    return result


def _same(current: dict[str, str], new: dict[str, str]) -> bool:
    """The same figure: the same value (as a number) for the same economies, flow and period."""
    keys = ("reporter", "partner", "flow", "period_start", "period_end", "commodity", "unit", "currency")
    if any(current.get(k) != new.get(k) for k in keys):
        return False
    try:
        return Decimal(current.get("value", "")) == Decimal(new["value"])
    except ArithmeticError:
        return False


def _with_source(table: Table, retrieved: date) -> bool:
    """Add the source row "UN Comtrade" if the package has none; True if it was added."""
    if any(r.get("id") == SOURCE_ID for r in table.rows):
        return False
    row = dict(SOURCE_ROW, published=retrieved.isoformat())
    table.rows.append(row)
    table.texts.append(table.line(row))
    return True


def _descriptor(descriptor: Path, goods_rows: bool) -> str | None:
    """datapackage.json with SOURCE_ID among `trademirror.databases` and, when declarations by commodity came, a
    `goods` resource (written as the real package is: two spaces, UTF-8 as it is); None when nothing is new."""
    import json

    from .official import SETTING

    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    own = meta.setdefault("trademirror", {})
    listed = own.get(SETTING) if isinstance(own.get(SETTING), list) else []
    names = [r.get("name") for r in meta.get("resources", [])]
    if SOURCE_ID in listed and (goods.RESOURCE in names or not goods_rows):
        return None
    own[SETTING] = listed if SOURCE_ID in listed else [*listed, SOURCE_ID]
    if goods_rows and goods.RESOURCE not in names:
        meta["resources"].insert(names.index("figures") + 1, goods.resource(meta["resources"][names.index("figures")]))
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n"


def _goods_table(descriptor: Path) -> tuple[Path, Table]:
    """goods.csv and its table: as it is, or new (its header only) when the package has no such resource yet."""
    import json

    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    by_name = {r.get("name"): r for r in meta.get("resources", [])}
    if goods.RESOURCE in by_name:
        path = descriptor.parent / by_name[goods.RESOURCE]["path"]
        if path.exists():
            return path, Table.read(path)
        header = [f["name"] for f in by_name[goods.RESOURCE]["schema"]["fields"]]
    else:
        path, header = descriptor.parent / goods.PATH, goods.header(by_name["figures"])
    table = Table(header, "", [], [])
    table.header_text = table.line(dict(zip(header, header)))
    return path, table


def _resource_path(descriptor: Path, name: str) -> Path:
    import json

    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in meta.get("resources", []):
        if resource.get("name") == name:
            return descriptor.parent / resource["path"]
    raise ImportRefused(f"{descriptor.name}: no resource named '{name}' — the import writes figures and sources")


@dataclass
class Outcome:
    merge: Merge  # figures.csv: the totals
    goods: Merge  # goods.csv: by commodity
    records: int
    source_added: bool
    written: bool


def run(descriptor: Path, query_for: Callable[[Codes], comtrade.Query], client: comtrade.Client,
        retrieved: date, dry_run: bool = False) -> Outcome:
    """The whole import; raises a UserError (nothing written) or returns what changed."""
    from .validate import validate

    figures_path, sources_path = _resource_path(descriptor, "figures"), _resource_path(descriptor, "sources")
    codes = read_codes(_resource_path(descriptor, "countries"))
    query = query_for(codes)
    answer = comtrade.fetch(query, client)
    incoming = rows(answer, query, codes, retrieved)
    figures, sources = Table.read(figures_path), Table.read(sources_path)
    result = merge(figures, [r for r in incoming if "commodity" not in r], retrieved)
    by_commodity = [r for r in incoming if "commodity" in r]
    goods_path, goods_table = _goods_table(descriptor) if by_commodity else (None, None)
    goods_result = merge(goods_table, by_commodity, retrieved, goods_path.name) if by_commodity else Merge()
    changed = not (result.empty and goods_result.empty)
    source_added = _with_source(sources, retrieved) if changed else False
    if not changed or dry_run:
        return Outcome(result, goods_result, len(answer.records), source_added, False)
    new = {figures_path: figures.text(), sources_path: sources.text()}
    if by_commodity:
        new[goods_path] = goods_table.text()
    listed = _descriptor(descriptor, bool(by_commodity))
    if listed is not None:
        new[descriptor] = listed
    with tempfile.TemporaryDirectory(prefix="trademirror-import-") as tmp:
        copy = Path(tmp) / descriptor.parent.name
        shutil.copytree(descriptor.parent, copy)
        for path, text in new.items():
            (copy / path.relative_to(descriptor.parent)).parent.mkdir(parents=True, exist_ok=True)
            (copy / path.relative_to(descriptor.parent)).write_bytes(text.encode("utf-8"))
        report, _ = validate(copy / descriptor.name, retrieved)
        if report.errors:
            raise ImportRefused("the imported rows would make the package invalid (the lines above say where);"
                               " nothing was written", report)
    for path, text in new.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text.encode("utf-8"))  # byte for byte, on every system
    return Outcome(result, goods_result, len(answer.records), source_added, True)
