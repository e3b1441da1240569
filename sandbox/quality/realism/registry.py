"""The registry of realism measures: each a function of the dataset, its reference a row of a CSV file.

A measure is registered with :func:`measure` under the key of its row in
``synthetic_data/reference/realismus_referenz.csv`` (title, official value or
assumption, tolerance, unit, source). Its function returns an
:class:`Observed` value with its sampling error, so a small town is judged
with a tolerance that allows for its size. Modules that add measures (people
and households here; events and processes later) only call ``@measure``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from sandbox.quality.realism.data import RealismData

__all__ = ["Observed", "Measure", "MEASURES", "measure", "share", "mean", "rate", "SIGMAS"]

SIGMAS = 4.0  # a value is inside when within the tolerance or four standard errors of its sample


@dataclass(frozen=True)
class Observed:
    """A value measured on the dataset and its standard error (0 when exact)."""

    value: float
    se: float = 0.0


@dataclass(frozen=True)
class Measure:
    key: str  # row key in realismus_referenz.csv
    compute: Callable[["RealismData"], Observed | None]


MEASURES: dict[str, Measure] = {}


def measure(key: str) -> Callable[[Callable[["RealismData"], Observed | None]], Callable[["RealismData"], Observed | None]]:
    """Register a measure function under its reference key (explicit, no import scanning)."""

    def register(func: Callable[["RealismData"], Observed | None]) -> Callable[["RealismData"], Observed | None]:
        if key in MEASURES:
            raise ValueError(f"realism measure {key!r} registered twice")
        MEASURES[key] = Measure(key, func)
        return func

    return register


def share(hit: np.ndarray, within: np.ndarray | None = None) -> Observed | None:
    """Share of ``hit`` among ``within`` (all when None); None when the group is empty."""
    hit = np.asarray(hit, dtype=bool)
    base = hit if within is None else hit[np.asarray(within, dtype=bool)]
    n = len(base)
    if n == 0:
        return None
    p = float(base.mean())
    return Observed(p, math.sqrt(max(p * (1 - p), 0.25 / n) / n))


def mean(values: np.ndarray) -> Observed | None:
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return None
    sd = float(values.std()) if len(values) > 1 else 0.0
    return Observed(float(values.mean()), sd / math.sqrt(len(values)))


def rate(count: int, population: int, per: float) -> Observed | None:
    """Events per ``per`` people, with the Poisson error of the count."""
    if population <= 0:
        return None
    return Observed(count / population * per, math.sqrt(max(count, 1)) / population * per)
