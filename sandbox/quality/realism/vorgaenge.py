"""Realism measures of the process log and the citizens' messages.

Throughput times, rework and objections of the building permit (the service
the published process-mining logs describe: BPI Challenge 2015, building
permits of five Dutch municipalities), the online channel outside office
hours, and whether routing a message is more than reading its category.
Each function is registered under its key in ``realismus_referenz.csv``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sandbox.quality.realism.data import RealismData
from sandbox.quality.realism.registry import Observed, measure, share

__all__ = ["BAUGENEHMIGUNG", "cases"]

BAUGENEHMIGUNG = "99059002001000"  # LeiKa: Baugenehmigung (the permit the BPI logs describe)
OBJECTION = "Widerspruchsverfahren"
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Cases:
    """Per application (rows of `antraege`): throughput in days, repeated activity, objection."""

    days: np.ndarray  # first to last event, including an objection
    repeats: np.ndarray
    objection: np.ndarray
    closed: np.ndarray  # status abgeschlossen
    permit: np.ndarray  # the building permit


def _build(data: RealismData) -> Cases:
    ev, apps = data.frames["vorgangsereignisse"], data.frames["antraege"]
    ids = apps["antrag_id"].to_numpy(np.int64)
    row = np.searchsorted(ids, ev["antrag_id"].to_numpy(np.int64))
    seconds = ev["zeitstempel"].to_numpy("datetime64[s]").astype(np.int64)
    n = len(ids)
    start = np.flatnonzero(np.r_[True, np.diff(row) != 0]) if len(row) else np.zeros(0, np.int64)
    first, last = np.zeros(n, np.int64), np.zeros(n, np.int64)  # events run case by case (event_id order)
    first[row[start]] = np.minimum.reduceat(seconds, start) if len(start) else 0
    last[row[start]] = np.maximum.reduceat(seconds, start) if len(start) else 0
    activity = ev["aktivitaet"].astype("category").cat.codes.to_numpy(np.int64)
    pairs = np.unique(row * (int(activity.max(initial=0)) + 1) + activity, return_counts=True)
    repeats = np.zeros(n, bool)
    repeats[pairs[0][pairs[1] > 1] // (int(activity.max(initial=0)) + 1)] = True
    objection = np.zeros(n, bool)
    objection[row[(ev["teilprozess"] == OBJECTION).to_numpy(dtype=bool, na_value=False)]] = True
    return Cases(days=(last - first) / DAY_SECONDS, repeats=repeats, objection=objection,
                 closed=data.eq("antraege", "status", "abgeschlossen"),
                 permit=data.eq("antraege", "leika_schluessel", BAUGENEHMIGUNG))


def cases(data: RealismData) -> Cases:
    """The per-application view of the log (computed once per report)."""
    return data.once("vorgaenge.cases", _build)


def _median(values: np.ndarray) -> Observed | None:
    """Median with its large-sample standard error (from the interquartile range)."""
    if len(values) < 10:
        return None
    q25, q50, q75 = np.percentile(values, [25, 50, 75])
    return Observed(float(q50), 1.2533 * (q75 - q25) / 1.349 / math.sqrt(len(values)))


def _permits(data: RealismData) -> np.ndarray:
    c = cases(data)
    return c.days[c.permit & c.closed]


@measure("bau_durchlaufzeit_median")
def _permit_median(d: RealismData) -> Observed | None:
    return _median(_permits(d))


@measure("bau_durchlaufzeit_p90_median")
def _permit_tail(d: RealismData) -> Observed | None:
    days = _permits(d)
    median = _median(days)
    if median is None or median.value <= 0:
        return None
    ratio = float(np.percentile(days, 90)) / median.value
    return Observed(ratio, ratio * 2.0 / math.sqrt(len(days)))  # the tail quantile is the noisier part


@measure("bau_wiederholung_anteil")
def _permit_rework(d: RealismData) -> Observed | None:
    c = cases(d)
    return share(c.repeats, c.permit & c.closed)


@measure("bau_widerspruch_anteil")
def _permit_objection(d: RealismData) -> Observed | None:
    c = cases(d)
    return share(c.objection, c.permit & c.closed)


@measure("bau_widerspruch_dauerfaktor")
def _objection_duration(d: RealismData) -> Observed | None:
    c = cases(d)
    chosen = c.permit & c.closed
    with_obj, without = _median(c.days[chosen & c.objection]), _median(c.days[chosen & ~c.objection])
    if with_obj is None or without is None or without.value <= 0:
        return None
    ratio = with_obj.value / without.value
    return Observed(ratio, ratio * math.hypot(with_obj.se / max(with_obj.value, 1e-9), without.se / without.value))


@measure("online_eingang_randzeiten")
def _online_off_hours(d: RealismData) -> Observed | None:
    ev, apps = d.frames["vorgangsereignisse"], d.frames["antraege"]
    online_ids = apps["antrag_id"].to_numpy(np.int64)[d.eq("antraege", "kanal", "online")]
    receipt = (ev["aktivitaet"] == "Antrag eingegangen").to_numpy(dtype=bool, na_value=False) & np.isin(ev["antrag_id"].to_numpy(np.int64), online_ids)
    seconds = ev["zeitstempel"].to_numpy("datetime64[s]")[receipt].astype(np.int64)
    weekday = (seconds // DAY_SECONDS + 3) % 7  # Monday = 0
    hour = seconds % DAY_SECONDS // 3600
    return share((weekday >= 5) | (hour >= 18) | (hour < 7))


@measure("anfragen_routing_abweichend")
def _routing(d: RealismData) -> Observed | None:
    import pandas as pd

    msgs = d.frames["buergeranfragen"]
    if not len(msgs):
        return None
    pairs = pd.crosstab(msgs["kategorie"].astype("object"), msgs["zustaendiges_amt"].astype("object"))
    modal = pairs.idxmax(axis=1)
    expected = msgs["kategorie"].astype("object").map(modal).to_numpy()
    return share(msgs["zustaendiges_amt"].astype("object").to_numpy() != expected)
