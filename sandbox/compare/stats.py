"""Bootstrap statistics over seeds: mean with a 95 % interval, and the difference of two means.

An experiment runs once per seed; the seeds are a small sample of what the
approach would do on another day. The percentile bootstrap resamples those
values with replacement and reads the interval off the resampled means. A
difference between two experiments counts as *clear of noise* when the 95 %
interval of the difference (both sides resampled independently, unpaired)
excludes 0. The generator is seeded from a fixed number and the metric's
name, so a report shows the same numbers every time it is made.

With a single value there is no interval at all (``low``/``high`` are None);
with two or three values the interval is too narrow rather than too wide,
which the report says in words.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Estimate", "Difference", "estimate", "difference", "RESAMPLES", "LEVEL", "BOOTSTRAP_SEED"]

RESAMPLES = 10_000
LEVEL = 0.95
BOOTSTRAP_SEED = 20_240_601  # fixed: the same runs give the same report


@dataclass(frozen=True)
class Estimate:
    """Mean of one metric over the seeds of one experiment, with its bootstrap interval."""

    mean: float
    low: float | None
    high: float | None
    n: int
    values: tuple[float, ...]

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Difference:
    """``other - baseline`` with its interval; ``clear`` None: not assessable (a side has one value)."""

    value: float
    low: float | None
    high: float | None
    clear: bool | None


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([BOOTSTRAP_SEED, zlib.crc32(key.encode("utf-8"))]))


def _resampled_means(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(values), size=(RESAMPLES, len(values)))
    return values[picks].mean(axis=1)


def _bounds(samples: np.ndarray) -> tuple[float, float]:
    tail = (1.0 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def _clean(values: Sequence[float]) -> np.ndarray:
    return np.array([v for v in values if v is not None and not math.isnan(v)], dtype=float)


def estimate(values: Sequence[float], key: str = "") -> Estimate | None:
    """Mean and percentile-bootstrap interval of ``values`` (NaN dropped); None if nothing is left."""
    data = _clean(values)
    if data.size == 0:
        return None
    mean = float(data.mean())
    if data.size == 1:
        return Estimate(mean, None, None, 1, (mean,))
    low, high = _bounds(_resampled_means(data, _rng(key)))
    return Estimate(mean, low, high, int(data.size), tuple(float(v) for v in data))


def difference(baseline: Estimate, other: Estimate, key: str = "") -> Difference:
    """``other.mean - baseline.mean`` with an unpaired bootstrap interval; clear when it excludes 0."""
    value = other.mean - baseline.mean
    if baseline.n < 2 or other.n < 2:
        return Difference(value, None, None, None)
    rng = _rng("diff:" + key)
    base = _resampled_means(np.array(baseline.values), rng)
    alt = _resampled_means(np.array(other.values), rng)
    low, high = _bounds(alt - base)
    tolerance = 1e-9 * max(1.0, abs(baseline.mean), abs(other.mean))  # float noise of equal means is no difference
    return Difference(value, low, high, bool(low > tolerance or high < -tolerance))
