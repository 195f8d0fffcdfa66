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

# --- Currencies -------------------------------------------------------------
# The comparison currency of a package that names none (`trademirror.currency`),
# and so the display currency of an edition that names none (`extra.currency`).
DEFAULT_CURRENCY = "USD"

# --- Mirror statistics ------------------------------------------------------
# Importers value goods CIF (with freight and insurance), exporters FOB.
CIF_FOB_FACTOR = 1.06  # the IMF's standard factor for partners without a common frontier
CIF_FOB_FACTOR_NEIGHBOURS = 1.00  # where the two customs frontiers touch
CONSISTENT_MAX = 0.05  # |gap| up to 5% is consistent
NOTABLE_MAX = 0.15  # 5–15% is notable; beyond that, large if also ≥ LARGE_MIN_MN
# The two amounts below are in millions of the package's comparison currency
# (`trademirror.currency` in datapackage.json, DEFAULT_CURRENCY when unset): mirror
# pairs are compared after both sides are converted into it.
LARGE_MIN_MN = 100.0
SMALL_FLOW_MN = 50.0  # under this, only the absolute gap is reported
LEAD_GAPS = 8  # pairs in the home page's lead chart, the widest gaps in money first

# --- Units slips: a value in billions typed as millions, or thousands as millions ----
# Two sides of a mirror pair that differ by more than this factor, even at the
# ends of their rounding intervals, are reported: real mirror gaps are tens of
# percent, a slip of units is a factor of a thousand.
UNITS_PAIR_FACTOR = 5.0
# A figure this many times above or below the other figures of its series (same
# reporter, partner and flow, each scaled to one month of its period) is reported.
UNITS_SERIES_FACTOR = 500.0

# --- What a data package may make the build read ----------------------------
# A package arrives by pull request from people the editors do not know, so these
# limits are code, reviewed like code: nothing in datapackage.json can raise them.
# Text lengths (a note, a title, a locator) are in the Table Schema as maxLength.
MAX_DESCRIPTOR_BYTES = 1024 * 1024  # datapackage.json (the real one is 27 kB)
MAX_FILE_BYTES = 128 * 1024 * 1024  # one resource file (the benchmark's million figures take 89 MB)
MAX_LINE_BYTES = 64 * 1024  # one line of a CSV file (a row with a 1,000-character note is under 2 kB)
MAX_RESOURCES = 32  # resources in one package (the real one has 6)
# Resources given as an http(s) address instead of a file in the package folder.
# Off: a pull request cannot make the build fetch anything. On, each one is
# downloaded once, within MAX_FILE_BYTES and REMOTE_TIMEOUT_SECONDS.
REMOTE_RESOURCES = False
REMOTE_TIMEOUT_SECONDS = 30

# --- UN Comtrade (trademirror.comtrade) --------------------------------------
# Here, not in comtrade.py, so the command line can name them in its help
# without importing the client and urllib3 on every run.
COMTRADE_API_URL = "https://comtradeapi.un.org"  # the address the client has built in
COMTRADE_KEY_VARIABLE = "COMTRADE_API_KEY"  # a subscription key (comtradedeveloper.un.org); unset: keyless preview
