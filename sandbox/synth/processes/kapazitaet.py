"""Staff capacity of the offices over the calendar: holidays, summer leave, sick-leave backlogs.

An office does not work at the same pace all year. Between Christmas and New
Year half the staff is away, in the Saxon summer holidays a third, in the
flu season of January to March a tenth more are ill (assumptions in
``reference/prozessannahmen.csv``). On top, each office has months of
backlog when people are ill or posts are vacant: an autoregressive factor
per office and month. Work is then counted in *capacity days*: a task of 20
days started before Christmas or in July ends later in calendar days than
the same task started in October, which is the workload reaction real
process logs show.

:meth:`Kapazitaet.ende` turns (office, start day, work days) into the day
the work is done, with one ``searchsorted`` over all offices at once.
:func:`der_stellen` builds the calendar from the seed alone, so every table
that asks for the same offices and days sees the same backlogs (the decision
dates in `antraege` can use it as the objections in `vorgangsereignisse` do).
"""

from __future__ import annotations

import numpy as np

from sandbox.synth.context import table_rng
from sandbox.synth.kalender import year_month_day
from sandbox.synth.processes.katalog import annahme

__all__ = ["Kapazitaet", "der_stellen", "saisonale_kapazitaet"]

BACKLOG_MEMORY = 0.6  # month-to-month persistence of an office's backlog (Annahme)


def saisonale_kapazitaet(days: np.ndarray) -> np.ndarray:
    """Share of staff at work on each calendar day (1 = everybody), from the seasonal assumptions."""
    _, month, day = year_month_day(np.asarray(days, np.int64))
    summer = (month == 7) | ((month == 8) & (day <= 15))
    christmas = ((month == 12) & (day >= 24)) | ((month == 1) & (day <= 2))
    flu = month <= 3
    return (1.0 - annahme("kapazitaet_sommer") * summer - annahme("kapazitaet_weihnachten") * christmas
            - annahme("kapazitaet_krankenstand_winter") * flu)


class Kapazitaet:
    """Capacity per office pool and calendar day from ``first`` to ``last`` (days since epoch)."""

    def __init__(self, rng: np.random.Generator, pools: int, first: int, last: int) -> None:
        self.first, self.span = int(first), int(last) - int(first) + 1
        days = np.arange(self.first, self.first + self.span)
        months = (days - self.first) // 30
        shocks = rng.normal(0.0, annahme("kapazitaet_engpass"), (max(pools, 1), int(months[-1]) + 1))
        backlog = np.zeros_like(shocks)
        for m in range(shocks.shape[1]):  # a few dozen months: the loop is over months, not cases
            backlog[:, m] = (BACKLOG_MEMORY * backlog[:, m - 1] if m else 0.0) + shocks[:, m]
        office = np.clip(1.0 + backlog, 0.4, 1.3)[:, months]
        self.factor = np.maximum(saisonale_kapazitaet(days)[None, :] * office, 0.05)  # [pool, day]
        cum = np.cumsum(self.factor, axis=1)
        self.stride = float(cum[:, -1].max()) + 1.0
        self.cum = (cum + self.stride * np.arange(len(cum))[:, None]).ravel()  # increasing over all pools

    def at(self, pool: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Capacity factor of each pool on each day (days clipped to the range)."""
        return self.factor[pool, np.clip(np.asarray(days, np.int64) - self.first, 0, self.span - 1)]

    def mittel(self, pool: np.ndarray) -> np.ndarray:
        """Mean capacity factor of each pool over the range: published durations are calendar days of an
        average year, so multiplied by it they become capacity days that keep the average duration."""
        return self.factor.mean(axis=1)[np.asarray(pool, np.int64)]

    def ende(self, pool: np.ndarray, start: np.ndarray, work: np.ndarray) -> np.ndarray:
        """Calendar day on which ``work`` capacity days, begun on ``start``, are done (past the range: extrapolated)."""
        pool = np.asarray(pool, np.int64)
        offset = np.clip(np.asarray(start, np.int64) - self.first, 0, self.span - 1)
        base = self.cum[pool * self.span + offset]
        target = base + np.asarray(work, float)
        pos = np.searchsorted(self.cum, target, side="left")
        inside = pos < (pool + 1) * self.span
        day = np.where(inside, pos - pool * self.span, self.span - 1)
        overshoot = np.where(inside, 0.0, target - self.cum[(pool + 1) * self.span - 1])  # beyond the range: full pace
        return np.maximum(self.first + day + np.ceil(overshoot).astype(np.int64), np.asarray(start, np.int64))


def der_stellen(seed: int, pools: int, first: int, last: int) -> Kapazitaet:
    """The offices' capacity for a dataset's seed (its own random stream, shared by every table)."""
    return Kapazitaet(table_rng(seed, "kapazitaet"), pools, first, last)
