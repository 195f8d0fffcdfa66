"""Build into a staging folder and switch it in only when every stage succeeded, in one atomic step.

A bad data update must never take the good site down: `docs/` (generated
pages), `nav.yml` and `site/` change together, after validation, rendering and
`mkdocs build` have all passed, or not at all — even when the build is killed
half way through the switch.

`docs/` must stay a real folder (git tracks the hand-written pages in it), so
it is the generation: each build stages a whole new `docs/` (hard links to the
current files, so it costs next to nothing: `site.write` replaces files and
never edits one in place), with this build's navigation in it and a link to
its site. The top-level `nav.yml` and `site` are stable links through `docs/`:

    nav.yml -> docs/.trademirror-nav.yml
    site    -> docs/.trademirror-site -> ../.trademirror-sites/<id>/

One exchange of the staged folder with `docs/` (renameat2 RENAME_EXCHANGE on
Linux, renamex_np RENAME_SWAP on macOS) then switches all three at once. The
old `docs/` and the old site are removed after the switch; a build killed at
any point leaves at most a stale generation, which the next build removes.
MkDocs skips dotfiles in docs/, so the navigation and the site link are never
published as pages.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import sys
import uuid
from pathlib import Path

from .paths import Paths

STAGING_DIR = ".trademirror-build"  # beside docs/, so the exchange stays on one file system
SITES_DIR = ".trademirror-sites"  # each site build's folder, <id>/; the current one is linked from docs/
NAV_FILE = "nav.yml"  # generated; mkdocs.yml INHERITs it: a link to NAV_IN_DOCS
NAV_IN_DOCS = ".trademirror-nav.yml"
SITE_IN_DOCS = ".trademirror-site"  # docs/'s link to its site; the top-level site/ links to it
KILL_ENV = "TRADEMIRROR_TEST_KILL_AFTER"  # tests only: the process kills itself after the named step


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def _reached(step: str) -> None:
    """Where a test kills the build (tests/test_staging.py), to check that no kill point leaves a mix."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


class Staging:
    """The next docs/ (with its nav.yml) and site/, built beside the current ones."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.root = paths.root / STAGING_DIR
        self.docs = self.root / "docs"
        self.nav = self.docs / NAV_IN_DOCS
        self.sites = paths.root / SITES_DIR
        self.site = self.sites / uuid.uuid4().hex[:16]  # made by the HTML build, if there is one

    def __enter__(self) -> Staging:
        _recover(self.paths.docs, self.root / "old-docs")
        shutil.rmtree(self.root, ignore_errors=True)  # a killed build's generation
        _prune_sites(self.paths.docs, self.sites)
        self.root.mkdir(parents=True)
        if self.paths.docs.is_dir():
            shutil.copytree(self.paths.docs, self.docs, symlinks=True, copy_function=_link_or_copy,
                            ignore=lambda folder, names: [SITE_IN_DOCS] if Path(folder) == self.paths.docs else [])
        else:
            self.docs.mkdir()
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)  # the old docs/ after a switch, the new one after a failure
        _prune_sites(self.paths.docs, self.sites)

    def commit(self, in_place: bool = False) -> None:
        """Switch the staged docs/, nav.yml and site/ in together: one exchange of two folders.

        Without a new site (a build without --site), the new docs/ keep the current site. `in_place` moves
        the changed files of docs/ in one by one instead, keeping the folder itself: the live preview's file
        watcher follows the folder, and would go blind if it were replaced (the preview builds no site).
        """
        root, docs = self.paths.root, self.paths.docs
        _adopt_legacy_nav(root, docs)
        current = docs / SITE_IN_DOCS
        if self.site.is_dir():
            _adopt_legacy_site(root, docs, self.sites)
            _set_link(self.docs / SITE_IN_DOCS, os.path.relpath(self.site, docs))
        elif current.is_symlink():  # a build without --site keeps the current site
            _set_link(self.docs / SITE_IN_DOCS, os.readlink(current))
        _reached("staged")
        _set_link(root / NAV_FILE, os.path.relpath(docs / NAV_IN_DOCS, root))
        site = self.paths.site
        # (a site/ folder a plain `mkdocs build` wrote is left alone by a build without --site)
        if (self.docs / SITE_IN_DOCS).is_symlink() and (site.is_symlink() or not site.exists()):
            _set_link(site, os.path.relpath(docs / SITE_IN_DOCS, root))
        _reached("linked")
        if in_place and self.paths.docs.is_dir():
            _sync(self.docs, self.paths.docs)
        else:
            _switch(self.docs, self.paths.docs, self.root / "old-docs")
        _reached("switched")
        _prune_sites(self.paths.docs, self.sites)
        _reached("pruned")


def _set_link(path: Path, target: str) -> None:
    """Make `path` a symbolic link to `target` in one rename (nothing to do when it already is one)."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    temporary = path.with_name(f".{path.name}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, path)


def _adopt_legacy_nav(root: Path, docs: Path) -> None:
    """A project built before nav.yml was a link: its bytes go into the current docs/, where the link will lead."""
    nav = root / NAV_FILE
    if nav.is_file() and not nav.is_symlink() and docs.is_dir() and not (docs / NAV_IN_DOCS).exists():
        _link_or_copy(str(nav), str(docs / NAV_IN_DOCS))


def _adopt_legacy_site(root: Path, docs: Path, sites: Path) -> None:
    """A site/ folder from before site/ was a link (or written by a plain `mkdocs build`): make it the current
    docs/' site, so that the switch replaces it like any other. Only the moment site/ is moved and its link put
    in its place is not atomic, once."""
    site = root / "site"
    if not site.is_dir() or site.is_symlink():
        return
    adopted = sites / f"legacy-{uuid.uuid4().hex[:16]}"
    sites.mkdir(exist_ok=True)
    if docs.is_dir():
        _set_link(docs / SITE_IN_DOCS, os.path.relpath(adopted, docs))
    temporary = site.with_name(f".{site.name}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(docs / SITE_IN_DOCS, root), temporary)
    os.rename(site, adopted)
    os.replace(temporary, site)


def leftovers(paths: Paths) -> bool:
    """A build was killed before it tidied up: a staged generation or a site folder docs/ does not link to."""
    sites = paths.root / SITES_DIR
    return (paths.root / STAGING_DIR).exists() or (sites.is_dir() and any(
        folder.resolve() != _linked_site(paths.docs) for folder in sites.iterdir()))


def _linked_site(docs: Path) -> Path | None:
    link = docs / SITE_IN_DOCS
    return (docs / os.readlink(link)).resolve() if link.is_symlink() else None


def _prune_sites(docs: Path, sites: Path) -> None:
    """Remove every site folder but the one docs/ links to (the old one after a switch, a killed build's)."""
    if not sites.is_dir():
        return
    keep = _linked_site(docs)
    for folder in sites.iterdir():
        if folder.resolve() != keep:
            shutil.rmtree(folder, ignore_errors=True)
    if not any(sites.iterdir()):
        sites.rmdir()


def _switch(new: Path, current: Path, old: Path) -> None:
    """Put `new` in the place of `current` in one step; the old `current` ends up at `new` (or `old`)."""
    if not current.exists():
        os.rename(new, current)
    elif not _exchange(new, current):  # a file system that cannot exchange: two renames, undone by _recover
        os.replace(current, old)
        _reached("half-switched")
        os.replace(new, current)


def _recover(current: Path, old: Path) -> None:
    """After a build killed between _switch's two renames (file systems without an exchange only)."""
    if not current.exists() and old.is_dir():
        os.replace(old, current)


RENAME_EXCHANGE = 2  # linux/fs.h
RENAME_SWAP = 2  # macOS sys/stdio.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when this system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            result = libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), RENAME_EXCHANGE)  # -100: AT_FDCWD
        elif sys.platform == "darwin":
            result = libc.renamex_np(os.fsencode(a), os.fsencode(b), RENAME_SWAP)
        else:
            return False
    except (AttributeError, OSError):  # a C library without the call
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _sync(new: Path, current: Path) -> None:
    """Make `current` hold what `new` holds, replacing only the files that differ (each by one rename)."""
    wanted = set()
    for path in sorted(new.rglob("*")):
        rel = path.relative_to(new)
        wanted.add(rel)
        target = current / rel
        if path.is_symlink():
            if not (target.is_symlink() and os.readlink(target) == os.readlink(path)):
                os.replace(path, target)
        elif path.is_dir():
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
