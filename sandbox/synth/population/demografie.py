"""Demographic rates as reusable functions: age structure by region, mortality, marriage.

Everything here reads the reference tables of ``synthetic_data/reference``
(each row with its ``quelle``) and answers for whole arrays of people:

- :func:`age_weights`: residents by single year of age and sex for one Kreis,
  Saxony's cohort structure (``bevoelkerung_alter.csv``: the post-war and
  baby-boom cohorts, the birth slump after 1990, centenarians) tilted to the
  Kreis's own shares of minors, young adults and people 65+
  (``kreise_demografie.csv``), so a city is younger than a rural district;
- :func:`death_probability` / :func:`survival`: the Sterbetafel by age and sex;
- :func:`first_marriage`: mean age at first marriage and share ever married by
  birth cohort and sex (GDR cohorts married early);
- :func:`partner_share`: share living with a partner by age and sex.

Event models (issue 12) draw deaths, births and marriages from the same functions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sandbox.synth import reference

__all__ = ["MAX_AGE", "SEXES", "age_weights", "death_probability", "survival", "first_marriage", "partner_share",
           "kreis_shares", "expected_shares", "profile_area"]

MAX_AGE = 110
SEXES = ("maennlich", "weiblich")  # index 0 = male, 1 = female, as bevoelkerung.MALE/FEMALE
_BANDS = (("anteil_unter_18", 0, 17), ("anteil_18_29", 18, 29), ("anteil_ab_65", 65, MAX_AGE))


@lru_cache(maxsize=1)
def _population() -> np.ndarray:
    """Saxony's residents, shape (2, MAX_AGE + 1): sex x age."""
    frame = reference.load("bevoelkerung_alter")
    return np.vstack([frame[s].astype(float).to_numpy() for s in SEXES])


@lru_cache(maxsize=1)
def _deaths() -> np.ndarray:
    frame = reference.load("sterbetafel_sachsen")
    return np.vstack([frame[f"qx_{s}"].astype(float).to_numpy() for s in SEXES])


@lru_cache(maxsize=1)
def _kreise() -> dict[str, dict[str, float]]:
    frame = reference.load("kreise_demografie")
    return {row["kreis_ags"]: {k: float(row[k]) for k in (*[b[0] for b in _BANDS], "auslaenderanteil")}
            for row in frame.to_dict("records")}


def kreis_shares(kreis_ags: str) -> dict[str, float]:
    """The Kreis's official shares (minors, 18-29, 65+, foreigners); Saxony's where the Kreis is unknown."""
    known = _kreise()
    if kreis_ags in known:
        return known[kreis_ags]
    pop = _population().sum(axis=0)
    out = {name: float(pop[lo:hi + 1].sum() / pop.sum()) for name, lo, hi in _BANDS}
    weights = np.array([reference.kreise().set_index("kreis_ags").loc[k, "einwohner"] for k in known], dtype=float)
    out["auslaenderanteil"] = float(np.dot(weights, [v["auslaenderanteil"] for v in known.values()]) / weights.sum())
    return out


@lru_cache(maxsize=64)
def age_weights(kreis_ags: str) -> np.ndarray:
    """Residents by sex and single year of age for one Kreis, shape (2, MAX_AGE + 1), summing to 1.

    Saxony's cohorts are scaled band by band to the Kreis's shares; the
    factors are blended over five years at each band edge so no cohort jumps.
    """
    pop = _population()
    total = pop.sum(axis=0)
    shares = kreis_shares(kreis_ags)
    factor = np.empty(MAX_AGE + 1)
    covered = np.zeros(MAX_AGE + 1, dtype=bool)
    for name, lo, hi in _BANDS:
        factor[lo:hi + 1] = shares[name] / (total[lo:hi + 1].sum() / total.sum())
        covered[lo:hi + 1] = True
    rest = 1.0 - sum(shares[name] for name, _, _ in _BANDS)
    factor[~covered] = rest / (total[~covered].sum() / total.sum())
    smooth = np.convolve(np.pad(factor, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    weights = pop * smooth
    return weights / weights.sum()


def profile_area(kreise: tuple[str, ...], gemeinden: tuple[dict, ...]) -> dict[str, float]:
    """Residents per Kreis of a profile's area (whole Kreise by their population, single municipalities by theirs)."""
    population = {row["kreis_ags"]: float(row["einwohner"]) for row in reference.kreise().to_dict("records")}
    out = {k: population.get(k, 0.0) for k in kreise}
    for g in gemeinden:
        key = str(g["ags"])[:5]
        out[key] = out.get(key, 0.0) + float(g["einwohner"])
    return out


def expected_shares(kreis_weights: dict[str, float]) -> dict[str, float]:
    """Population-weighted official shares of a profile's area (Kreis -> residents)."""
    total = sum(kreis_weights.values()) or 1.0
    keys = ("anteil_unter_18", "anteil_18_29", "anteil_ab_65", "auslaenderanteil")
    return {k: sum(w * kreis_shares(kreis)[k] for kreis, w in kreis_weights.items()) / total for k in keys}


def death_probability(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Probability of dying within a year at completed ``age`` (sex 0 male, 1 female)."""
    return _deaths()[np.asarray(sex, dtype=np.int64), np.clip(age, 0, MAX_AGE)]


@lru_cache(maxsize=1)
def _survivors() -> np.ndarray:
    q = _deaths()
    return np.hstack([np.ones((2, 1)), np.cumprod(1 - q, axis=1)[:, :-1]])


def survival(from_age: np.ndarray, to_age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Probability that someone of ``from_age`` lives to ``to_age`` (life-table survivors ratio)."""
    s = _survivors()
    sex = np.asarray(sex, dtype=np.int64)
    lo = s[sex, np.clip(from_age, 0, MAX_AGE)]
    return s[sex, np.clip(to_age, 0, MAX_AGE)] / np.maximum(lo, 1e-12)


@lru_cache(maxsize=1)
def _marriage() -> tuple[np.ndarray, np.ndarray]:
    frame = reference.load("erstheirat_kohorte")
    years = np.arange(1880, 2030)
    mean = np.zeros((2, len(years)))
    ever = np.zeros((2, len(years)))
    for row in frame.to_dict("records"):
        s = SEXES.index(row["geschlecht"])
        span = (years >= int(row["geburtsjahr_von"])) & (years <= int(row["geburtsjahr_bis"]))
        mean[s, span] = float(row["mittleres_heiratsalter"])
        ever[s, span] = float(row["anteil_je_verheiratet"])
    for table in (mean, ever):  # cohorts outside the table take the nearest one
        for s in range(2):
            known = np.flatnonzero(table[s] > 0)
            table[s] = table[s, known[np.abs(np.arange(len(years))[:, None] - known).argmin(axis=1)]]
    return mean, ever


def first_marriage(birth_year: np.ndarray, sex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean age at first marriage and share ever married for each person's cohort and sex."""
    mean, ever = _marriage()
    at = np.clip(np.asarray(birth_year, dtype=np.int64) - 1880, 0, mean.shape[1] - 1)
    sex = np.asarray(sex, dtype=np.int64)
    return mean[sex, at], ever[sex, at]


@lru_cache(maxsize=1)
def _partners() -> np.ndarray:
    frame = reference.load("partnerschaft_alter")
    table = np.zeros((2, MAX_AGE + 1))
    for row in frame.to_dict("records"):
        table[SEXES.index(row["geschlecht"]), int(row["alter_von"]):min(int(row["alter_bis"]), MAX_AGE) + 1] = float(row["anteil_mit_partner"])
    return table


def partner_share(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Share of people of this age and sex who live with a partner."""
    return _partners()[np.asarray(sex, dtype=np.int64), np.clip(age, 0, MAX_AGE)]
