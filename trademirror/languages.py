"""The site's languages, read from `extra.alternate` in mkdocs.yml.

Material for MkDocs already uses that list for its language switcher, so it is
the one place a newsroom edits: the first entry whose `link` is empty is the
main language, built into the site's root; each other entry is an edition
built into its own folder (`link: ru/`). Adding a language means adding an
entry here and `trademirror/locales/<lang>.yml`; nothing in the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

NAV_FILE = ".nav.yml"  # an edition's generated navigation, inside its folder (MkDocs skips dotfiles)

@dataclass(frozen=True)
class Language:
    code: str  # "ru": picks locales/ru.yml, CLDR names and number formats, the theme's language
    name: str  # "Русский", as the switcher shows it
    folder: str  # "" for the main language, else "ru/"

    @property
    def is_main(self) -> bool:
        return self.folder == ""


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml without executing its tags (e.g. !!python/name for Markdown extensions)."""


_Lenient.add_multi_constructor("", lambda loader, suffix, node: None)


def read_config(mkdocs_yml: Path) -> dict:
    return yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_Lenient) or {}


def from_config(config: dict) -> list[Language]:
    """The languages, main language first; a site without `extra.alternate` has just its theme language."""
    main_code = (config.get("theme") or {}).get("language") or "en"
    entries = ((config.get("extra") or {}).get("alternate")) or []
    languages = [Language(str(e.get("lang", main_code)), str(e.get("name", "")), _folder(e.get("link")))
                 for e in entries]
    if not any(lang.is_main for lang in languages):
        languages.insert(0, Language(main_code, main_code, ""))
    return sorted(languages, key=lambda lang: not lang.is_main)


def configured(mkdocs_yml: Path) -> list[Language]:
    return from_config(read_config(mkdocs_yml)) if mkdocs_yml.is_file() else [Language("en", "English", "")]


def _folder(link: object) -> str:
    text = str(link or "").strip().strip("/")
    return f"{text}/" if text and text != "." else ""
