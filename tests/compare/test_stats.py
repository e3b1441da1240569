"""Bootstrap intervals over seeds: known data, determinism, the single-seed case."""

from __future__ import annotations

import math

import pytest

from sandbox.compare import stats


def test_separated_seeds_give_a_clear_difference() -> None:
    base = stats.estimate([0.8, 0.82, 0.81], "recall")
    other = stats.estimate([0.7, 0.71, 0.69], "recall")
    assert base is not None and other is not None
    assert base.mean == pytest.approx(0.81) and other.mean == pytest.approx(0.70)
    assert 0.8 <= base.low <= base.mean <= base.high <= 0.82
    diff = stats.difference(base, other, "recall")
    assert diff.value == pytest.approx(-0.11)
    assert diff.clear is True and diff.high < 0
    assert -0.13 < diff.low < diff.value < diff.high < -0.09


def test_overlapping_seeds_are_not_clear() -> None:
    base = stats.estimate([0.80, 0.86, 0.74, 0.83], "f1")
    other = stats.estimate([0.82, 0.75, 0.88, 0.79], "f1")
    diff = stats.difference(base, other, "f1")
    assert diff.clear is False and diff.low < 0 < diff.high


def test_same_numbers_every_time_and_independent_of_call_order() -> None:
    first = stats.estimate([1.0, 2.0, 4.0, 8.0], "x")
    stats.estimate([5.0, 1.0], "other")  # another metric in between must not shift the generator
    again = stats.estimate([1.0, 2.0, 4.0, 8.0], "x")
    assert first == again
    a, b = stats.estimate([1, 2, 3], "a"), stats.estimate([2, 3, 4], "a")
    assert stats.difference(a, b, "a") == stats.difference(a, b, "a")


def test_single_value_has_no_interval_and_no_verdict() -> None:
    one = stats.estimate([0.9], "m")
    assert one is not None and one.n == 1 and one.low is None and not one.has_interval
    many = stats.estimate([0.5, 0.6, 0.7], "m")
    diff = stats.difference(one, many, "m")
    assert diff.clear is None and diff.value == pytest.approx(-0.3) and diff.low is None


def test_nan_values_are_dropped_and_nothing_left_is_none() -> None:
    est = stats.estimate([0.5, math.nan, 0.7], "m")
    assert est is not None and est.n == 2 and est.mean == pytest.approx(0.6)
    assert stats.estimate([math.nan], "m") is None


def test_constant_results_make_a_degenerate_but_honest_interval() -> None:
    base, same = stats.estimate([0.8, 0.8, 0.8], "m"), stats.estimate([0.8, 0.8], "m")
    assert (base.low, base.high) == (pytest.approx(0.8), pytest.approx(0.8))
    assert stats.difference(base, same, "m").clear is False  # identical: no difference at all
    shifted = stats.estimate([0.9, 0.9], "m")
    assert stats.difference(base, shifted, "m").clear is True
