"""Where chart images are drawn: vl-convert's JavaScript runtime, in this process or in worker processes.

charts.py lays a spec out for an image and calls `convert`; `drawing_processes` opens the workers a build
draws in (see site.render_all).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

VL_VERSION = "6.4"  # the Vega-Lite version specs are drawn with


_workers = None  # a ProcessPoolExecutor while drawing_processes() is open
_runtime_here = False  # whether vl-convert's JavaScript runtime has started in this process


def convert(function: str, *args, **kwargs):
    """Call a vl_convert function: in a worker process if a pool is open, else here."""
    global _runtime_here
    import vl_convert as vlc  # heavy: imported only when an image must be drawn

    if _workers is not None:  # the function is pickled by name; the worker already has the module
        return _workers.submit(getattr(vlc, function), *args, **kwargs).result()
    _runtime_here = True
    return getattr(vlc, function)(*args, **kwargs)


def _set_up_runtime() -> None:
    """Start a worker's vl-convert runtime once, before its first real image."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, vl_version=VL_VERSION)


@contextmanager
def drawing_processes(workers: int) -> Iterator[bool]:
    """While the block runs, draw in `workers` forked processes; yields whether it does.

    vl-convert draws on one JavaScript runtime per process, one image at a
    time, so threads alone gain nothing; processes do. Each worker sets its
    runtime up once, as soon as it starts, and reuses it for every image. The
    workers are forked (they inherit the loaded modules, so start in
    milliseconds, and need no `__main__` guard in the caller), all at once
    before anything is drawn. A process whose own runtime has already started
    cannot be forked safely (the copy would wait forever on the runtime's
    threads, which a fork does not copy), so then everything is drawn here.
    Output is the same bytes either way: `stable_ids` numbers each image alone.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _workers
    if _runtime_here or _workers is not None or workers < 2 \
            or "fork" not in multiprocessing.get_all_start_methods():
        yield False
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for _ in range(workers):  # the first submit forks every worker, before anything is drawn here
            pool.submit(_set_up_runtime)
        _workers = pool
        try:
            yield True
        finally:
            _workers = None
