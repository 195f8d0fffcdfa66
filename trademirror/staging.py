"""Build into a staging folder and swap it in only when every stage succeeded.

A bad data update must never take the good site down: `docs/` (generated
pages), `nav.yml` and `site/` change together, after validation, rendering and
`mkdocs build` have all passed, or not at all. The staging copy of `docs/` is
made of hard links, so it costs next to nothing: `site.write` replaces files
(write to a temporary name, then rename) and never edits one in place, so a
linked file in `docs/` cannot change under the old site.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .paths import Paths

STAGING_DIR = ".trademirror-build"  # beside docs/, so renames stay on one file system
NAV_FILE = "nav.yml"  # generated; mkdocs.yml INHERITs it


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


class Staging:
    """The next docs/, nav.yml and site/, built beside the current ones."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.root = paths.root / STAGING_DIR
        self.docs = self.root / "docs"
        self.site = self.root / "site"
        self.nav = self.root / NAV_FILE

    def __enter__(self) -> Staging:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        if self.paths.docs.is_dir():
            shutil.copytree(self.paths.docs, self.docs, symlinks=True, copy_function=_link_or_copy)
        else:
            self.docs.mkdir()
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def commit(self, in_place: bool = False) -> None:
        """Swap the staged outputs in: each is one rename, so a reader sees the old or the new, never a mix.

        `in_place` moves the changed files of docs/ in one by one instead, keeping the folder itself: the live
        preview's file watcher follows the folder, and would go blind if it were replaced.
        """
        if in_place and self.paths.docs.is_dir():
            _sync(self.docs, self.paths.docs)
        else:
            _swap(self.docs, self.paths.docs, self.root / "old-docs")
        if self.site.is_dir():
            _swap(self.site, self.paths.site, self.root / "old-site")
        os.replace(self.nav, self.paths.root / NAV_FILE)


def _swap(new: Path, current: Path, old: Path) -> None:
    if current.exists():
        os.replace(current, old)
    try:
        os.replace(new, current)
    except OSError:
        if old.exists():
            os.replace(old, current)
        raise


def _sync(new: Path, current: Path) -> None:
    """Make `current` hold what `new` holds, replacing only the files that differ (each by one rename)."""
    wanted = set()
    for path in sorted(new.rglob("*")):
        rel = path.relative_to(new)
        wanted.add(rel)
        target = current / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not (target.is_file() and os.path.samefile(path, target)):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    for path in sorted(current.rglob("*"), reverse=True):  # deepest first, so emptied folders can go
        if path.relative_to(current) not in wanted:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
