"""Vectorised sampling helpers: frequencies, band lookups and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.sampling import (as_seconds, band_values, dense_rank, draw, group_rows, join_strings, lookup_table,
                                    nullable_dates, sample_ages, take_strings, year_of_day)


def test_lookup_table_draws_follow_weights() -> None:
    table = lookup_table([1.0, 3.0, 0.0, 0.0001])
    counts = np.bincount(draw(np.random.default_rng(1), table, 400_000), minlength=4) / 400_000
    assert abs(counts[0] - 0.25) < 0.005 and abs(counts[1] - 0.75) < 0.005
    assert counts[2] == 0 and 0 < counts[3] < 0.001  # rare categories keep a slot, impossible ones none


def test_band_values_table_and_mask_paths_agree() -> None:
    bands = {"0-17": 0.1, "18-64": 0.5, "65-99": 0.9}
    ages = np.array([0, 17, 18, 64, 65, 99, 104])
    expected = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9, -1.0]
    assert band_values(ages, bands, -1.0).tolist() == expected
    assert band_values(ages.astype(float), bands, -1.0).tolist() == expected


def test_sample_ages_follow_the_pyramid() -> None:
    ages = sample_ages(np.random.default_rng(2), 200_000, {"0-17": 0.2, "18-64": 0.5, "65-99": 0.3})
    assert abs((ages < 18).mean() - 0.2) < 0.005 and abs((ages >= 65).mean() - 0.3) < 0.005
    assert ages.max() <= 99 and (ages >= 90).mean() < (ages[(ages >= 65) & (ages < 75)].size / ages.size)


def test_take_strings_keeps_missing_values_missing() -> None:
    out = take_strings(["a", None, float("nan")], np.array([0, 1, 2, 0]), missing=np.array([False, False, False, True]))
    assert out.isna().tolist() == [False, True, True, True]
    assert out.iloc[0] == "a"


def test_year_of_day_matches_the_calendar() -> None:
    days = np.random.default_rng(3).integers(-30_000, 30_000, size=5_000)
    expected = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    assert (year_of_day(days) == expected).all()
    sparse = np.array([0, 10**7])  # a wide, sparse span converts directly
    assert (year_of_day(sparse) == sparse.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).all()


def test_as_seconds_equals_pandas_conversion_of_dates_with_gaps() -> None:
    days = np.array([-5, 0, 19_000, 7])
    missing = np.array([False, True, False, False])
    expected = pd.Series(nullable_dates(days, missing)).astype("datetime64[s]")
    got = pd.Series(as_seconds(days, missing))
    assert got.dtype == expected.dtype
    pd.testing.assert_series_equal(got, expected)


def test_dense_rank_and_group_rows_agree_with_numpy() -> None:
    rng = np.random.default_rng(5)
    for values in (rng.integers(0, 50, 1_000), rng.integers(0, 10**9, 1_000), rng.integers(-3, 3, 100)):
        assert (dense_rank(values) == np.unique(values, return_inverse=True)[1]).all()
    keys = rng.integers(0, 7, 2_000)
    for k, rows in enumerate(group_rows(keys, 8)):
        assert (rows == np.flatnonzero(keys == k)).all()


def test_join_strings_adds_the_second_word_only_where_asked() -> None:
    out = join_strings(("Anna", "Maria", "Ben"), np.array([0, 1, 2, 0]), np.array([1, 0, 0, 2]),
                       np.array([True, False, True, False]))
    assert out.tolist() == ["Anna Maria", "Maria", "Ben Anna", "Anna"]
    assert out.dtype == "str"
