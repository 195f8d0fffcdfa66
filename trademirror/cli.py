"""Command line: parse arguments, run a stage, turn failures into one line and an exit code.

A user's mistake (bad data, a wrong path) is printed as a message, never as a
traceback; the exit code says whether anything failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

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
    for sub_parser in (b, v, s, d, a):  # also accepted after the command: `build_charts.py validate --package X`
        sub_parser.add_argument("--package", type=Path, dest="command_package", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = Paths(args.root.resolve()) if args.root else Paths()
    if args.command == "init":
        return _init(args, paths)
    if args.command == "csp":  # these two work on a built site, not on a package
        return _csp(args.site_dir)
    if args.command == "check-links":
        return _check_links(args.site_dir, args.site_url, paths, args.external)
    try:
        descriptor = getattr(args, "command_package", None) or args.package or paths.default_package()
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "validate":
        return _validate(descriptor, args.json, args.limit)
    if args.command in (None, "build"):
        return _build(descriptor, paths, getattr(args, "site", False))
    if args.command == "add":
        return _add(descriptor)
    if args.command == "diff":
        return _diff(descriptor, paths, args.base, args.lang)
    if args.command == "serve":
        return _serve(descriptor, paths, args.address)
    if args.command == "release":
        return _release(descriptor, paths, args)
    parser.error(f"unknown command {args.command}")
    return 2


def _init(args: argparse.Namespace, paths: Paths) -> int:
    from .clock import today
    from .scaffold import ScaffoldError, files, plan, write

    try:
        req = plan(args.region, args.focus, datapackages=paths.datapackages, members=args.members,
                   code=args.region_code, name=args.name, target=args.dir.resolve() if args.dir else None)
        write(files(req, today()), req.target)
    except ScaffoldError as exc:
        print(f"error: init: {exc}", file=sys.stderr)
        return 2
    where = "" if req.target.parent == paths.datapackages else f" --package {req.target / 'datapackage.json'}"
    print(f"Created {req.target}: replace the example rows in its data/ files, then run build_charts.py{where}"
          " validate and build (docs/fork.md walks through it)")
    return 0


def _build(descriptor: Path, paths: Paths, html: bool) -> int:
    from .inputs import up_to_date

    started = time.perf_counter()
    last = up_to_date(descriptor, paths, html)  # before loading the build's heavy libraries
    if last is not None:
        print(f"Nothing to do: the data, pages, code and settings are those of the last build"
              f" ({last.get('pages', 0)} pages, {last.get('charts', 0)} charts); {time.perf_counter() - started:.1f} s")
        return 0
    from .build import BuildError, build

    try:
        summary = build(descriptor, paths, html=html)
    except BuildError as exc:
        if exc.report is not None:
            print(exc.report.format())
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Built {summary.pages} pages and {summary.charts} charts; {summary.findings} finding(s)"
          f" reported; {summary.seconds:.1f} s")
    return 0


def _release(descriptor: Path, paths: Paths, args: argparse.Namespace) -> int:
    import os

    from .build import BuildError, build
    from .package import read_descriptor
    from .releases import ReleaseError, check_clean, check_new_version, commit_time, deploy, source_commit

    reason = " ".join(args.reason.split())
    if args.force_republish and not reason:
        print('error: --force-republish needs --reason "…": the republished release\'s changelog says what was'
              " corrected", file=sys.stderr)
        return 2
    meta, problems = read_descriptor(descriptor)
    if meta is None:
        print("\n".join(p.line() for p in problems))
        return 1
    version = str(meta.get("version", ""))
    try:
        if not version:
            raise ReleaseError(f"{descriptor.name}: no 'version' — set one, e.g. 1.0.0; it names the release")
        source = source_commit(paths.root)
        check_clean(paths.root, args.allow_dirty)
        check_new_version(paths.root, version, args.force_republish)
        # The release's moment is its source commit's: the same commit gives the same dates and feed stamps.
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(commit_time(paths.root, source)))
        build(descriptor, paths, correction=reason if args.force_republish else "")
        deploy(paths.root, version, args.push, source, reason if args.force_republish else "")
    except BuildError as exc:
        if exc.report is not None:
            print(exc.report.format())
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"Published data release {version} from {source[:12]} as 'latest'" + (" and pushed" if args.push else ""))
    return 0


def _add(descriptor: Path) -> int:
    from .add import AddError, add

    try:
        return add(descriptor)
    except (EOFError, KeyboardInterrupt):
        print("\nCancelled: nothing was written.", file=sys.stderr)
        return 1
    except AddError as exc:
        print(f"error: add: {exc}", file=sys.stderr)
        return 2


def _diff(descriptor: Path, paths: Paths, base: str, lang: str | None) -> int:
    from .clock import today
    from .currency import comparison_currency
    from .diff import PUBLISHED, DiffError, at_revision, published, report, side, views_of
    from .i18n import Catalogue
    from .languages import configured
    from .validate import validate

    cat = Catalogue(lang or configured(paths.mkdocs_yml)[0].code)
    checked, data = validate(descriptor, today())
    if data is None:
        print(checked.format())
        print("error: the data package does not validate: fix it first; readers would see nothing of it",
              file=sys.stderr)
        return 1
    try:
        if base == PUBLISHED:
            before = published(paths.root, comparison_currency(data.settings))
            if before is None:
                raise DiffError("nothing is published yet (no gh-pages branch with a release) — name a git revision"
                                " to compare with, e.g. origin/main")
            name = cat.text("diff.published", version=before.version)
        else:
            before, name = at_revision(paths.root, descriptor, base), base
    except DiffError as exc:
        print(f"error: diff: {exc}", file=sys.stderr)
        return 2
    print(report(views_of(data, checked, cat), side(data, checked), before, name, cat))
    return 0


def _serve(descriptor: Path, paths: Paths, address: str) -> int:
    from .preview import refresh, serve

    if refresh(descriptor, paths) and not paths.docs.joinpath("index.md").is_file():
        print("error: nothing to preview yet: fix the lines above, then run serve again", file=sys.stderr)
        return 1
    serve(descriptor, paths, address)
    return 0


def _validate(descriptor: Path, json_path: Path | None, limit: int) -> int:
    from .clock import today
    from .validate import validate

    started = time.perf_counter()
    report, _ = validate(descriptor, today())
    print(f"Validating {descriptor}")
    print(report.format(limit=limit))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.to_json(), encoding="utf-8")
    print(f"({time.perf_counter() - started:.1f} s)")
    return report.exit_code


def _csp(site_dir: Path) -> int:
    from .csp import HEADERS_FILE, apply

    if not site_dir.is_dir() or not any(site_dir.rglob("*.html")):
        print(f"error: {site_dir}: no built site here — build it first (mkdocs build), then pass its folder",
              file=sys.stderr)
        return 2
    policy = apply(site_dir)
    print(f"Content-Security-Policy written into every page of {site_dir} and into {site_dir / HEADERS_FILE}:")
    print(policy)
    return 0


def _check_links(site_dir: Path, site_url: str | None, paths: Paths, external: bool) -> int:
    from .linkcheck import check_site, site_url_from_config

    if not site_dir.is_dir() or not any(site_dir.rglob("*.html")):
        print(f"error: {site_dir}: no built site here — build it first (mkdocs build), then pass its folder",
              file=sys.stderr)
        return 2
    if site_url is None:
        site_url = site_url_from_config(paths.mkdocs_yml.read_text(encoding="utf-8")) \
            if paths.mkdocs_yml.is_file() else ""
    report = check_site(site_dir, site_url)
    for problem in report.problems:
        print(problem)
    if external:
        for url, pages in report.external.items():
            print(f"external: {url}  ({len(pages)} page(s), first {pages[0]})")
    print(report.summary())
    return 0 if report.ok else 1
