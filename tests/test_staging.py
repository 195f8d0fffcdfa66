"""The publish is atomic: docs/, nav.yml and site/ are the last build's or the new one's, never a mix.

The real build runs in a subprocess and is killed (SIGKILL, no clean-up runs)
right after each step of the switch (trademirror/staging.py, KILL_ENV); what
is left must be, byte for byte, all the previous build or all the new one, and
the next build must remove what the killed one left behind.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from trademirror import staging
from trademirror.paths import Paths

from .conftest import ROOT, copy_site_skeleton

sys.path.insert(0, str(ROOT / "bench"))
synth = importlib.import_module("synth")

STEPS = {"staged": "old", "linked": "old", "switched": "new", "pruned": "new"}  # the state a kill there leaves


def published(root: Path) -> dict[str, bytes]:
    """What readers and MkDocs see: docs/ (not following its link to the site), site/ and nav.yml."""
    files = {f"docs/{p.relative_to(root / 'docs').as_posix()}": p.read_bytes()
             for p in sorted((root / "docs").rglob("*")) if p.is_file() and not p.is_symlink()}
    site = root / "site"
    files |= {f"site/{p.relative_to(site).as_posix()}": p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    nav = root / "nav.yml"
    return files | ({"nav.yml": nav.read_bytes()} if nav.is_file() else {})


def cli(root: Path, descriptor: Path, kill_after: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop(staging.KILL_ENV, None)
    if kill_after:
        env[staging.KILL_ENV] = kill_after
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "--root", str(root), "--package",
                           str(descriptor), "build", "--site"], cwd=root, capture_output=True, text=True, env=env)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def edit(descriptor: Path) -> None:
    """A new data version (nav.yml carries it) with one figure revised (pages, charts and site change)."""
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    meta["version"] = "2.0.0"
    descriptor.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    figures = descriptor.parent / "data" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    cells[header.index("value")] = str(float(cells[header.index("value")]) + 1)
    figures.write_text("".join([lines[0], ",".join(cells) + "\n", *lines[2:]]), encoding="utf-8")


def no_leftovers(root: Path) -> bool:
    sites = root / staging.SITES_DIR
    return not (root / staging.STAGING_DIR).exists() and len(list(sites.iterdir())) == 1


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path, dict, dict]:
    """A project in git whose first build found a site/ folder and nav.yml from before they were links,
    and the edit for a second build; with both builds' output (the second built in a copy)."""
    root = copy_site_skeleton(tmp_path_factory.mktemp("atomic") / "project")
    made = synth.generate(root / "datapackages" / "synthetic", 1, years=range(2023, 2026))
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("<p>built before site/ was a link</p>\n", encoding="utf-8")
    (root / "nav.yml").write_text("nav: []\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "start")
    first = cli(root, made.descriptor)
    assert first.returncode == 0, first.stdout + first.stderr
    old = published(root)
    copy = shutil.copytree(root, root.parent / "new", symlinks=True)
    edit(copy / made.descriptor.relative_to(root))
    second = cli(copy, copy / made.descriptor.relative_to(root))
    assert second.returncode == 0, second.stdout + second.stderr
    new = published(copy)
    assert no_leftovers(copy)
    return root, made.descriptor, old, new


def test_the_first_build_turns_an_old_site_folder_and_nav_yml_into_links_into_docs(two_builds):
    root, _, old, _ = two_builds
    assert os.readlink(root / "nav.yml") == "docs/.trademirror-nav.yml"
    assert os.readlink(root / "site") == "docs/.trademirror-site"
    assert "site/index.html" in old and b"before site/ was a link" not in old["site/index.html"]
    assert no_leftovers(root)


def test_a_build_leaves_git_status_clean(two_builds):
    root, _, _, _ = two_builds
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_two_builds_differ_in_docs_nav_and_site(two_builds):
    _, _, old, new = two_builds
    for part in ("docs/index.md", "nav.yml", "site/index.html"):
        assert old[part] != new[part], part


@pytest.mark.slow  # a build killed and one that tidies up, per step
@pytest.mark.parametrize("step", list(STEPS))
def test_a_build_killed_after_any_step_leaves_the_old_or_the_new_build_never_a_mix(two_builds, tmp_path, step):
    root, descriptor, old, new = two_builds
    project = shutil.copytree(root, tmp_path / "project", symlinks=True)
    copy = project / descriptor.relative_to(root)
    edit(copy)
    killed = cli(project, copy, kill_after=step)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    left = published(project)
    assert left == (old if STEPS[step] == "old" else new)
    assert staging.leftovers(Paths(project))  # what the killed build left behind ...
    again = cli(project, copy)
    assert again.returncode == 0, again.stdout + again.stderr
    assert published(project) == new
    assert no_leftovers(project)  # ... the next build removes
    assert git(project, "status", "--porcelain", "--untracked-files=all", "--", ".", ":!datapackages") == ""


STAND_IN = """
import sys
from pathlib import Path
from trademirror import site, staging
from trademirror.paths import Paths
staging._exchange = lambda a, b: False  # a file system without an atomic exchange
with staging.Staging(Paths(Path(sys.argv[1]))) as stage:
    site.atomic_write(stage.docs / "page.md", sys.argv[2].encode())  # never in place: docs/ is hard links
    site.atomic_write(stage.nav, sys.argv[2].encode())
    stage.commit()
"""


def test_without_an_atomic_exchange_a_build_killed_half_way_is_undone_by_the_next(tmp_path):
    def commit(text: str, kill_after: str | None = None) -> int:
        env = {**os.environ, staging.KILL_ENV: kill_after or ""}
        return subprocess.run([sys.executable, "-c", STAND_IN, str(tmp_path), text], cwd=ROOT, env=env).returncode

    (tmp_path / "docs").mkdir()
    assert commit("old") == 0
    assert commit("new", kill_after="half-switched") == -signal.SIGKILL
    assert not (tmp_path / "docs").exists()  # the moment the fallback cannot avoid ...
    with staging.Staging(Paths(tmp_path)):
        assert (tmp_path / "docs" / "page.md").read_text() == "old"  # ... is undone before the next build
        assert (tmp_path / "nav.yml").read_text() == "old"
    assert commit("new") == 0
    assert (tmp_path / "docs" / "page.md").read_text() == "new" and (tmp_path / "nav.yml").read_text() == "new"
    assert not staging.leftovers(Paths(tmp_path))
