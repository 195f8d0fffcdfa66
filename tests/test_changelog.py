"""The release changelog in the reader's words, in every language: what was revised, from what to what."""

from __future__ import annotations

import pytest

from trademirror import derive, mirror
from trademirror.i18n import Catalogue
from trademirror.validate import validate
from trademirror.views import Views

from .conftest import REAL_DESCRIPTOR


@pytest.mark.parametrize("locale, flow_text, value_word, old, new", [
    ("en", "trade with Kyrgyzstan", "the value", "US$23.6bn", "US$23.8bn"),
    ("ru", "товарооборот (партнёр: Киргизия)", "значение", "23,6 млрд долл. США", "23,8 млрд долл. США"),
])
def test_a_revision_reads_as_a_sentence_even_when_the_flow_text_has_a_colon(locale, flow_text, value_word, old, new):
    """The Russian flow text holds a colon; the changelog once cut the line there and showed a column name."""
    from trademirror.changelog import Changes

    report, data = validate(REAL_DESCRIPTOR)
    pairs, unmatched = mirror.pair(data.figures, data.countries, "CHN")
    views = Views(data, report, pairs, unmatched, derive.derived_values(data.figures, data.growth), Catalogue(locale))
    row = {"id": "chn-kgz-turnover-2025", "reporter": "CHN", "partner": "KGZ", "flow": "turnover",
           "period_start": "2025-01-01", "period_end": "2025-12-31", "value_mn": "23800", "qualifier": "exact",
           "source_id": "caspianpost-2026-01"}
    changes = Changes(version="1.1.0", previous="1.0.0",
                      revised=[{"id": row["id"], "field": "value_mn", "old": "23600", "new": "23800", "row": row}])
    [(key, [line])] = [(k, items) for k, items in views.changelog_page(changes).context["sections"] if items]
    assert key == "revised"
    assert flow_text in line and value_word in line and old in line and new in line
    assert "value_mn" not in line
    assert "The Caspian Post, via Eurasianet, 2026-01" in line  # the source of the revised figure, by its name
