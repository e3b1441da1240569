"""Realism measures of the register event stream: contradictions, joint moves, migration rates.

A Meldebehörde sees people move as households: couples and families leave
on one day from one address, children never alone; nobody registers and
deregisters on the same day, and every deregistration is an event. Rates of
moves over the municipality border are compared per 1,000 residents and year,
overall and by age group. Each function is registered under its key in
``realismus_referenz.csv``.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sandbox.quality.realism.data import RealismData
from sandbox.quality.realism.registry import Observed, measure, rate, share

__all__: list[str] = []  # measures register themselves in registry.MEASURES

_MOVES_IN = ("Zuzug", "Umzug")
_LEAVING = ("Wegzug", "Sterbefall")
_DAY = np.int64(1 << 20)  # days since epoch fit below this; person * _DAY + day is one key


@measure("ereignisse_einzug_am_abgangstag")
def _same_day(d: RealismData) -> Observed | None:
    rows, kind, days, _ = d.register_events
    key = rows.astype(np.int64) * _DAY + days
    leaving = np.isin(kind, _LEAVING)
    hit = np.isin(kind, _MOVES_IN) & np.isin(key, key[leaving])
    return share(hit)


@measure("abgemeldete_einzug_am_abmeldetag")
def _moved_in_on_leaving(d: RealismData) -> Observed | None:
    return share(d.days("einzugsdatum") == d.days("abmeldedatum"), ~d.now)


@measure("abmeldung_mit_ereignis")
def _deregistration_event(d: RealismData) -> Observed | None:
    rows, kind, days, _ = d.register_events
    expected = np.where(d.dead, "Sterbefall", "Wegzug")
    matched = np.zeros(len(d.now), dtype=bool)
    leaving = np.isin(kind, _LEAVING)
    ok = leaving & (kind == expected[rows]) & (days == d.days("abmeldedatum")[rows])
    matched[rows[ok]] = True
    return share(matched, ~d.now)


def _together(days: np.ndarray, address: np.ndarray) -> np.ndarray:
    """Per event: how many events of the same kind share its address and day (itself included)."""
    key = address * _DAY + days
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse]


def _kind(d: RealismData, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, kinds, days, address = d.register_events
    pick = kinds == kind
    return rows[pick], days[pick], address[pick]


@measure("wegzug_minderjaehrige_ohne_erwachsene")
def _minors_alone(d: RealismData) -> Observed | None:
    rows, days, address = _kind(d, "Wegzug")
    age = d.age_on(days, rows)
    key = address * _DAY + days
    adult_keys = key[age >= 18]
    child = age < 16
    return share(~np.isin(key, adult_keys), child)


@measure("wegzug_gemeinsam")
def _joint_away(d: RealismData) -> Observed | None:
    _, days, address = _kind(d, "Wegzug")
    return share(_together(days, address) > 1)


@measure("zuzug_gemeinsam")
def _joint_in(d: RealismData) -> Observed | None:
    _, days, address = _kind(d, "Zuzug")
    return share(_together(days, address) > 1)


def _per_year(d: RealismData, kind: str) -> Observed | None:
    rows, _, _ = _kind(d, kind)
    return rate(len(rows), d.population * d.profile.ereignisjahre, 1000)


for _rate_key, _event in (("fortzuege_je_1000", "Wegzug"), ("zuzuege_je_1000", "Zuzug")):
    measure(_rate_key)(partial(_per_year, kind=_event))


def _away_by_age(d: RealismData, lo: int, hi: int) -> Observed | None:
    """Moves away at ages lo..hi per 1,000 residents of that age and year."""
    rows, days, _ = _kind(d, "Wegzug")
    age = d.age_on(days, rows)
    residents = int((d.now & (d.age >= lo) & (d.age <= hi)).sum())
    return rate(int(((age >= lo) & (age <= hi)).sum()), residents * d.profile.ereignisjahre, 1000)


def _band(lo: int, hi: int) -> None:
    """Register the age-band measure fortzuege_<lo>_<hi>_je_1000."""
    measure(f"fortzuege_{lo}_{hi}_je_1000")(lambda d: _away_by_age(d, lo, hi))


for _lo, _hi in ((0, 17), (18, 24), (25, 29), (30, 49), (50, 64), (65, 110)):
    _band(_lo, _hi)

