"""Write build outputs into docs/: atomically, incrementally, and without leaving stale files.

A manifest beside the outputs records, for every generated file, a hash of
what it was made from and of what was written. An output whose input hash is
unchanged (and whose file is intact) is neither re-rendered nor rewritten; an
output that the new build no longer produces is deleted. Hand-written files
are never in the manifest, so they are never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".trademirror-manifest.json"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Output:
    """One generated file: its bytes, or a renderer keyed by a hash of its input (for costly outputs)."""

    path: str  # relative to docs/, POSIX style
    content: bytes | None = None
    render: Callable[[], bytes] | None = None
    key: str | None = None

    @property
    def input_hash(self) -> str:
        return self.key if self.key is not None else sha256(self.content or b"")


class Shared:
    """A renderer whose result several outputs use, computed by whichever needs it first, and only once.

    The PNG download is the SVG download rasterised, so the PNG's renderer asks
    the SVG's for its bytes: whether the SVG is drawn in this build or was
    unchanged (or cached) and only the PNG is missing, the chart is laid out
    once. `render_all` runs renderers on threads, hence the lock.
    """

    def __init__(self, render: Callable[[], bytes]):
        self._render = render
        self._lock = threading.Lock()
        self._result: bytes | None = None

    def __call__(self) -> bytes:
        with self._lock:
            if self._result is None:
                self._result = self._render()
            return self._result


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def read_manifest(root: Path) -> dict:
    try:
        return json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


CACHE_ENV = "TRADEMIRROR_CACHE"  # a folder that keeps drawn images between builds in different folders


def cache_dir() -> Path | None:
    """Where drawn images are kept by their input key, if TRADEMIRROR_CACHE names a folder.

    The manifest already spares a rebuild in the same folder; the cache spares
    builds in fresh folders (the build's staging copy, a CI checkout with a
    restored cache, the test suite) from drawing the same chart twice. A key
    names everything an image is drawn from, the renderer's version included,
    so a hit is the same bytes a fresh drawing would give.
    """
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value) if value else None


def _cached(costly: list[Output]) -> dict[str, bytes]:
    cache = cache_dir()
    found = {}
    for out in costly if cache else []:
        entry = cache / sha256(out.input_hash.encode("utf-8"))
        if entry.is_file():
            found[out.path] = entry.read_bytes()
    return found


def _keep(costly: list[Output], rendered: dict[str, bytes]) -> None:
    cache = cache_dir()
    for out in costly if cache else []:
        if out.path in rendered:
            atomic_write(cache / sha256(out.input_hash.encode("utf-8")), rendered[out.path])


STAMPS_FILE = ".trademirror-cache/stamps.json"  # under the project root, beside the economies' pages


class Stamps:
    """Each generated file's size and modification time when it was written, kept outside docs/ (in the
    project's cache folder), so that knowing a file is intact costs a `stat`, not a read and a hash.

    As in git's index, a file whose size and time are as recorded for the same content is taken as intact;
    one touched since (edited by hand, copied) is read and hashed. Losing the file only costs the hashing.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        try:
            self.known: dict = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            self.known = {}

    def vouch(self, rel: str, target: Path, output: str) -> bool:
        recorded = self.known.get(rel)
        if not recorded or recorded[0] != output:
            return False
        try:
            info = target.stat()
        except OSError:
            return False
        return recorded[1:] == [info.st_size, info.st_mtime_ns]

    def record(self, rel: str, target: Path, output: str) -> None:
        info = target.stat()
        self.known[rel] = [output, info.st_size, info.st_mtime_ns]

    def save(self) -> None:
        if self.path:
            atomic_write(self.path, (json.dumps(self.known, sort_keys=True) + "\n").encode("utf-8"))


def intact(root: Path, rel: str, output: str, stamps: Stamps | None = None) -> bool:
    """The file is the one the manifest says was written (`output`, its hash)."""
    target = root / rel
    if stamps is not None and stamps.vouch(rel, target, output):
        return True
    if not (target.is_file() and sha256(target.read_bytes()) == output):
        return False
    if stamps is not None:
        stamps.record(rel, target, output)
    return True


def write(root: Path, outputs: list[Output], jobs: int | None = None,
          defer: Callable[[str], bool] | None = None, stamps: Stamps | None = None) -> WriteResult:
    """Bring root/ in line with outputs, touching only what changed.

    Costly outputs that must be rendered are rendered first, in parallel when
    there are enough of them (see `render_all`); then files are written in
    path order, so the result and the manifest do not depend on the timing.
    A costly output whose path `defer` accepts keeps its previous file
    for now, if it has one (the live preview does not wait for the PNG
    downloads); the manifest still records the old input, so the next build
    without `defer` draws it.
    """
    old = read_manifest(root)
    new: dict[str, dict] = {}
    result = WriteResult()
    todo: list[Output] = []
    for out in sorted(outputs, key=lambda o: o.path):
        previous = old.get(out.path)
        deferred = defer is not None and out.content is None and defer(out.path)
        same_input = previous is not None and (previous["input"] == out.input_hash or deferred)
        if same_input and intact(root, out.path, previous["output"], stamps):  # no read of a file to be replaced
            new[out.path] = previous
            result.unchanged.append(out.path)
            continue
        todo.append(out)
    costly = [out for out in todo if out.content is None]
    rendered = _cached(costly)
    drawn = render_all([out for out in costly if out.path not in rendered], jobs)
    _keep(costly, drawn)
    rendered.update(drawn)
    for out in todo:
        data = out.content if out.content is not None else rendered[out.path]
        atomic_write(root / out.path, data)
        new[out.path] = {"input": out.input_hash, "output": sha256(data)}
        if stamps is not None:
            stamps.record(out.path, root / out.path, new[out.path]["output"])
        result.written.append(out.path)
    for path in sorted(set(old) - set(new)):
        target = root / path
        if stamps is not None:
            stamps.known.pop(path, None)
        if intact(root, path, old[path]["output"]):  # never a file edited by hand
            target.unlink()
            result.removed.append(path)
            _prune_empty_dirs(target.parent, root)
    atomic_write(root / MANIFEST, (json.dumps(new, indent=1, sort_keys=True) + "\n").encode())
    return result


PARALLEL_MIN = 8  # fewer renders than this are drawn in-process: starting workers would cost more than it saves
JOBS_ENV = "TRADEMIRROR_JOBS"  # e.g. TRADEMIRROR_JOBS=1 to draw everything in this process


def default_jobs() -> int:
    """Worker processes to draw with: TRADEMIRROR_JOBS if set, else the CPUs this process may use."""
    value = os.environ.get(JOBS_ENV, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_all(costly: list[Output], jobs: int | None = None) -> dict[str, bytes]:
    """Render each output (path -> bytes), in worker processes when there are many.

    The renderers are closures over chart specs, which cannot be sent to
    another process; they run on threads here instead, and the SVG drawing
    inside them (the costly part) goes to `drawing.drawing_processes`, one
    vl-convert set-up per worker. The first exception is raised as is.
    """
    jobs = default_jobs() if jobs is None else jobs
    if len(costly) < PARALLEL_MIN or jobs < 2:
        return {out.path: out.render() for out in costly}  # type: ignore[misc]
    from concurrent.futures import ThreadPoolExecutor

    from . import drawing

    workers = min(jobs, len(costly) // (PARALLEL_MIN // 2))
    with drawing.drawing_processes(workers) as parallel:
        if not parallel:
            return {out.path: out.render() for out in costly}  # type: ignore[misc]
        with ThreadPoolExecutor(2 * workers) as threads:
            data = list(threads.map(lambda out: out.render(), costly))  # type: ignore[misc]
    return {out.path: d for out, d in zip(costly, data, strict=True)}


def atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the names and contents given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
