"""The site's languages, read from `extra.alternate` in mkdocs.yml.

Material for MkDocs already uses that list for its language switcher, so it is
the one place a newsroom edits: the first entry whose `link` is empty is the
main language, built into the site's root; each other entry is an edition
built into its own folder (`link: ru/`). Adding a language means adding an
entry here and `trademirror/locales/<lang>.yml`; nothing in the code.
Removing one means deleting its entry: a translated folder left in docs/
(`docs/ru/about.md`) is then a leftover, which the build and the MkDocs hook
leave out of the site rather than fail on (`leftover_folders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import siteconfig

NAV_FILE = ".nav.yml"  # an edition's generated navigation, inside its folder (MkDocs skips dotfiles)

@dataclass(frozen=True)
class Language:
    code: str  # "ru": picks locales/ru.yml, CLDR names and number formats, the theme's language
    name: str  # "Русский", as the switcher shows it
    folder: str  # "" for the main language, else "ru/"
    # The currency amounts are shown in: the entry's `currency`, else `extra.currency`, else None (the
    # package's comparison currency). Figures in another currency are shown as published, converted beside.
    currency: str | None = None

    @property
    def is_main(self) -> bool:
        return self.folder == ""


def from_config(config: dict) -> list[Language]:
    """The languages, main language first; a site without `extra.alternate` has just its theme language."""
    main_code = (config.get("theme") or {}).get("language") or "en"
    extra = config.get("extra") or {}
    entries = extra.get("alternate") or []
    default = _currency(extra.get("currency"))
    languages = [Language(str(e.get("lang", main_code)), str(e.get("name", "")), _folder(e.get("link")),
                          _currency(e.get("currency")) or default)
                 for e in entries]
    if not any(lang.is_main for lang in languages):
        languages.insert(0, Language(main_code, main_code, "", default))
    return sorted(languages, key=lambda lang: not lang.is_main)


def configured(mkdocs_yml: Path) -> list[Language]:
    return from_config(siteconfig.read(mkdocs_yml)) if mkdocs_yml.is_file() else [Language("en", "English", "")]


def leftover_folders(docs: Path, editions: list[Language]) -> list[str]:
    """Folders of docs/ that hold a language edition no longer listed in `extra.alternate`, e.g. ["ru/"].

    A fork removes a language by deleting its entry, and may keep its translated pages for later. A
    top-level folder counts as an edition's when its name is a language: one with a locale file in
    trademirror/locales/, or one CLDR knows (so `de/` counts before anyone writes locales/de.yml).
    The other folders (assets/, countries/, downloads/) are never languages.
    """
    if not docs.is_dir():
        return []
    listed = {lang.folder for lang in editions}
    return [f"{path.name}/" for path in sorted(docs.iterdir())
            if path.is_dir() and f"{path.name}/" not in listed and is_language(path.name)]


def is_language(name: str) -> bool:
    """Whether a folder's name is a language code: a locale file of ours, or a locale CLDR knows."""
    from babel import Locale, UnknownLocaleError

    from .i18n import available

    if available(name):
        return True
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _folder(link: object) -> str:
    text = str(link or "").strip().strip("/")
    return f"{text}/" if text and text != "." else ""


def _currency(value: object) -> str | None:
    """A display currency from mkdocs.yml, as an ISO 4217 code ("eur" is read as "EUR"); None when unset."""
    text = str(value or "").strip().upper()
    return text or None
