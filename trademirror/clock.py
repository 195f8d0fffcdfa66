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


def stamp() -> str:
    """The build's moment as RFC 3339 (feeds): to the second when pinned by SOURCE_DATE_EPOCH, else today at 00:00.

    `release` pins it to the source commit's time, so two releases on one day get the stamps of their commits.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{date.today().isoformat()}T00:00:00Z"
