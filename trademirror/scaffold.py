"""Scaffold a new data package for another region: `build_charts.py init --region NAME`.

A newsroom that forks the project starts from a package that already validates
and builds: the same Table Schema as every Trade Mirror package (shipped beside
this module as `package_schema.json`, so a fork that deletes the original
package still has it), the `trademirror` settings naming the focus reporter and
the region, and one example row where an example is needed to build (a figure,
its source, and the countries it names). The other resources start empty.

`plan` checks the request against what is already on disk and `files` turns it
into file contents; both are pure. `write` puts the files in place all at once,
so a refusal or a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import settings
from .errors import UserError

SCHEMA_FILE = Path(__file__).with_name("package_schema.json")
CODE = re.compile(r"^[A-Z][A-Z0-9]{2}$")  # the schema's pattern for country and group codes
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # the Data Package name pattern used in datapackages/
RESERVED = ("WLD",)  # group codes the checks give a meaning of their own (the world)
# The example partner when none is named: an ISO 3166-1 user-assigned code, so it is never a real country.
EXAMPLE_PARTNER = "AAA"
EXAMPLE_NAME = "Example partner"
EXAMPLE_SOURCE = "example-source"


class ScaffoldError(UserError):
    """The request cannot be carried out; the message is one line: what is wrong — what to do."""

    exit_code = 2
    command = "init"


@dataclass(frozen=True)
class Request:
    """What the newsroom asked for, already checked and completed by `plan`."""

    region: str  # the region's name as readers see it
    region_code: str  # its group code in countries.csv
    focus: str  # the reporter every page is about
    members: tuple[str, ...]  # the region's countries; the first one gets the example figure
    names: dict[str, str]  # code -> name for the focus reporter and the members
    name: str  # the package name (and folder name under datapackages/)
    target: Path  # the folder to create


def slugify(text: str) -> str:
    """ASCII lower-case words joined by hyphens ("Southeast Asia" -> "southeast-asia"); '' if none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def region_code(region: str) -> str:
    """A group code from the region's name: X and two initials ("Central Asia" -> XCA), '' if none fit."""
    words = slugify(region).upper().split("-")
    letters = "".join(w[0] for w in words if w)[:2] if len(words) > 1 else words[0][:2]
    code = f"X{letters}"
    return code if CODE.match(code) else ""


def country_name(code: str) -> str:
    """The English CLDR name of an ISO 3166-1 alpha-3 code, or '' when CLDR does not know it."""
    from .i18n import cldr_country_name

    return cldr_country_name(code, "en") or ""


def existing_packages(datapackages: Path) -> list[str]:
    return sorted(p.parent.name for p in datapackages.glob("*/datapackage.json"))


def plan(region: str, focus: str, *, datapackages: Path, members: list[str] | None = None,
         code: str | None = None, name: str | None = None, target: Path | None = None,
         names: dict[str, str] | None = None) -> Request:
    """Check a request and fill in its defaults; raise ScaffoldError (one line) on anything wrong.

    Without `target` the package goes to datapackages/<name>/, and only if no other package is
    there: a site is built from the one package in datapackages/ (see paths.Paths.default_package).
    """
    region = region.strip()
    if not region:
        raise ScaffoldError("--region: is empty — give the region's name as readers should see it")
    focus = _code("--focus", focus)
    members_list = [_code("--members", m) for m in members] if members else [EXAMPLE_PARTNER]
    group = _code("--region-code", code) if code else region_code(region)
    if not group:
        raise ScaffoldError(f"--region: no group code can be made from '{region}'"
                            " — give one with --region-code, e.g. X and two letters")
    codes = [focus, *members_list, group]
    for c in codes:
        if codes.count(c) > 1:
            raise ScaffoldError(f"--focus/--members/--region-code: '{c}' is used twice"
                                " — the focus reporter, each member and the region need codes of their own")
    if group in RESERVED:
        raise ScaffoldError(f"--region-code: '{group}' means the world in Trade Mirror — choose another code")
    name = name or slugify(region)
    if not SLUG.match(name):
        raise ScaffoldError(f"--name: '{name}' is not a package name"
                            " — use lower-case ASCII letters, digits and hyphens, e.g. my-region-trade")
    if target is None:
        found = existing_packages(datapackages)
        if found:
            raise ScaffoldError(f"{datapackages}: already holds the package {', '.join(found)}, and a site is"
                                " built from only one — remove it first (git rm -r datapackages/"
                                f"{found[0]}) or say where to create the new one with --dir DIR")
        target = datapackages / name
    if target.exists():
        raise ScaffoldError(f"{target}: already exists — nothing was written; choose another --name or --dir,"
                            " or remove that folder")
    known = {c: country_name(c) or (EXAMPLE_NAME if c == EXAMPLE_PARTNER else c) for c in [focus, *members_list]}
    known.update(names or {})
    return Request(region, group, focus, tuple(members_list), known, name, target)



def _code(option: str, value: str) -> str:
    code = value.strip().upper()
    if not CODE.match(code):
        raise ScaffoldError(f"{option}: '{value}' is not a three-character code"
                            " — use the ISO 3166-1 alpha-3 code (three letters) of the economy")
    return code


def files(req: Request, today: date) -> dict[str, str]:
    """Every file of the new package, path relative to its folder -> text. Pure: same request, same files."""
    template = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    focus_name = req.names[req.focus]
    descriptor = {
        "profile": "tabular-data-package",
        "name": req.name,
        "title": f"{focus_name}–{req.region} trade: mirror statistics",
        "description": f"{focus_name}'s trade with {req.region}, figure by figure as each source published it,"
                       " with the national figures that disagree.",
        "version": "0.1.0",
        "created": f"{today.isoformat()}T00:00:00Z",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "contributors": [{"title": "Trade Mirror contributors", "role": "author"}],
        "keywords": ["trade", "mirror statistics", focus_name, req.region],
        "trademirror": {"focus_reporter": req.focus, "region": req.region_code},
        "resources": template["resources"],
    }
    year = today.year - 1  # the last full calendar year: an example period that is never in the future
    partner = req.members[0]
    rows = {
        "figures": [{
            "id": "example-figure", "reporter": req.focus, "partner": partner,
            "flow": "exports", "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
            "value": "100", "unit": "mn", "currency": settings.DEFAULT_CURRENCY, "qualifier": "exact",
            "source_id": EXAMPLE_SOURCE,
            "locator": "section, paragraph",
            "note": "Example row: replace it with a figure as its source published it.",
        }],
        "sources": [{
            "id": EXAMPLE_SOURCE, "publisher": "Example publisher", "title": "Example title (replace this source)",
            "published": f"{today.year}", "url": "", "primary_source": "The agency the publication cites",
            "language": "en",
        }],
        "countries": sorted([
            {"code": req.focus, "name": focus_name, "kind": "country"},
            *({"code": m, "name": req.names[m], "kind": "country", "groups": req.region_code} for m in req.members),
            {"code": req.region_code, "name": req.region, "kind": "group"},
        ], key=lambda r: r["code"]),
    }
    out = {"datapackage.json": json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"}
    for resource in template["resources"]:
        header = [f["name"] for f in resource["schema"]["fields"]]
        out[resource["path"]] = _csv(header, rows.get(resource["name"], []))
    return out


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: row.get(k, "") for k in header} for row in rows)
    return buffer.getvalue()


def write(contents: dict[str, str], target: Path) -> None:
    """Create `target` with these files, all or nothing: built in a sibling folder, then renamed into place."""
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        for rel, text in sorted(contents.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a package folder is an ordinary one
        staging.rename(target)
    except BaseException as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ScaffoldError(f"{target}: cannot be written ({exc.strerror or exc})"
                                " — give a --dir whose parent is a writable folder") from exc
        raise
