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


def write(root: Path, outputs: list[Output]) -> WriteResult:
    """Bring root/ in line with outputs, touching only what changed."""
    old = read_manifest(root)
    new: dict[str, dict] = {}
    result = WriteResult()
    for out in sorted(outputs, key=lambda o: o.path):
        target = root / out.path
        previous = old.get(out.path)
        if previous and previous["input"] == out.input_hash and target.is_file() \
                and sha256(target.read_bytes()) == previous["output"]:
            new[out.path] = previous
            result.unchanged.append(out.path)
            continue
        data = out.content if out.content is not None else out.render()  # type: ignore[misc]
        atomic_write(target, data)
        new[out.path] = {"input": out.input_hash, "output": sha256(data)}
        result.written.append(out.path)
    for path in sorted(set(old) - set(new)):
        target = root / path
        if target.is_file():
            target.unlink()
            result.removed.append(path)
            _prune_empty_dirs(target.parent, root)
    atomic_write(root / MANIFEST, (json.dumps(new, indent=1, sort_keys=True) + "\n").encode())
    return result


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
