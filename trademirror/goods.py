"""Declarations by commodity (HS chapters, headings): the package's `goods` resource.

Totals go to figures.csv, where a press figure can be set against them; a
declaration of one commodity cannot be, and a region's chapters run to
hundreds of thousands of rows, so they live in a resource of their own,
`goods`, made by the first import that brings any (`import comtrade
--commodity chapters`). Its schema is the package's own figures schema (the
same constraints, foreign keys and limits, so an editor who tightens one
tightens both) with a `commodity` column: the HS code as UN Comtrade gives it.
"""

from __future__ import annotations

import copy
import re

RESOURCE = "goods"
PATH = "data/goods.csv"
AFTER = "period_end"  # the commodity column follows the period
DROPPED = ("status",)  # an official declaration is final as released; a revision replaces it
FLOWS = ["exports", "imports"]  # what a reporter declares by commodity (no turnover)
CODE = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")  # an HS chapter, heading or subheading
COMMODITY = {
    "name": "commodity",
    "type": "string",
    "description": "The HS code as UN Comtrade's cmdCode gives it: a chapter (2 digits), heading (4) or"
                   " subheading (6).",
    "constraints": {"required": True, "pattern": "^[0-9]{2}([0-9]{2}){0,2}$"},
}


def resource(figures: dict) -> dict:
    """The `goods` resource descriptor, derived from the package's `figures` resource."""
    schema = copy.deepcopy(figures["schema"])
    fields = []
    for spec in schema["fields"]:
        if spec["name"] in DROPPED:
            continue
        if spec["name"] == "flow":
            spec["constraints"]["enum"] = list(FLOWS)
        fields.append(spec)
        if spec["name"] == AFTER:
            fields.append(copy.deepcopy(COMMODITY))
    schema["fields"] = fields
    return {
        "name": RESOURCE,
        "path": PATH,
        "title": "Declarations by commodity",
        "description": "One row per reporter, partner, flow, period and HS code, as the reporter declared it to"
                       " an official database (see sources.csv). Written by the UN Comtrade import"
                       " (its --commodity flag); the totals are in figures.",
        **{k: figures[k] for k in ("profile", "format", "mediatype", "encoding") if k in figures},
        "schema": schema,
    }


def header(figures: dict) -> list[str]:
    return [spec["name"] for spec in resource(figures)["schema"]["fields"]]
