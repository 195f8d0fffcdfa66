"""Locale-aware formatting of money, percentages and periods.

Every number a reader sees goes through here, so a second language is a
matter of passing another locale (Babel/CLDR supplies the separators and
month names), never of editing templates.
"""

from __future__ import annotations

import calendar
import functools
import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol


@functools.lru_cache(maxsize=1 << 16)
def money_mn(value: float, currency: str, qualifier: str = "exact", locale: str = "en", plus: bool = False) -> str:
    """An amount in millions of `currency` with a magnitude word, in the language's words:
    (784, "USD") -> 'US$784mn', (29700, "USD") -> 'US$29.7bn', (517800, "EUR") -> '€517.8bn'.

    The symbol is the language's own where its messages give one (`currency_symbol`), else CLDR's.
    A negative amount takes the minus sign in front of the whole amount, as a
    reader writes it, and the same sign as `number` and `percent`: -6800 ->
    '−US$6.8bn', never 'US$-6.8bn'; with `plus`, a positive one takes '+' (a difference: '+US$5mn').
    (Data files keep the ASCII '-': they are read by programs, not people.)
    """
    from .i18n import Catalogue  # the words around the number are messages, like every other text

    catalogue = Catalogue(locale)
    scale, key = (1000, "money.bn") if abs(value) >= 1000 else (1, "money.mn")
    digits = format_decimal(abs(value) / scale, format="#,##0.##", locale=locale)
    text = sign(value, digits, plus) + catalogue.text(key, number=digits, symbol=currency_symbol(currency, locale))
    return qualified(text, qualifier, locale)


def qualified(text: str, qualifier: str = "exact", locale: str = "en") -> str:
    """A printed number with its qualifier's word before it ('about US$6.8bn', 'over 40%'); none for exact."""
    from .i18n import Catalogue

    word = Catalogue(locale).text(f"qualifier.{qualifier}")
    return f"{word} {text}" if word else text


@functools.lru_cache(maxsize=1 << 16)
def currency_symbol(currency: str, locale: str = "en") -> str:
    """How the language writes a currency beside an amount: its messages' word (`currency.USD`) where a
    newsroom's style wants one that CLDR's symbol is not (English 'US$' rather than a bare '$'; Russian
    'долл. США'), else CLDR's symbol for that locale ('€', 'CN¥')."""
    from .i18n import Catalogue

    catalogue = Catalogue(locale)
    if catalogue.has(f"currency.{currency}"):
        return catalogue.text(f"currency.{currency}")
    return get_currency_symbol(currency, locale=locale)


MINUS = "\u2212"  # the typographic minus sign, the one width of a plus sign


def sign(value: float, digits: str, plus: bool = False) -> str:
    """The sign printed before a number whose digits (without a sign) are `digits`: the typographic minus for
    a negative value, '+' for a positive one when `plus`, and none when the digits shown are all zero.

    Every number a reader sees takes its sign from here: amounts, numbers and percentages alike.
    """
    if not digits.strip("0.,\u00a0 "):
        return ""
    if value < 0:
        return MINUS
    return "+" if plus and value > 0 else ""


@functools.lru_cache(maxsize=1 << 16)
def number(value: float, decimals: int = 1, locale: str = "en") -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(abs(value), format=pattern, locale=locale)
    return sign(value, text) + text


def fold(ratio: float, locale: str = "en") -> str:
    """A ratio to two significant digits, as precise as a units slip needs: 1000.0 -> '1,000', 5.73 -> '5.7'."""
    if ratio < 10:
        return number(ratio, 1, locale)
    step = 10 ** max(0, math.floor(math.log10(ratio)) - 1)
    return number(round(ratio / step) * step, 0, locale)


@functools.lru_cache(maxsize=1 << 16)
def percent(value: float, decimals: int = 1, locale: str = "en", signed: bool = False) -> str:
    """Percent from a fraction: 0.067 -> '6.7%' (or '+6.7%' when signed)."""
    digits = format_decimal(abs(value) * 100, format="#,##0." + "0" * decimals, locale=locale)
    return sign(value, digits, signed) + digits + "%"


def is_full_year(start: date, end: date) -> bool:
    return start.month == 1 and start.day == 1 and end == date(start.year, 12, 31)


@functools.lru_cache(maxsize=1 << 16)
def period(start: date, end: date, locale: str = "en") -> str:
    """'2025', 'Jan–Oct 2025', 'Oct 2025' or 'Nov 2024–Feb 2025' (in Russian: '2025 г.', 'янв.–окт. 2025 г.')."""
    from .i18n import Catalogue

    catalogue = Catalogue(locale)

    def year(value: int) -> str:
        return catalogue.text("period.year", year=value)

    if is_full_year(start, end):
        return year(start.year)
    first = format_date(start, "LLL", locale=locale)
    last = format_date(end, "LLL", locale=locale)
    if start.year == end.year:
        if start.month == end.month:
            return f"{first} {year(start.year)}"
        return f"{first}–{last} {year(start.year)}"
    return f"{first} {year(start.year)}–{last} {year(end.year)}"


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


CACHED = (money_mn, currency_symbol, number, percent, period)


def forget() -> None:
    """Drop the remembered results and messages: a build reads the messages as they are now (the live preview
    is one process, and a message edited while it runs must show). Formatting is pure, so within one build
    each amount, percentage and period is formatted once, however many pages show it."""
    from .i18n import forget_messages

    for function in CACHED:
        function.cache_clear()
    forget_messages()
