"""`build_charts.py add`: one figure, asked for field by field, so a journalist need not read the schema.

The questions come from the package's own schema for figures.csv (each field's
description, its allowed values, the codes its foreign keys allow), so they
follow the schema when it changes. Each answer is checked as it is typed; the
row is appended only when all are good, and the whole package is validated
then. If the new row makes the package invalid, it is taken out again and
the errors are printed: nothing the journalist had is lost.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from . import clock
from .errors import UserError

RESOURCE = "figures"


class AddError(UserError):
    """The package cannot take a figure this way; the message says why."""

    exit_code = 2
    command = "add"


def _resource(descriptor: Path, name: str) -> dict:
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in meta.get("resources", []):
        if resource.get("name") == name:
            return resource
    raise AddError(f"{descriptor.name}: no resource named '{name}'")


def _column(descriptor: Path, resource: str, field: str) -> list[str]:
    path = descriptor.parent / _resource(descriptor, resource)["path"]
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[field] for row in csv.DictReader(handle) if row.get(field)]


def choices(descriptor: Path, field: dict, keys: list[dict]) -> list[str]:
    """The values a field allows: its enum, or the codes of the resource its foreign key points to."""
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        return [str(v) for v in enum]
    for key in keys:
        if key.get("fields") == field["name"]:
            ref = key["reference"]
            return _column(descriptor, ref["resource"], ref["fields"])
    return []


def check(field: dict, allowed: list[str], answer: str, taken: set[str]) -> str | None:
    """What is wrong with an answer for this field, in one sentence; None if it is good."""
    c = field.get("constraints") or {}
    if not answer:
        return "this field is required" if c.get("required") else None
    if allowed and answer not in allowed:
        return f"'{answer}' is not one of: {', '.join(allowed)}"
    if field.get("type") == "date":
        try:
            date.fromisoformat(answer)
        except ValueError:
            return f"'{answer}' is not a date written as YYYY-MM-DD"
    if field.get("type") == "number":
        try:
            number = float(answer)
        except ValueError:
            return f"'{answer}' is not a number (digits, a point for decimals, no thousands separators)"
        if "minimum" in c and number < c["minimum"]:
            return f"{answer} is below the smallest allowed, {c['minimum']}"
        if "maximum" in c and number > c["maximum"]:
            return f"{answer} is above the largest allowed, {c['maximum']}"
    if "pattern" in c and not re.fullmatch(c["pattern"], answer):
        return f"'{answer}' is not in the expected form ({c['pattern']})"
    if c.get("unique") and answer in taken:
        return f"'{answer}' is already used by another row"
    if "maxLength" in c and len(answer) > c["maxLength"]:
        return f"longer than {c['maxLength']} characters"
    return None


def suggested_id(row: dict[str, str]) -> str:
    """The package's own id style: reporter-partner-flow-year, e.g. chn-kaz-exports-2025."""
    parts = [row.get("reporter", ""), row.get("partner", ""), row.get("flow", ""), row.get("period_start", "")[:4]]
    return "-".join(p.lower() for p in parts if p)


def ask(descriptor: Path, prompt: Callable[[str], str], say: Callable[[str], None]) -> dict[str, str]:
    """The new row, asked field by field (the id last, with a suggestion built from the answers)."""
    resource = _resource(descriptor, RESOURCE)
    schema = resource["schema"]
    keys = schema.get("foreignKeys", [])
    fields = schema["fields"]
    taken = set(_column(descriptor, RESOURCE, fields[0]["name"]))
    ordered = fields[1:] + fields[:1]  # the id is easier to answer once the rest is known
    row: dict[str, str] = {}
    for field in ordered:
        allowed = choices(descriptor, field, keys)
        default = suggested_id(row) if field is fields[0] else ""
        while default in taken:
            default += "-b"
        hint = f" [{', '.join(allowed)}]" if allowed and len(allowed) <= 30 else ""
        hint += f" (Enter for {default})" if default else ""
        while True:
            answer = prompt(f"{field['name']} — {field.get('description', '')}{hint}: ").strip() or default
            problem = check(field, allowed, answer, taken)
            if problem is None:
                break
            say(f"  {problem}; try again")
        row[field["name"]] = answer
    return {f["name"]: row.get(f["name"], "") for f in fields}


def append(descriptor: Path, row: dict[str, str]) -> tuple[Path, bytes]:
    """Append the row to figures.csv; return the file and its previous bytes (to undo)."""
    path = descriptor.parent / _resource(descriptor, RESOURCE)["path"]
    before = path.read_bytes()
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([row[k] for k in row])
    separator = b"" if before.endswith(b"\n") or not before else b"\n"
    path.write_bytes(before + separator + line.getvalue().encode("utf-8"))
    return path, before


def add(descriptor: Path, prompt: Callable[[str], str] = input, say: Callable[[str], None] = print) -> int:
    """Ask, append, validate; undo if the package no longer validates. Returns the exit code."""
    from .validate import validate

    row = ask(descriptor, prompt, say)
    path, before = append(descriptor, row)
    report, _ = validate(descriptor, clock.today())
    if report.errors:
        path.write_bytes(before)
        say(report.format())
        say(f"error: the new row makes the package invalid, so it was not kept ({path.name} is as it was)")
        return 1
    findings = f"; {len(report.findings)} finding(s) in the package" if report.findings else ""
    say(f"Added {row[next(iter(row))]} to {path.name}: the package validates{findings}."
        " Run `make serve` to see it on the pages.")
    return 0
