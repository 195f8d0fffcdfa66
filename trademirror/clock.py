"""Today's date, or the date a reproducible build is pinned to.

`SOURCE_DATE_EPOCH` (https://reproducible-builds.org/specs/source-date-epoch/)
fixes "now" for a build; MkDocs honours it for the sitemap, and the data checks
use it for "is this period in the future?", so a rebuild of an old commit gives
the same answer it gave then.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def today() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()
