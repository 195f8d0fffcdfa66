"""mkdocs.yml, read one way by every part of the project that needs a setting from it (the languages and
currencies of the editions, the site's address and name, the theme's `extra` settings)."""

from __future__ import annotations

from pathlib import Path

import yaml


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml without executing its tags (e.g. !!python/name for Markdown extensions)."""


_Lenient.add_multi_constructor("", lambda loader, suffix, node: None)


def read(mkdocs_yml: Path) -> dict:
    """The settings of an mkdocs.yml, or none when there is no such file."""
    if not mkdocs_yml.is_file():
        return {}
    return yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_Lenient) or {}


def site_url(config: dict) -> str:
    """The address the site is published at (`site_url`), or "" when it names none."""
    return str(config.get("site_url") or "")
