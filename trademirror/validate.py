"""Schema first, then consistency: the full validation of one package.

The bytes read for the schema check, and the text tables parsed from them, are
handed on to `load`, so a package is read from disk (through `resources`, under
its rules) only once, and parsed only once when big.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from . import checks, package
from .package import Dataset
from .report import Report

# glibc's mallopt parameters, and its defaults to go back to after validation.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
DEFAULTS = {M_TRIM_THRESHOLD: 128 * 1024, M_TOP_PAD: 128 * 1024, M_MMAP_THRESHOLD: 128 * 1024}
KEEP = {M_TRIM_THRESHOLD: 2**31 - 1, M_TOP_PAD: 256 << 20, M_MMAP_THRESHOLD: 1 << 30}


def validate(descriptor: Path, today: date | None = None) -> tuple[Report, Dataset | None]:
    """Validate a package; return the report and, when it has no errors, the loaded data."""
    with _reuse_freed_memory():
        schema = package.check_schema(descriptor)
        if schema.problems or schema.omitted:
            return Report(schema.problems, schema.omitted), None
        data = package.load(descriptor, schema.tables, schema.raws)
        report = Report(checks.run(data, today))
        return report, (None if report.errors else data)


def valid(descriptor: Path, today: date | None = None) -> tuple[Report, Dataset]:
    """The report and data of a package the build may go on with; a BuildError (with the report) otherwise."""
    from .errors import BuildError

    report, data = validate(descriptor, today)
    if data is None:
        raise BuildError(f"{len(report.errors)} error(s) in the data package; nothing was built", report)
    return report, data


@contextmanager
def _reuse_freed_memory() -> Iterator[None]:
    """Let glibc hand freed memory straight back to the next array instead of to the system.

    A million-row validation makes and drops hundreds of arrays of several MB.
    By default glibc maps each one fresh and unmaps it when freed, so every
    array is paid again in page faults: about 1 s of system time, a sixth of
    the run. Keeping freed memory in the heap for the duration changes no
    result and not the peak; afterwards the defaults return and the surplus
    is released. Elsewhere than Linux/glibc this does nothing.
    """
    libc = _glibc()
    if libc is None:
        yield
        return
    for option, value in KEEP.items():
        libc.mallopt(option, value)
    try:
        yield
    finally:
        for option, value in DEFAULTS.items():
            libc.mallopt(option, value)
        libc.malloc_trim(0)


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
