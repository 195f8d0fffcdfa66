"""Fixtures built in code: copies of the real package to break, and small generated packages."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_PACKAGE = ROOT / "datapackages" / "china-central-asia-trade"
REAL_DESCRIPTOR = REAL_PACKAGE / "datapackage.json"


class PackageCopy:
    """A copy of a package in a temporary folder, with helpers to edit its CSV files."""

    def __init__(self, root: Path):
        self.root = root
        self.descriptor = root / "datapackage.json"

    def path(self, resource: str) -> Path:
        return self.root / "data" / f"{resource}.csv"

    def rows(self, resource: str) -> list[dict]:
        with self.path(resource).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    def write_rows(self, resource: str, rows: list[dict], header: list[str] | None = None) -> None:
        header = header or list(rows[0].keys())
        with self.path(resource).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    def set(self, resource: str, row_id: str, **changes: str) -> int:
        """Change cells of the row whose first column is row_id; return its line number."""
        rows = self.rows(resource)
        key = next(iter(rows[0]))
        for index, row in enumerate(rows):
            if row[key] == row_id:
                row.update(changes)
                self.write_rows(resource, rows)
                return index + 2
        raise KeyError(row_id)

    def add(self, resource: str, **row: str) -> int:
        rows = self.rows(resource)
        rows.append({k: row.get(k, "") for k in rows[0]})
        self.write_rows(resource, rows)
        return len(rows) + 1


def shared_folder(tmp_path_factory) -> Path:
    """A folder every worker of this run sees (pytest-xdist gives each worker its own temporary folder)."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def image_cache(tmp_path_factory):
    """One image cache for the run (see site.cache_dir): the many builds here draw each chart once.

    Set in the environment, so the commands tests run in a subprocess share it too; shared by the workers.
    """
    import os

    from trademirror import site

    folder = shared_folder(tmp_path_factory) / "image-cache"
    folder.mkdir(exist_ok=True)
    settings = {site.CACHE_ENV: str(folder)}
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers already use every CPU: builds draw in their own process
        settings[site.JOBS_ENV] = "1"
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield folder
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def real_site_drawn(tmp_path_factory, image_cache) -> None:
    """The real site's images in the shared image cache, drawn by one worker while the others wait.

    Several modules build the real site first thing; without this, the workers would each draw the same
    images at once, as many times as there are workers.
    """
    from filelock import FileLock

    from trademirror.build import build
    from trademirror.paths import Paths

    shared = shared_folder(tmp_path_factory)
    done = shared / "real-site-drawn"
    with FileLock(str(shared / "real-site-drawn.lock")):
        if not done.is_file():
            root = copy_site_skeleton(shared / "real-site-drawn-project")
            shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
            build(root / "datapackages" / "trade" / "datapackage.json", Paths(root), log=lambda _: None)
            done.touch()


@pytest.fixture
def real_copy(tmp_path: Path) -> PackageCopy:
    target = tmp_path / "pkg"
    shutil.copytree(REAL_PACKAGE, target)
    return PackageCopy(target)


def write_package(root: Path, tables: dict[str, list[dict]], settings: dict | None = None) -> Path:
    """Write a package with the real package's schemas and the given rows; return its descriptor."""
    descriptor = json.loads(REAL_DESCRIPTOR.read_text(encoding="utf-8"))
    descriptor["name"] = "generated"
    if settings is not None:
        descriptor["trademirror"] = settings
    (root / "data").mkdir(parents=True, exist_ok=True)
    for resource in descriptor["resources"]:
        header = [f["name"] for f in resource["schema"]["fields"]]
        with (root / resource["path"]).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            for row in tables.get(resource["name"], []):
                writer.writerow({k: row.get(k, "") for k in header})
    path = root / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return path


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def check_golden(name: str, actual: str, update: bool) -> None:
    """Compare with tests/golden/<name>; with --update-goldens, rewrite it instead. Diffs on failure."""
    import difflib

    path = ROOT / "tests" / "golden" / name
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {name} did not exist; written now — check it by eye and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{name}", "actual", n=2))
        pytest.fail(f"{name} differs from its golden file (rerun with --update-goldens if intended):\n{diff}")


def copy_site_skeleton(target: Path) -> Path:
    """mkdocs.yml, theme overrides and the hand-written docs, without any generated output."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", target / "overrides")
    shutil.copytree(ROOT / "hooks", target / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    manifest_path = ROOT / "docs" / ".trademirror-manifest.json"
    generated = set(json.loads(manifest_path.read_text())) if manifest_path.exists() else set()
    generated.add(".trademirror-manifest.json")

    def ignore(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).relative_to(ROOT / "docs")
        # and the build's own files in docs/ (its navigation, its link to its site: see trademirror/staging.py)
        own = {n for n in names if rel == Path() and n.startswith(".trademirror")}
        return own | {n for n in names if (rel / n).as_posix() in generated}

    shutil.copytree(ROOT / "docs", target / "docs", ignore=ignore)
    return target


@pytest.fixture(scope="session")
def two_releases(tmp_path_factory):
    """A repository with data releases 1.0.0 and 1.1.0 (one figure revised) published by mike.

    Returns (repo root, package copy, the gh-pages branch exported as files).
    """
    from filelock import FileLock

    from .releasing import two_releases as publish

    shared = shared_folder(tmp_path_factory)
    done = shared / "release.json"
    with FileLock(str(shared / "release.lock")):  # the first worker to need it publishes; the others wait
        if not done.is_file():
            root, pkg, served = publish(shared / "release")
            done.write_text(json.dumps([str(root), str(pkg.root), str(served)]), encoding="utf-8")
    root, pkg_root, served = json.loads(done.read_text(encoding="utf-8"))
    return Path(root), PackageCopy(Path(pkg_root)), Path(served)


# --- The published site in a browser (test_browser.py, test_reading.py) ------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (whose own browser download is neither needed nor possible)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def header_policy(served: Path) -> str:
    lines = (served / "latest" / "_headers").read_text(encoding="utf-8").splitlines()
    return next(line.split(":", 1)[1].strip() for line in lines if "Content-Security-Policy" in line)


@pytest.fixture(scope="module")
def strict_site(two_releases):
    """The published site served with its Content-Security-Policy as a header as well as in each page."""
    from .serve import serve

    _, _, served = two_releases
    with serve(served, {"Content-Security-Policy": header_policy(served)}) as base:
        yield base, served
