#!/usr/bin/env python3
"""Validate the data package and build the site's pages and charts into docs/.

    python build_charts.py validate    # check the data only
    python build_charts.py             # validate, then build
"""

import sys

from trademirror.cli import main

if __name__ == "__main__":
    sys.exit(main())
