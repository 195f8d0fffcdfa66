"""The live preview: pages follow the data while a journalist edits it, and errors show on the page.

`build_charts.py serve` runs MkDocs' development server, told to watch the data
package, the templates and the messages as well as docs/ and mkdocs.yml.
hooks/preview.py calls `refresh` before each of the server's builds: the pages
are rebuilt from the package (only what changed is written), and the browser
reloads. A package that does not validate leaves the last good pages in place
(the build is all or nothing); its error lines are printed in the terminal and
shown at the top of every page until the data is fixed.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from .paths import Paths

ENV = "TRADEMIRROR_PREVIEW"  # the data package being previewed; set by serve(), read by hooks/preview.py
LIBRARY = Path(__file__).parent
ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">)')
problems: list[str] = []  # the last refresh's error lines; the hook reads them for every page


def refresh(descriptor: Path, paths: Paths) -> list[str]:
    """Rebuild docs/ from the package; remember and print the errors if it does not validate."""
    from .build import BuildError, build

    before = list(problems)
    try:
        summary = build(descriptor, paths, log=lambda line: None, in_place=True)
    except BuildError as exc:
        lines = [p.line() for p in exc.report.errors] if exc.report is not None else []
        problems[:] = lines or [str(exc)]
        print("\n".join(["Preview: the data package has errors; the pages show the last good build.", *problems]),
              flush=True)
        _all_pages_again(paths, before)
        return problems
    if problems:
        print("Preview: the errors are fixed.", flush=True)
    problems.clear()
    _all_pages_again(paths, before)
    if summary.written or summary.removed:
        print(f"Preview: {len(summary.written)} file(s) written, {len(summary.removed)} removed", flush=True)
    return problems


def _all_pages_again(paths: Paths, before: list[str]) -> None:
    """When the banner appears, changes or goes, every page must be built again, not only the changed ones
    (the server builds only pages whose files are newer than their HTML): mark them all as changed."""
    if before == problems:
        return
    for page in paths.docs.rglob("*.md"):
        os.utime(page)


def with_banner(page: str, lines: list[str], title: str, lead: str) -> str:
    """The page with the error lines above its content (the journalist's eyes are on the page, not the terminal)."""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    banner = (f'<div class="tm-preview-errors" role="alert"><p><strong>{html.escape(title)}</strong>'
              f" {html.escape(lead)}</p><ul>{items}</ul></div>")
    return ARTICLE.sub(lambda m: m.group(1) + banner, page, count=1)


def serve(descriptor: Path, paths: Paths, address: str) -> None:
    """Build, then serve with live reload until interrupted (Ctrl+C)."""
    import logging

    from mkdocs.commands.serve import serve as mkdocs_serve

    handler = logging.StreamHandler()  # what `mkdocs serve` prints: the address, each rebuild, its warnings
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    os.environ[ENV] = str(descriptor.resolve())
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.chdir(paths.root)
    watch = [descriptor.parent, LIBRARY / "templates", LIBRARY / "locales"]
    # dirty: MkDocs rebuilds only the pages whose files changed, and refresh() replaces only those
    mkdocs_serve(str(paths.mkdocs_yml), livereload=True, build_type="dirty", watch=[str(p) for p in watch],
                 dev_addr=address)
