"""Vectorised sampling helpers: frequencies, band lookups and missing values."""

from __future__ import annotations

import numpy as np

from sandbox.synth.sampling import band_values, draw, lookup_table, sample_ages, take_strings


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
