"""Formatting every number a reader sees: one minus sign, and ratios no more precise than they need to be."""

from __future__ import annotations

import pytest

from trademirror import fmt


@pytest.mark.parametrize("value, qualifier, locale, expected", [
    (-329.6, "exact", "en", "−US$329.6mn"),
    (-329_600, "exact", "en", "−US$329.6bn"),  # the minus in front of the currency, never "US$-329.6bn"
    (-6800, "approx", "en", "about −US$6.8bn"),
    (6800, "exact", "en", "US$6.8bn"),
    (-0.001, "exact", "en", "US$0mn"),  # rounds to zero: no sign on a zero
    (-6800, "exact", "ru", "−6,8 млрд долл. США"),
])
def test_a_negative_amount_prints_one_typographic_minus_before_the_whole_amount(value, qualifier, locale, expected):
    assert fmt.money_mn(value, "USD", qualifier, locale) == expected


def test_money_number_and_percent_share_one_minus_sign():
    signs = {text[0] for text in (fmt.money_mn(-5, "USD"), fmt.number(-5), fmt.percent(-0.05))}
    assert signs == {fmt.MINUS} and "-" not in fmt.money_mn(-5, "USD")


@pytest.mark.parametrize("ratio, locale, expected", [
    (1000.0, "en", "1,000"),
    (999.6, "en", "1,000"),
    (620.3, "en", "620"),
    (46.2, "en", "46"),
    (5.73, "en", "5.7"),
    (5.73, "ru", "5,7"),
])
def test_a_ratio_is_said_to_two_significant_digits(ratio, locale, expected):
    assert fmt.fold(ratio, locale) == expected


@pytest.mark.parametrize("printed, expected", [
    (fmt.percent(-0.00001), "0.0%"),  # rounds to zero: no sign, as for amounts and numbers
    (fmt.percent(0.00001, signed=True), "0.0%"),
    (fmt.number(-0.01, 1), "0.0"),
    (fmt.money_mn(5, "USD", plus=True), "+US$5mn"),  # a difference (a gap in money) shows its plus
    (fmt.money_mn(-5, "USD", plus=True), "−US$5mn"),
    (fmt.money_mn(0.001, "USD", plus=True), "US$0mn"),
])
def test_a_number_that_rounds_to_zero_prints_no_sign_and_a_difference_prints_its_plus(printed, expected):
    assert printed == expected
