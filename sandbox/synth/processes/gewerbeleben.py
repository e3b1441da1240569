"""The life of businesses: registrations, survival and closures over the years before the reference day.

A municipality registers businesses at Saxony's rate per 1,000 residents and
year (``reference/gewerbe_dynamik.csv``, Gewerbeanzeigenstatistik). Each
business lives a Weibull-distributed time with a shape below one (closures
are most frequent in the first years), its mean set by the legal form
(``gewerbe_rechtsformen.csv``) and scaled so that the stock on the reference
day matches the profile's density ``gewerbe_je_1000``. In the steady state
closures then run at the rate of registrations, as in Saxony (2023: 6.5
registrations, 6.2 closures per 1,000), and a closure date is a real date,
never cut off at the reference day.

The recorded businesses are those alive on some day of the event years.
Owners are residents of the municipality on the registration day, drawn by
the founders' age profile (``gruender_alter.csv``) and the share of women
among sole traders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sandbox.synth import reference
from sandbox.synth.kalender import YEAR
from sandbox.synth.sampling import weighted_choice

__all__ = ["Leben", "dynamik", "lives", "owners", "reasons", "SOLE"]

SOLE = ("Einzelunternehmen", "e.K.")
NEVER = np.iinfo(np.int64).max // 4
ROUNDS = 30  # rejection rounds for owners; acceptance is about one half


def dynamik() -> dict[str, float]:
    """The scalar parameters of ``reference/gewerbe_dynamik.csv`` by name."""
    table = reference.load("gewerbe_dynamik")
    return dict(zip(table["parameter"], table["wert"].astype(float)))


@dataclass(frozen=True)
class Leben:
    """Businesses alive during the event years: municipality, form, sideline, start and end day (NEVER if active)."""

    gemeinde: np.ndarray
    form: np.ndarray  # legal form (object array)
    side: np.ndarray  # Nebenerwerb
    start: np.ndarray
    end: np.ndarray


def _mean_lives(density: float, rate: float, factor: np.ndarray, share: np.ndarray, side_share: float,
                side_factor: float) -> float:
    """Mean life of a sole trader in years, so that registrations x mean life = the stock density."""
    sole_side = np.where(np.isin(_forms(), SOLE[:1]), side_share * side_factor + (1 - side_share), 1.0)
    return density / rate / float((share * factor * sole_side).sum())


def _forms() -> np.ndarray:
    return reference.load("gewerbe_rechtsformen")["rechtsform"].to_numpy(dtype=object)


def lives(rng: np.random.Generator, residents: np.ndarray, density: float, ref: int, window_start: int) -> Leben:
    """Registrations since ``vorlauf_jahre`` before the window, each with its life; those alive in the window."""
    p = dynamik()
    forms = reference.load("gewerbe_rechtsformen")
    share = forms["anteil_anmeldungen"].astype(float).to_numpy()
    share = share / share.sum()
    factor = forms["lebensdauer_faktor"].astype(float).to_numpy()
    rate = p["anmeldungen_je_1000"] / 1000.0
    horizon = window_start - int(p["vorlauf_jahre"] * YEAR)
    counts = rng.poisson(residents * rate * (ref - horizon) / YEAR)
    gemeinde = np.repeat(np.arange(len(residents)), counts)
    n = len(gemeinde)
    start = horizon + 1 + np.floor(rng.random(n) * (ref - horizon)).astype(np.int64)
    kind = weighted_choice(rng, dict(enumerate(share)), n).astype(np.int64)
    form = forms["rechtsform"].to_numpy(dtype=object)[kind]
    side = (form == SOLE[0]) & (rng.random(n) < p["nebenerwerb_anteil"])
    base = _mean_lives(density, rate, factor, share, p["nebenerwerb_anteil"], p["nebenerwerb_lebensdauer_faktor"])
    mean = base * factor[kind] * np.where(side, p["nebenerwerb_lebensdauer_faktor"], 1.0)
    shape = p["lebensdauer_form"]
    life = mean / math.gamma(1.0 + 1.0 / shape) * rng.weibull(shape, n) * YEAR
    end = start + 30 + np.floor(life).astype(np.int64)  # a business lasts at least a month
    keep = end > window_start
    end = np.where(end > ref, NEVER, end)
    return Leben(gemeinde[keep], form[keep], side[keep], start[keep], end[keep])


def reasons(rng: np.random.Generator, n: int, art: str) -> np.ndarray:
    """Reasons of registrations (``art`` Anmeldung) or closures (Abmeldung) by their official shares."""
    table = reference.load("gewerbe_gruende")
    table = table[table["art"] == art]
    return weighted_choice(rng, table["grund"].tolist(), n, table["anteil"].astype(float).tolist())


def _age_weights(age: np.ndarray) -> np.ndarray:
    table = reference.load("gruender_alter")
    lo, hi = table["alter_von"].astype(int).to_numpy(), table["alter_bis"].astype(int).to_numpy()
    width = hi - lo + 1
    per_year = table["gewicht"].astype(float).to_numpy() / width
    per_year = per_year / per_year.max()
    band = np.searchsorted(hi, age, side="left")
    inside = (age >= lo[0]) & (age <= hi[-1])
    return np.where(inside, per_year[np.minimum(band, len(hi) - 1)], 0.0)


def owners(rng: np.random.Generator, pool: np.ndarray, pool_gem: np.ndarray, gemeinde: np.ndarray, day: np.ndarray,
           last: np.ndarray, birth: np.ndarray, since: np.ndarray, until: np.ndarray, female: np.ndarray) -> np.ndarray:
    """An owner row for each business: a resident of its municipality from ``day`` to ``last``, by founders' age and sex.

    ``pool`` holds candidate rows sorted by ``pool_gem``. A business whose
    municipality has no candidate gets -1; one for which no candidate fits
    gets an adult of its municipality registered until ``last`` (old
    businesses whose founders moved in after the founding, as a successor).
    """
    women = dynamik()["frauen_faktor"]
    lo = np.searchsorted(pool_gem, gemeinde, side="left")
    hi = np.searchsorted(pool_gem, gemeinde, side="right")
    result = np.full(len(day), -1, np.int64)
    todo = np.flatnonzero(hi > lo)
    for strict in (True, False):
        for _ in range(ROUNDS if strict else 5):
            if not len(todo):
                break
            pick = pool[lo[todo] + np.floor(rng.random(len(todo)) * (hi - lo)[todo]).astype(np.int64)]
            age = np.floor((day[todo] - birth[pick]) / YEAR).astype(np.int64)
            accept = _age_weights(age) * np.where(female[pick], women, 1.0)
            if strict:
                accept = accept * ((since[pick] <= day[todo]) & (until[pick] >= last[todo]))
            else:
                accept = ((age >= 18) & (until[pick] >= last[todo])).astype(float)
            ok = rng.random(len(todo)) < accept
            result[todo[ok]] = pick[ok]
            todo = todo[~ok]
    return result
