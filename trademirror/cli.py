"""Command line: parse arguments, run a stage, turn failures into one line and an exit code.

A user's mistake (bad data, a wrong path) is printed as a message, never as a
traceback; the exit code says whether anything failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import importcli
from .errors import UserError
from .paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_charts.py", description=__doc__)
    parser.add_argument("--package", type=Path, help="path to a datapackage.json (default: the one in datapackages/)")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder holding mkdocs.yml, docs/ and datapackages/ (default: this checkout)")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="validate, then write pages and charts into docs/ (the default)")
    b.add_argument("--site", action="store_true",
                   help="also build the HTML site into site/ (mkdocs build --strict); all or nothing")
    r = sub.add_parser("release", help="build and publish this data version with mike (refuses an existing version)")
    r.add_argument("--push", action="store_true", help="push the gh-pages branch after deploying")
    r.add_argument("--force-republish", action="store_true",
                   help="rebuild a version that is already published (only to document a correction; needs --reason)")
    r.add_argument("--reason", default="", help="why a published version is rebuilt; its changelog states it")
    r.add_argument("--allow-dirty", action="store_true",
                   help="release although files are not committed (the release then records a commit that does"
                        " not hold them)")
    s = sub.add_parser("serve", help="live preview: build, serve, and rebuild when the data, templates, messages or"
                                     " pages change (the browser reloads; errors show on the page)")
    s.add_argument("--address", default="127.0.0.1:8000", help="host:port to serve at (default 127.0.0.1:8000)")
    a = sub.add_parser("add", help="add one figure, asked field by field with the valid codes offered; appends it to"
                                   " figures.csv and validates (undone if the package would no longer validate)")
    d = sub.add_parser("diff", help="what readers will see change: the data package now against a git revision or"
                                    " the published release, in the reader's language (Markdown)")
    d.add_argument("base", nargs="?", default="published",
                   help="a git revision (commit, branch, tag) or 'published' (the default: the newest release)")
    d.add_argument("--lang", default=None, help="the report's language (default: the site's main language)")
    c = sub.add_parser("csp", help="add the Content-Security-Policy to every page of a built site (mkdocs.yml's"
                                   " hook does this already; for other generators)")
    c.add_argument("site_dir", type=Path)
    i = sub.add_parser("init", help="scaffold a new data package for another region (see docs/fork.md)")
    i.add_argument("--region", required=True, help="the region's name as readers see it")
    i.add_argument("--focus", required=True, help="ISO 3166-1 alpha-3 code of the reporter every page is about")
    i.add_argument("--members", nargs="+", metavar="CODE", help="the region's countries (default: an example one)")
    i.add_argument("--region-code", help="the region's group code (default: X and the name's initials)")
    i.add_argument("--name", help="package and folder name (default: from --region)")
    i.add_argument("--dir", type=Path, help="create the package here instead of datapackages/NAME/")
    k = sub.add_parser("check-links", help="check that every link, anchor, image, script, chart spec and download"
                                           " of a built site resolves; list links to other hosts (never fetched)")
    k.add_argument("site_dir", type=Path, help="the built site: site/, or the gh-pages branch as files")
    k.add_argument("--site-url", help="the address the folder is served at (default: site_url in mkdocs.yml)")
    k.add_argument("--external", action="store_true", help="also print every link to another host, with its pages")
    v = sub.add_parser("validate", help="check the data package; exit 1 on errors")
    v.add_argument("--json", type=Path, help="also write the machine-readable report here")
    v.add_argument("--limit", type=int, default=200, help="at most this many lines of each kind (default 200)")
    importcli.register(sub)
    for sub_parser in (b, v, s, d, a):  # also accepted after the command: `build_charts.py validate --package X`
        sub_parser.add_argument("--package", type=Path, dest="command_package", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = Paths(args.root.resolve()) if args.root else Paths()
    try:
        return COMMANDS[args.command or "build"](args, paths)
    except UserError as exc:
        if exc.report is not None:
            print(exc.report.format())
        print(f"error: {exc.command + ': ' if exc.command else ''}{exc}", file=sys.stderr)
        return exc.exit_code


class UsageError(UserError):
    """The command was called in a way it cannot work (a missing folder, an option without its partner)."""

    exit_code = 2


def _package(args: argparse.Namespace, paths: Paths) -> Path:
    try:
        return getattr(args, "command_package", None) or args.package or paths.default_package()
    except LookupError as exc:
        raise UsageError(str(exc)) from None


def _built_site(site_dir: Path) -> Path:
    if not site_dir.is_dir() or not any(site_dir.rglob("*.html")):
        raise UsageError(f"{site_dir}: no built site here — build it first (mkdocs build), then pass its folder")
    return site_dir


def _init(args: argparse.Namespace, paths: Paths) -> int:
    from .clock import today
    from .scaffold import files, plan, write

    req = plan(args.region, args.focus, datapackages=paths.datapackages, members=args.members,
               code=args.region_code, name=args.name, target=args.dir.resolve() if args.dir else None)
    write(files(req, today()), req.target)
    where = "" if req.target.parent == paths.datapackages else f" --package {req.target / 'datapackage.json'}"
    print(f"Created {req.target}: replace the example rows in its data/ files, then run build_charts.py{where}"
          " validate and build (docs/fork.md walks through it)")
    return 0


def _build(args: argparse.Namespace, paths: Paths) -> int:
    from .inputs import current_key, up_to_date

    descriptor, html = _package(args, paths), getattr(args, "site", False)
    started = time.perf_counter()
    key = current_key(descriptor, paths)  # once: the build below records it if it has to run
    last = up_to_date(descriptor, paths, html, key)  # before loading the build's heavy libraries
    if last is not None:
        print(f"Nothing to do: the data, pages, code and settings are those of the last build"
              f" ({last.get('pages', 0)} pages, {last.get('charts', 0)} charts); {time.perf_counter() - started:.1f} s")
        return 0
    from . import clock
    from .validate import valid

    validated = valid(descriptor, clock.today())  # a refused package never loads the page and chart libraries
    from .build import build

    summary = build(descriptor, paths, html=html, input_key=key, validated=validated)
    print(f"Built {summary.pages} pages and {summary.charts} charts; {summary.findings} finding(s)"
          f" reported; {summary.seconds:.1f} s")
    return 0


def _release(args: argparse.Namespace, paths: Paths) -> int:
    import os

    from .build import build
    from .package import read_descriptor
    from .releases import ReleaseError, check_clean, check_new_version, commit_time, deploy, source_commit

    descriptor = _package(args, paths)
    reason = " ".join(args.reason.split())
    if args.force_republish and not reason:
        raise UsageError('--force-republish needs --reason "…": the republished release\'s changelog says what'
                         " was corrected")
    meta, problems = read_descriptor(descriptor)
    if meta is None:
        raise ReleaseError("; ".join(p.line() for p in problems))
    version = str(meta.get("version", ""))
    if not version:
        raise ReleaseError(f"{descriptor.name}: no 'version' — set one, e.g. 1.0.0; it names the release")
    source = source_commit(paths.root)
    check_clean(paths.root, args.allow_dirty)
    check_new_version(paths.root, version, args.force_republish)
    # The release's moment is its source commit's: the same commit gives the same dates and feed stamps.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(commit_time(paths.root, source)))
    correction = reason if args.force_republish else ""
    build(descriptor, paths, correction=correction)
    deploy(paths.root, version, args.push, source, correction)
    print(f"Published data release {version} from {source[:12]} as 'latest'" + (" and pushed" if args.push else ""))
    return 0


class Cancelled(UserError):
    command = "add"


def _add(args: argparse.Namespace, paths: Paths) -> int:
    from .add import add

    try:
        return add(_package(args, paths))
    except (EOFError, KeyboardInterrupt):
        raise Cancelled("Cancelled: nothing was written.") from None


def _diff(args: argparse.Namespace, paths: Paths) -> int:
    from .build import BuildError
    from .clock import today
    from .currency import comparison_currency
    from .diff import PUBLISHED, DiffError, at_revision, published, report, side, views_of
    from .i18n import Catalogue
    from .languages import configured
    from .validate import validate

    descriptor = _package(args, paths)
    cat = Catalogue(args.lang or configured(paths.mkdocs_yml)[0].code)
    checked, data = validate(descriptor, today())
    if data is None:
        raise BuildError("the data package does not validate: fix it first; readers would see nothing of it", checked)
    if args.base == PUBLISHED:
        before = published(paths.root, comparison_currency(data.settings))
        if before is None:
            raise DiffError("nothing is published yet (no gh-pages branch with a release) — name a git revision"
                            " to compare with, e.g. origin/main")
        name = cat.text("diff.published", version=before.version)
    else:
        before, name = at_revision(paths.root, descriptor, args.base), args.base
    views = views_of(data, checked, cat)
    print(report(views, side(data, checked, views.pairs), before, name, cat))
    return 0


def _serve(args: argparse.Namespace, paths: Paths) -> int:
    from .preview import refresh, serve

    descriptor = _package(args, paths)
    if refresh(descriptor, paths) and not paths.docs.joinpath("index.md").is_file():
        raise UserError("nothing to preview yet: fix the lines above, then run serve again")
    serve(descriptor, paths, args.address)
    return 0


def _validate(args: argparse.Namespace, paths: Paths) -> int:
    from .clock import today
    from .validate import validate

    descriptor = _package(args, paths)
    started = time.perf_counter()
    report, _ = validate(descriptor, today())
    print(f"Validating {descriptor}")
    print(report.format(limit=args.limit))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(report.to_json(), encoding="utf-8")
    print(f"({time.perf_counter() - started:.1f} s)")
    return report.exit_code


def _csp(args: argparse.Namespace, paths: Paths) -> int:
    from .csp import HEADERS_FILE, apply

    site_dir = _built_site(args.site_dir)
    policy = apply(site_dir)
    print(f"Content-Security-Policy written into every page of {site_dir} and into {site_dir / HEADERS_FILE}:")
    print(policy)
    return 0


def _check_links(args: argparse.Namespace, paths: Paths) -> int:
    from . import siteconfig
    from .linkcheck import check_site

    site_dir, site_url = _built_site(args.site_dir), args.site_url
    if site_url is None:
        site_url = siteconfig.site_url(siteconfig.read(paths.mkdocs_yml))
    report = check_site(site_dir, site_url)
    for problem in report.problems:
        print(problem)
    if args.external:
        for url, pages in report.external.items():
            print(f"external: {url}  ({len(pages)} page(s), first {pages[0]})")
    print(report.summary())
    return 0 if report.ok else 1


# Each command's handler: (arguments, project paths) -> exit code; a user's mistake is raised as a UserError.
COMMANDS: dict[str, Callable[[argparse.Namespace, Paths], int]] = {
    "build": _build, "validate": _validate, "release": _release, "serve": _serve, "diff": _diff, "add": _add,
    "init": _init, "csp": _csp, "check-links": _check_links, "import": importcli.command,
}
