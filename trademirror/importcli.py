"""The command line of `build_charts.py import comtrade`: its flags, and turning them into a query.

Kept apart from `cli.py` so that adding a source of imports is one parser and
one handler here; nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

YEARS = re.compile(r"^(\d{4})(?:(?:-|\.\.)(\d{4}))?$")
MONTHS = re.compile(r"^(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?$")


def register(sub) -> argparse.ArgumentParser:
    """Add `import comtrade` to the command line's subparsers."""
    from .settings import COMTRADE_API_URL as API_URL
    from .settings import COMTRADE_KEY_VARIABLE as KEY_VARIABLE

    imp = sub.add_parser("import", help="import figures from an official database into the data package"
                                        " (see `import comtrade --help`)")
    sources = imp.add_subparsers(dest="source", required=True, metavar="SOURCE")
    c = sources.add_parser(
        "comtrade", help="both sides' declarations from UN Comtrade, merged into figures.csv",
        description="Import each reporter's declared exports and imports from UN Comtrade (the official client,"
                    f" comtradeapicall) as figures from the source 'UN Comtrade'. Keyless preview by default; a"
                    f" subscription key in ${KEY_VARIABLE} is used when set. Unchanged rows stay byte for byte,"
                    " a revised value updates its row (the changelog shows it as revised), figures typed by hand"
                    " are never touched, and nothing is written unless the package still validates.")
    period = c.add_mutually_exclusive_group(required=True)
    period.add_argument("--years", nargs="+", metavar="YEAR",
                        help="calendar years: 2023, or a range 2019-2024 (annual declarations)")
    period.add_argument("--months", nargs="+", metavar="YYYY-MM",
                        help="months: 2024-05, or a range 2024-01..2024-06 (monthly declarations)")
    c.add_argument("--reporters", nargs="+", metavar="CODE",
                   help="economies whose declarations to import, as countries.csv codes (default: every country"
                        " of the package that trademirror/m49.csv maps)")
    c.add_argument("--partners", nargs="+", metavar="CODE",
                   help="their partners, as countries.csv codes, groups such as WLD included (default: every"
                        " economy of the package that trademirror/m49.csv maps)")
    c.add_argument("--flows", nargs="+", choices=["exports", "imports"], default=["exports", "imports"],
                   help="flows from the reporter's point of view (default: both)")
    c.add_argument("--commodity", default="TOTAL", metavar="CODE",
                   help="TOTAL (the default: all goods, into figures.csv), 'chapters' (every HS chapter) or HS"
                        " codes such as 27,72 or 2709: declarations by commodity, into the goods resource")
    c.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    c.add_argument("--api-url", default=os.environ.get("COMTRADE_API_URL", API_URL),
                   help=f"the API's address (default {API_URL}, or $COMTRADE_API_URL): a mirror, or a test server")
    c.add_argument("--package", type=Path, dest="command_package", help=argparse.SUPPRESS)
    return imp


def periods(years: list[str] | None, months: list[str] | None) -> tuple[str, ...]:
    """--years / --months as Comtrade's periods (YYYY or YYYYMM), sorted, each once."""
    from .importer import ImportRefused

    out: set[str] = set()
    for item in years or []:
        m = YEARS.match(item)
        if not m or int(m[1]) < 1962 or int(m[2] or m[1]) < int(m[1]):
            raise ImportRefused(f"--years: '{item}' is not a year or a range of years — write 2023 or 2019-2024")
        out.update(str(y) for y in range(int(m[1]), int(m[2] or m[1]) + 1))
    for item in months or []:
        m = MONTHS.match(item)
        if not m:
            raise ImportRefused(f"--months: '{item}' is not a month or a range — write 2024-05 or 2024-01..2024-06")
        first, last = int(m[1]) * 12 + int(m[2]) - 1, int(m[3] or m[1]) * 12 + int(m[4] or m[2]) - 1
        if not (1 <= int(m[2]) <= 12 and 1 <= int(m[4] or m[2]) <= 12) or last < first:
            raise ImportRefused(f"--months: '{item}' is not a month or a range — write 2024-05 or 2024-01..2024-06")
        out.update(f"{n // 12}{n % 12 + 1:02d}" for n in range(first, last + 1))
    return tuple(sorted(out))


def command(args: argparse.Namespace, paths) -> int:
    from . import clock
    from .comtrade import KEY_VARIABLE, Client, Query
    from .importer import Codes, ImportRefused, run

    descriptor = args.command_package or args.package or paths.default_package()
    chosen = periods(args.years, args.months)
    commodity = commodities(args.commodity)
    key = os.environ.get(KEY_VARIABLE, "").strip() or None

    def query_for(codes: Codes) -> Query:
        mapped = set(codes.to_package.values())

        def pick(given: list[str] | None, kinds: tuple[str, ...], flag: str) -> tuple[int, ...]:
            if not given:  # the package's own economies that UN Comtrade has a code for
                return tuple(sorted(codes.to_comtrade(c) for c, kind in codes.economies.items()
                                    if kind in kinds and c in mapped))
            unknown = [c for c in given if c.upper() not in codes.economies]
            if unknown:
                raise ImportRefused(f"{flag}: '{unknown[0]}' is not in countries.csv — use a code listed there,"
                                    " or add the economy's row first")
            return tuple(sorted({codes.to_comtrade(c.upper()) for c in given}))

        return Query(pick(args.reporters, ("country",), "--reporters"),
                     pick(args.partners, ("country", "group"), "--partners"), chosen, tuple(args.flows), commodity)

    outcome = run(descriptor, query_for, Client(key, args.api_url), clock.today(), dry_run=args.dry_run)
    merge, how = outcome.merge, "with the key in $" + KEY_VARIABLE if key else "keyless preview"
    if not outcome.records:
        print(f"UN Comtrade has no declarations for this query ({how}): nothing changed")
        return 0
    verb = "would be" if args.dry_run else "were"
    goods = outcome.goods
    by_commodity = (f"; in goods.csv {len(goods.added)} declaration(s) {verb} added, {len(goods.revised)} revised,"
                    f" {goods.unchanged} unchanged") if goods.added or goods.revised or goods.unchanged else ""
    print(f"UN Comtrade ({how}): {outcome.records} declaration(s); in figures.csv {len(merge.added)} figure(s)"
          f" {verb} added, {len(merge.revised)} revised, {merge.unchanged} unchanged{by_commodity}"
          + ("; nothing written (dry run)" if args.dry_run and not (merge.empty and goods.empty) else ""))
    for change in merge.revised + goods.revised:
        print(f"revised by the source: {change.id}: {change.old} -> {change.new}")
    return 0


def commodities(given: str) -> str:
    """--commodity as UN Comtrade's cmdCode: TOTAL, AG2 (every HS chapter) or a list of HS codes."""
    from .comtrade import CHAPTERS, TOTAL
    from .goods import CODE
    from .importer import ImportRefused

    word = given.strip().upper()
    if word in (TOTAL, CHAPTERS):
        return word
    if word == "CHAPTERS":
        return CHAPTERS
    codes = [c.strip() for c in given.split(",")]
    bad = next((c for c in codes if not CODE.fullmatch(c)), None)
    if bad is not None:
        raise ImportRefused(f"--commodity: '{bad}' is not an HS code — write TOTAL, chapters, or HS codes of 2, 4"
                            " or 6 digits separated by commas (27,72 or 2709)")
    return ",".join(sorted(set(codes)))
