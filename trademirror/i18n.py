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

import yaml
from markupsafe import Markup

LOCALES = Path(__file__).parent / "locales"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|#!])")


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
    """Text for contexts that are not HTML (chart specs, CSV cells): strip what could be markup."""
    return str(value)


class MissingMessage(KeyError):
    pass


@cache
def _catalogue(locale: str) -> dict:
    path = LOCALES / f"{locale}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class Catalogue:
    def __init__(self, locale: str = "en"):
        self.locale = locale
        self.messages = _catalogue(locale)

    def raw(self, key: str) -> object:
        node: object = self.messages
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingMessage(f"no message '{key}' in locales/{self.locale}.yml")
            node = node[part]
        return node

    def t(self, key: str, **values: object) -> Markup:
        """A message for Markdown, with each value escaped."""
        template = self.raw(key)
        return Markup(str(template).format(**{k: md(v) for k, v in values.items()}))

    def items(self, key: str) -> list[Markup]:
        """A list of messages (e.g. bullet points), each trusted as Markup."""
        node = self.raw(key)
        if not isinstance(node, list):
            raise MissingMessage(f"message '{key}' in locales/{self.locale}.yml is not a list")
        return [Markup(str(item)) for item in node]

    def text(self, key: str, **values: object) -> str:
        """A message as plain text (chart titles, CSV headers): values inserted as they are."""
        return str(self.raw(key)).format(**{k: str(v) for k, v in values.items()})
