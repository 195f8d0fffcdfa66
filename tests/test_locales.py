"""Every translation says everything the English catalogue says, with the same blanks to fill.

The build falls back to English for a message a language lacks, so a gap would
not break a page, only show English in the middle of another edition. A blank
(`{partner}`) that a translation drops, misspells or repeats would either lose a
value or stop the build with a KeyError. These tests catch both before any page
is built, for every file in locales/, so a third language is covered the day
its file is added.
"""

from __future__ import annotations

import csv
from collections import Counter
from string import Formatter

import pytest
import yaml

from trademirror.i18n import LOCALES, Catalogue

from .conftest import ROOT

REFERENCE = "en"  # the language every message is written in first

LOCALE_FILES = sorted(LOCALES.glob("*.yml"))
TRANSLATIONS = [p for p in LOCALE_FILES if p.stem != REFERENCE]


def load(path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: the top level must be a mapping of message groups"
    return data


def flatten(node: object, prefix: str = "") -> dict[str, object]:
    """'chart.mirror.title' -> its message; lists and strings are leaves."""
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, object] = {}
    for key, value in node.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def messages(path) -> dict[str, object]:
    return flatten(load(path))


def blanks(template: str) -> Counter:
    """Each `{field}` (with its conversion and format spec) and how often it occurs; `{{` is not one."""
    return Counter((field, conversion, spec) for _, field, spec, conversion in Formatter().parse(template)
                   if field is not None)


ENGLISH = messages(LOCALES / f"{REFERENCE}.yml")


def test_there_is_a_translation_to_check():
    assert TRANSLATIONS, "locales/ has only the English catalogue"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_a_translation_has_exactly_the_english_keys(path):
    keys = set(messages(path))
    assert sorted(set(ENGLISH) - keys) == [], f"{path.name}: messages missing (the page would show English)"
    assert sorted(keys - set(ENGLISH)) == [], f"{path.name}: messages that en.yml does not have (never shown)"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_each_message_has_the_same_blanks_as_in_english(path):
    translated = messages(path)
    wrong = {}
    for key, english in ENGLISH.items():
        if isinstance(english, str) and isinstance(translated.get(key), str):
            if blanks(translated[key]) != blanks(english):
                wrong[key] = (sorted(blanks(english).elements()), sorted(blanks(translated[key]).elements()))
    assert wrong == {}, f"{path.name}: blanks differ from en.yml (english, translation)"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_each_translated_message_fills_with_the_english_values(path):
    """The build calls `.format(**values)` with the names English uses; the translation must accept them."""
    translated = messages(path)
    for key, english in ENGLISH.items():
        if isinstance(english, str) and isinstance(translated.get(key), str):
            values = {field: f"<{field}>" for field, _, _ in blanks(english)}
            filled = translated[key].format(**values)
            for field in values:
                assert f"<{field}>" in filled, f"{path.name}: {key}: {{{field}}} is not used"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_lists_stay_lists_and_text_stays_text(path):
    translated = messages(path)
    for key, english in ENGLISH.items():
        if key not in translated:
            continue
        value = translated[key]
        if isinstance(english, list):
            assert isinstance(value, list) and value, f"{path.name}: {key} must be a non-empty list, like en.yml"
            assert all(isinstance(item, str) and item.strip() for item in value), f"{path.name}: {key}: empty item"
        else:
            assert isinstance(value, str), f"{path.name}: {key} must be text, like en.yml, not {type(value).__name__}"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_a_message_that_says_something_in_english_is_not_left_empty(path):
    translated = messages(path)
    empty = [key for key, english in ENGLISH.items()
             if isinstance(english, str) and english.strip() and isinstance(translated.get(key), str)
             and not translated[key].strip()]
    assert empty == [], f"{path.name}: empty translations"


@pytest.mark.parametrize("path", LOCALE_FILES, ids=lambda p: p.name)
def test_a_locale_file_holds_wording_only_and_no_names_of_economies(path):
    """Names are data: they live in the package's names.csv, which a journalist edits, not in the code."""
    assert "country_names" not in load(path), f"{path.name}: move these names to names.csv in the data package"


def package_tables(name: str) -> list[dict]:
    rows = []
    for table in sorted((ROOT / "datapackages").glob(f"*/data/{name}.csv")):
        with table.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_every_country_and_group_in_the_data_gets_a_name_in_the_language(path):
    """Countries are named by CLDR, groups by the package's names.csv; neither falls back to English."""
    rows = package_tables("countries")
    assert rows, "no countries table under datapackages/"
    own = {row["code"]: row["name"] for row in package_tables("names") if row["language"] == path.stem}
    catalogue = Catalogue(path.stem)
    untranslated = [row["code"] for row in rows if catalogue.country_name(row["code"], "\0", own.get(row["code"]))
                    == "\0"]
    assert untranslated == [], f"{path.name}: add rows for these codes in '{path.stem}' to names.csv"
