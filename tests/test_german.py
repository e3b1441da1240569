"""The one German number formatter."""

from __future__ import annotations

import math

from sandbox import german


def test_counts_decimals_and_shares_in_german() -> None:
    assert german.integer(31447) == "31.447" and german.integer(1234567.6) == "1.234.568"
    assert german.decimal(1.8512) == "1,85" and german.decimal(1234.5, 1) == "1.234,5"
    assert german.percent(0.1234) == "12,3%" and german.percent(None) == german.DASH
    assert german.comma("12,345.6") == "12.345,6"


def test_significant_digits_and_missing_values() -> None:
    assert german.significant(0.8123) == "0,812" and german.significant(12345.6) == "12.346"
    assert german.significant(0.5) == "0,5" and german.significant(0) == "0"
    assert german.significant(math.nan) == german.DASH and german.decimal(math.nan) == german.DASH
