"""A kind of finding, in one place: its code, the check that finds it, its details and the sentence readers see.

Modelled on frictionless-py's error classes, each carrying its own type and
message template: a kind's entry sits beside its check (totals.py, units.py …),
so adding a check touches that one file and the `findings.*` keys of each
catalogue in locales/. The registry (registry.py) lists the entries in the
order the checks run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..report import Problem
from .context import Context


@dataclass(frozen=True)
class Wording:
    """What a finding's sentence is written with, in one edition's language (the pages' formatters)."""

    text: Callable[..., str]  # a catalogue message by key, its blanks filled: text("findings.sentence.x", a=…)
    said: Mapping[str, str]  # country code -> its name inside a sentence
    period: Callable[[date, date], str]  # "2024", "January–June 2025"
    pct: Callable[[float], str]  # a signed share: 0.123 -> "+12.3%"
    figure: Callable[[Any], str]  # a figure row as readers see it: its value, with the conversion if any
    money: Callable[[float], str]  # an amount the checks computed, in millions of the comparison currency
    flow: Callable[[str, str], str]  # (flow, partner) -> "exports to Tajikistan"
    kinds: Mapping[str, str]  # country code -> "country" or "group"
    figures: Mapping[str, Any]  # figure id -> row
    growth: Mapping[str, Any]  # growth id -> row
    indicators: Mapping[str, Any]  # indicator id -> row
    locale: str
    sources: Mapping[str, Any] = field(default_factory=dict)  # source id -> row (its publisher and title)

    def rows(self, p: Problem) -> list:
        """The figure rows a finding names, in its order (growth and indicator ids are left out)."""
        return [self.figures[i] for i in p.ids if i in self.figures]


@dataclass(frozen=True)
class Kind:
    """One kind of finding.

    `check` finds it (one check may find several kinds: turnover_vs_components);
    `sentence` turns one such Problem into reader text; `details` names the keys
    of `Problem.details` the check fills in, and what each holds; `words` are the
    catalogue keys the sentence uses beyond `findings.heading.<code>` and
    `findings.sentence.<code>`.
    """

    code: str
    check: Callable[[Context], list[Problem]]
    sentence: Callable[[Problem, Wording], str]
    details: Mapping[str, str]
    words: tuple[str, ...] = field(default=())

    @property
    def locale_keys(self) -> tuple[str, ...]:
        """Every catalogue key this kind is shown with: its heading, its sentence and any further words."""
        return (f"findings.heading.{self.code}", f"findings.sentence.{self.code}", *self.words)
