"""Message catalogues and escaping: every reader-visible string comes from `locales/<lang>.yml`.

`t(key, **values)` fills a message with values; values that come from the data
are escaped for Markdown and HTML on the way in, so a note or a source title
can never become a link, markup or script. A missing key stops the build
rather than leaking a raw key onto a page.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

import yaml
from markupsafe import Markup

LOCALES = Path(__file__).parent / "locales"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|#!])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # reserved and already-encoded characters stay; spaces, quotes, <>|` do not


def md(value: object) -> Markup:
    """Escape any value for Markdown text and inline HTML; trusted Markup passes through."""
    if isinstance(value, Markup):
        return value
    text = html.escape(str(value), quote=False)
    return Markup(MARKDOWN_SPECIAL.sub(r"\\\1", text))


def attr(value: object) -> Markup:
    """Escape for an HTML attribute inside a raw HTML block (no Markdown processing there)."""
    return Markup(html.escape(str(value), quote=True))


def plain(value: object) -> str:
    """Text for contexts that are not HTML (chart specs, CSV cells): control characters removed."""
    return CONTROL.sub("", str(value))


def title_text(value: object) -> str:
    """A page or navigation title from data, for themes that print titles as HTML.

    MkDocs themes treat titles as HTML, and Material's `<title>` runs them through
    `striptags`, which undoes one level of escaping. So angle brackets, which no
    real name needs, become look-alike quotation marks, and `&` and `"` are escaped:
    the title stays readable and can never become a tag, in any template.
    """
    text = plain(value).replace("<", "\u2039").replace(">", "\u203a")
    return html.escape(text, quote=True)


def url(value: object) -> Markup:
    """An http(s) address from the data, for an href: characters that could end the attribute,
    the Markdown table cell or the link are percent-encoded (validation already refused other schemes)."""
    text = plain(value).strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        return Markup("")
    return Markup(html.escape(quote(text, safe=URL_SAFE), quote=True))


class MissingMessage(KeyError):
    pass


@cache
def _catalogue(locale: str) -> dict:
    path = LOCALES / f"{locale}.yml"
    if not path.is_file():  # a language being started: everything falls back to English, and is counted
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def forget_messages() -> None:
    """Read the message files again at the next lookup (see fmt.forget)."""
    _catalogue.cache_clear()


SOURCE_LOCALE = "en"  # every message exists in English first; other languages may lag behind


def available(locale: str) -> bool:
    return (LOCALES / f"{locale}.yml").is_file()


def _lookup(messages: dict, key: str) -> object:
    node: object = messages
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise MissingMessage(key)
        node = node[part]
    return node


class Catalogue:
    """Messages for one language. A message missing in it falls back to English and is recorded in
    `missing` (tests require none); a message missing in English too stops the build."""

    def __init__(self, locale: str = "en"):
        self.locale = locale
        self.messages = _catalogue(locale)
        self.missing: set[str] = set()

    def raw(self, key: str) -> object:
        try:
            return _lookup(self.messages, key)
        except MissingMessage:
            pass
        if self.locale != SOURCE_LOCALE:
            try:
                value = _lookup(_catalogue(SOURCE_LOCALE), key)
            except MissingMessage:
                pass
            else:
                self.missing.add(key)
                return value
        raise MissingMessage(f"no message '{key}' in locales/{self.locale}.yml")

    def has(self, key: str) -> bool:
        """Whether a message exists (in this language or, as a fallback, in the source language)."""
        try:
            self.raw(key)
        except MissingMessage:
            return False
        return True

    def country_name(self, code: str, name_in_data: str, own: str | None = None) -> str:
        """An economy's name in this language. Names are data, not wording: `own` is the data package's
        name for this language (names.csv); without one, the data's English name in English and CLDR's
        name for an ISO code elsewhere, then the data's name (a group CLDR lacks, not yet named)."""
        if own:
            return own
        if self.locale == SOURCE_LOCALE:
            return name_in_data
        return cldr_country_name(code, self.locale) or name_in_data

    def t(self, key: str, **values: object) -> Markup:
        """A message for Markdown, with each value escaped."""
        template = str(self.raw(key))
        template, values = _capitalise_opening(template, values)
        return Markup(template.format(**{k: md(v) for k, v in values.items()}))

    def items(self, key: str) -> list[Markup]:
        """A list of messages (e.g. bullet points), each trusted as Markup."""
        node = self.raw(key)
        if not isinstance(node, list):
            raise MissingMessage(f"message '{key}' in locales/{self.locale}.yml is not a list")
        return [Markup(str(item)) for item in node]

    def text(self, key: str, **values: object) -> str:
        """A message as plain text (chart titles, CSV headers): values inserted as they are."""
        template = str(self.raw(key))
        template, values = _capitalise_opening(template, values)
        return template.format(**{k: plain(v) for k, v in values.items()})


class InSentence(str):
    """A name as it reads inside a sentence ("the European Union"), from the data package's names.

    Where a message opens with it ("{focus}'s customs service…"), its first letter is capitalised
    ("The European Union's customs service…"), so a translator writes one template for both places.
    """


OPENING = re.compile(r"^\{(\w+)\}")


def _capitalise_opening(template: str, values: dict[str, object]) -> tuple[str, dict[str, object]]:
    """Capitalise the name that opens the message, there only: the same name later in it stays as it is."""
    match = OPENING.match(template)
    value = values.get(match.group(1)) if match else None
    if not isinstance(value, InSentence) or not value[:1].islower():
        return template, values
    return "{_opening}" + template[match.end():], {**values, "_opening": value[:1].upper() + value[1:]}


def cldr_country_name(code: str, locale: str) -> str | None:
    """CLDR's name for an ISO 3166 alpha-3 (or alpha-2) code in the given language."""
    from babel import Locale
    from babel.core import UnknownLocaleError, get_global

    aliases = get_global("territory_aliases").get(code) or [code]
    try:
        territories = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        return None
    return territories.get(aliases[0])
