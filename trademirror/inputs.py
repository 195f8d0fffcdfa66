"""Everything a build depends on, as one hash, so an unchanged project is not built again.

A warm rebuild with nothing changed would otherwise validate the package and
recompute every page and chart spec, only to write nothing. The key covers the
data package, the hand-written pages and assets, mkdocs.yml, this library's
code, templates and messages, the versions of the libraries that shape the
output, the published releases (the changelog and feed compare with them) and
the build date (which the citations and feed carry). The last successful build
records the key beside its outputs; the same key, with every output intact,
means the outputs are already what this build would write.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from importlib import metadata
from pathlib import Path

from . import clock, settings, site
from .paths import Paths
from .staging import leftovers

KEY_FILE = ".trademirror-inputs.json"  # in docs/ (and site/); MkDocs skips dotfiles
LIBRARY = Path(__file__).parent
VERSIONED = ("altair", "vl-convert-python", "pandas", "babel", "jinja2", "mkdocs", "mkdocs-material", "frictionless")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


BIG = 1 << 20  # package files from this size up are hashed once and then known from their stat (Digests)
DIGESTS_FILE = ".trademirror-cache/inputs.json"  # under the project root, beside the output stamps
RACY_NS = 2_000_000_000  # a file changed this close to the record may change again unseen in the same tick


class Digests:
    """The sha256 of each big package file, known again from its stat, so that a warm rebuild of a package
    with 50 MB of declarations costs a `stat`, not a read and a hash.

    As in git's index: the size, modification and change times and inode must be those recorded, and a file
    modified within RACY_NS of the record is read again (a later change in the same clock tick would not
    show). Only the project's own cache folder holds the record; losing it costs the hashing.
    """

    def __init__(self, path: Path | None):
        self.path = path
        try:
            saved = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            saved = {}
        self.known: dict = saved.get("files", {}) if isinstance(saved, dict) else {}
        self.recorded_ns = saved.get("recorded_ns", 0) if isinstance(saved, dict) else 0
        self.changed = False

    def digest(self, path: Path, info: os.stat_result) -> str:
        seen = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        entry = self.known.get(str(path))
        if entry and entry[:4] == seen and info.st_mtime_ns < self.recorded_ns - RACY_NS:
            return entry[4]
        with path.open("rb") as fh:
            value = hashlib.file_digest(fh, "sha256").hexdigest()
        self.known[str(path)] = [*seen, value]
        self.changed = True
        return value

    def save(self) -> None:
        if self.path and self.changed:
            import time

            self.recorded_ns, self.changed = time.time_ns(), False
            record = {"recorded_ns": self.recorded_ns, "files": self.known}
            site.atomic_write(self.path, (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"))


# A project's digests, from its key's computation until the build that follows it succeeds (save_digests): a
# refused package leaves no trace in the project, not even in its cache.
_open: dict[Path, Digests] = {}


def _digests(root: Path) -> Digests:
    path = root / DIGESTS_FILE
    if path not in _open:
        _open[path] = Digests(path)
    return _open[path]


def save_digests(root: Path) -> None:
    """Keep the digests the build's key was computed with: called once the build has succeeded."""
    digests = _open.get(root / DIGESTS_FILE)
    if digests is not None:
        digests.save()


def _package_files(folder: Path, digests: Digests | None = None):
    """(path, what to hash) for each file of a package, reading nothing outside it.

    A pull request decides what is in the package folder, and this runs before
    validation: a symbolic link is hashed by where it points, never followed,
    and a big file is hashed by its size and modification time instead of read
    (validation refuses it anyway).
    """
    for top, dirs, names in os.walk(folder):  # os.walk does not descend into linked folders
        dirs.sort()
        for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(top, d))]):
            path = Path(top, name)
            rel = path.relative_to(folder).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield rel, b"link\0" + os.fsencode(os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                if info.st_size > settings.MAX_FILE_BYTES:
                    yield rel, f"big\0{info.st_size}\0{info.st_mtime_ns}".encode()
                elif info.st_size >= BIG:
                    yield rel, b"sha256\0" + (digests or Digests(None)).digest(path, info).encode()
                else:
                    yield rel, path.read_bytes()


def key(descriptor: Path, docs: Path, mkdocs_yml: Path, published: bytes, today: str) -> str:
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    for rel, data in _package_files(descriptor.parent, _digests(docs.parent)):
        add(f"package/{rel}", data)
    generated = site.read_manifest(docs)
    for path in _files(docs) if docs.is_dir() else []:
        rel = path.relative_to(docs).as_posix()
        if rel not in generated and not rel.startswith(".trademirror"):
            add(f"docs/{rel}", path.read_bytes())
    add("code", code_digest().encode())
    add("mkdocs.yml", mkdocs_yml.read_bytes() if mkdocs_yml.is_file() else b"")
    add("published", published)
    add("today", today.encode())
    return digest.hexdigest()


def code_digest() -> str:
    """This library's code, templates and messages, and the versions of the libraries that shape the output.

    Read again on every call: the live preview is one process, and a template edited while it runs must
    change the keys of the pages made from it."""
    digest = hashlib.sha256()
    for path in _files(LIBRARY):
        data = path.read_bytes()
        digest.update(f"lib/{path.relative_to(LIBRARY).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    for name in VERSIONED:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = ""
        digest.update(f"version/{name}\0{found}\0".encode())
    return digest.hexdigest()


def record(folder: Path, value: str, summary: dict) -> None:
    site.atomic_write(folder / KEY_FILE, (json.dumps({"key": value, **summary}, sort_keys=True) + "\n").encode())


def recorded(folder: Path) -> dict:
    try:
        return json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def outputs_intact(docs: Path, stamps: site.Stamps | None = None) -> bool:
    """Every file the last build wrote is still there, byte for byte."""
    manifest = site.read_manifest(docs)
    return bool(manifest) and all(site.intact(docs, rel, entry["output"], stamps) for rel, entry in manifest.items())


def published(repo: Path) -> bytes:
    """What is published (gh-pages' versions.json, as mike writes it), or nothing."""
    result = subprocess.run(["git", "show", "gh-pages:versions.json"], cwd=repo, capture_output=True)
    return result.stdout if result.returncode == 0 else b""


def current_key(descriptor: Path, paths: Paths) -> str:
    return key(descriptor, paths.docs, paths.mkdocs_yml, published(paths.root), clock.today().isoformat())


def up_to_date(descriptor: Path, paths: Paths, html: bool, value: str | None = None) -> dict | None:
    """The last build's counts if it had exactly these inputs and its outputs are intact, else None.

    Cheap on purpose (no pandas, Altair or MkDocs import), so that the command line can answer
    "nothing to do" before loading the build.
    """
    value = value or current_key(descriptor, paths)
    if leftovers(paths):  # a killed build's generation: the next build removes it
        return None
    last = recorded(paths.docs)
    if last.get("key") != value or not (paths.root / "nav.yml").is_file():
        return None
    if not outputs_intact(paths.docs, site.Stamps(paths.root / site.STAMPS_FILE)):
        return None
    if html and recorded(paths.site).get("key") != value:
        return None
    return last
