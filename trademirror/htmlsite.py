"""Run `mkdocs build --strict` in this process, on a staged docs folder, and turn its failures into one line.

In-process rather than a subprocess: it saves the interpreter start and the
imports (a second or more per build), and lets the build point MkDocs at the
staging folder without a second configuration file.
"""

from __future__ import annotations

import logging
from pathlib import Path


class HtmlError(Exception):
    """MkDocs refused the site; the message lists its warnings."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_html(config_file: Path, docs_dir: Path, site_dir: Path, generated: dict) -> None:
    """Build the HTML site from docs_dir into site_dir with the project's mkdocs.yml, strictly.

    `generated` is this build's nav.yml (navigation and `extra` settings): passed directly, since the
    nav.yml that mkdocs.yml inherits is still the previous build's until this one succeeds.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .siteconfig import read

    extra = {**(read(config_file).get("extra") or {}), **generated.get("extra", {})}

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                             nav=generated["nav"], extra=extra, strict=True)
        build(config)
    except MkDocsException as exc:
        details = "; ".join(collect.messages) or str(exc)
        raise HtmlError(f"mkdocs build --strict failed: {details}") from None
    finally:
        logger.removeHandler(collect)
