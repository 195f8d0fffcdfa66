"""Named constants: flows, qualifiers, tolerances and the mirror-statistics thresholds.

Each one is explained to readers on the methodology page, which reads them
from here, so the page and the arithmetic cannot drift apart.
"""

from __future__ import annotations

FLOWS = ("exports", "imports", "turnover")
QUALIFIERS = ("exact", "approx", "over", "under")

# Mirror flows: what the reporter calls a flow, its partner calls the mirror flow.
MIRROR_FLOW = {"exports": "imports", "imports": "exports", "turnover": "turnover"}

# --- Tolerance: how far a published value may be from the true one -----------
# A value is taken to be rounded at its last significant digit; trailing zeros
# are not significant, but at least MIN_SIGNIFICANT_DIGITS are assumed
# ("$10bn" is read as 10 ± 0.5, not 0–20).
MIN_SIGNIFICANT_DIGITS = 2
# An "about" value is read as ± this many rounding units (exact values: ± 0.5).
APPROX_UNITS = 1.0
# "over X" is read as X .. X + this many units; "under X" as X − units .. X.
OVER_UNDER_UNITS = 1.0

# --- Mirror statistics ------------------------------------------------------
# Importers value goods CIF (with freight and insurance), exporters FOB.
CIF_FOB_FACTOR = 1.06  # the IMF's standard factor for partners without a common frontier
CIF_FOB_FACTOR_NEIGHBOURS = 1.00  # where the two customs frontiers touch
CONSISTENT_MAX = 0.05  # |gap| up to 5% is consistent
NOTABLE_MAX = 0.15  # 5–15% is notable; beyond that, large if also ≥ LARGE_MIN_USD_MN
LARGE_MIN_USD_MN = 100.0
SMALL_FLOW_USD_MN = 50.0  # under this, only the absolute gap is reported
LEAD_GAPS = 8  # pairs in the home page's lead chart, the widest gaps in money first
