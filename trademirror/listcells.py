"""Cells that hold lists: space-separated codes (groups, borders) and the sources' agency pairs."""

from __future__ import annotations

AGENCY_KINDS = ("customs", "statistics", "ministry", "not-stated")
NOT_STATED = "not-stated"


def agencies(value: object) -> dict[str, str]:
    """sources.agency as {reporter code: kind}: 'CHN:customs KGZ:statistics' -> {'CHN': 'customs', 'KGZ': 'statistics'}.

    A reporter the cell does not list gets no entry: its figures' agency is not stated.
    """
    return dict(item.split(":", 1) for item in codes(value) if ":" in item)


def codes(value: object) -> list[str]:
    """The codes in a space-separated list cell (groups, borders); empty for a blank cell."""
    return value.split() if isinstance(value, str) else []
