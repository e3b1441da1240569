"""Measures with confidence intervals, and the distances between cell records.

Every risk and utility figure of a twin is a :class:`Measure`: the value for
the twin, the same figure for its baseline, each with a 95 % interval, so a
reader sees whether the twin differs from what chance (the held-out control
records) or a naive method (independent columns) gives. Shares get Wilson
score intervals, as Giomi et al. (PoPETs 2023) use for their attack rates;
the risk of an attack is their normalised excess over the control rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

    from sandbox.twin.domain import DomainColumn

__all__ = ["Measure", "wilson", "attack_risk", "mean_interval", "column_distance", "Z"]

Z = 1.959963984540054  # two-sided 95 %


@dataclass(frozen=True)
class Measure:
    """One figure of the twin against its baseline, each with a 95 % interval."""

    key: str  # ASCII, for MLflow and thresholds: "singling_out_risiko"
    label: str  # German, for the report
    value: float
    low: float
    high: float
    baseline: float | None = None
    baseline_low: float | None = None
    baseline_high: float | None = None
    baseline_label: str = ""  # German: what the baseline is
    better: str = "lower"  # which direction is good for the twin: "lower" or "higher"

    def as_metrics(self) -> dict[str, float]:
        out = {self.key: self.value, f"{self.key}.unten": self.low, f"{self.key}.oben": self.high}
        if self.baseline is not None:
            out[f"{self.key}.vergleich"] = self.baseline
        return out


def wilson(successes: float, trials: int) -> tuple[float, float, float]:
    """Share and its 95 % Wilson score interval; (nan, nan, nan) without trials."""
    if trials <= 0:
        return math.nan, math.nan, math.nan
    p = successes / trials
    denom = 1 + Z * Z / trials
    centre = (p + Z * Z / (2 * trials)) / denom
    half = Z * math.sqrt(p * (1 - p) / trials + Z * Z / (4 * trials * trials)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def attack_risk(attack: tuple[float, float, float], control: tuple[float, float, float]) -> tuple[float, float, float]:
    """Giomi et al.'s risk: the attack's success beyond the control's, ``(r_a - r_c) / (1 - r_c)``, with the
    interval carried over from the attack rate's interval."""
    rc = control[0]
    if math.isnan(rc) or rc >= 1:
        return math.nan, math.nan, math.nan
    return tuple(max(-1.0, (r - rc) / (1 - rc)) for r in attack)  # type: ignore[return-value]


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and a normal 95 % interval over ``values`` (their spread, not a sampling error)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = sum(values) / n
    if n == 1:
        return mean, mean, mean
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, mean - Z * sd / math.sqrt(n), mean + Z * sd / math.sqrt(n)


def column_distance(targets: "np.ndarray", pool: "np.ndarray", col: "DomainColumn") -> "np.ndarray":
    """Gower's distance on one column's cells (targets x pool), each in [0, 1].

    A category differs or not; a bin or period differs by its distance over
    the column's range; an empty cell is as far from any value as possible.
    """
    import numpy as np

    a, b = targets[:, None], pool[None, :]
    if col.kind == "kategorie":
        return (a != b).astype(np.float32)
    empty = col.size - 1 if col.nullable else -1
    span = np.float32(max(col.size - (2 if col.nullable else 1), 1))
    dist = np.minimum(np.abs(a - b).astype(np.float32) / span, np.float32(1))
    either = (a == empty) | (b == empty)
    return np.where(either, (a != b).astype(np.float32), dist)
