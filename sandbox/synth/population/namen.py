"""Name sampling from the reference vocabularies (Faker de_DE plus frequency weights).

Every name in Faker's lists can occur; names that were common in a person's
birth cohort (``vornamen_haeufig.csv``) and common family names
(``familiennamen_haeufig.csv``) are drawn more often, so an 80-year-old is
more likely an Ursula than a Mia.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sandbox.synth import reference
from sandbox.synth.sampling import draw, lookup_table

__all__ = ["EPOCHS", "epoch_of", "epoch_of_day", "first_name_index", "family_name_index", "first_name_vocabulary", "family_name_vocabulary"]

EPOCHS = ("vor1960", "1960-1989", "ab1990")
SEXES = ("männlich", "weiblich")


def epoch_of(birth_year: np.ndarray) -> np.ndarray:
    """Index into EPOCHS for each birth year."""
    return np.searchsorted(np.array([1960, 1990]), birth_year, side="right")


def epoch_of_day(birth_day: np.ndarray) -> np.ndarray:
    """Index into EPOCHS for each birth day (days since 1970-01-01)."""
    bounds = np.array([np.datetime64("1960-01-01"), np.datetime64("1990-01-01")]).astype(np.int64)
    return np.searchsorted(bounds, birth_day, side="right")


@lru_cache(maxsize=1)
def _first_names() -> tuple[tuple[str, ...], dict[tuple[int, int], np.ndarray]]:
    base = reference.load("vornamen")
    boost = reference.load("vornamen_haeufig")
    vocab = sorted(set(base.vorname) | set(boost.vorname))
    position = {name: i for i, name in enumerate(vocab)}
    probs: dict[tuple[int, int], np.ndarray] = {}
    for s, sex in enumerate(SEXES):
        own = np.zeros(len(vocab))
        own[[position[v] for v in base.loc[base.geschlecht == sex, "vorname"]]] = 1.0
        for e, epoch in enumerate(EPOCHS):
            w = own.copy()
            rows = boost[(boost.geschlecht == sex) & (boost.epoche == epoch)]
            w[[position[v] for v in rows.vorname]] += rows.gewicht.astype(float).to_numpy()
            probs[(s, e)] = lookup_table(w)
    return tuple(vocab), probs


@lru_cache(maxsize=1)
def _family_names() -> tuple[tuple[str, ...], np.ndarray]:
    base = reference.load("familiennamen")
    boost = reference.load("familiennamen_haeufig")
    vocab = sorted(set(base.familienname) | set(boost.familienname))
    w = np.ones(len(vocab))
    position = {name: i for i, name in enumerate(vocab)}
    w[[position[v] for v in boost.familienname]] = boost.gewicht.astype(float).to_numpy()
    return tuple(vocab), lookup_table(w)


def first_name_vocabulary() -> tuple[str, ...]:
    return _first_names()[0]


def family_name_vocabulary() -> tuple[str, ...]:
    return _family_names()[0]


def first_name_index(rng: np.random.Generator, female: np.ndarray, epoch: np.ndarray) -> np.ndarray:
    """Index into first_name_vocabulary() per person, by sex (bool) and epoch."""
    vocab, probs = _first_names()
    out = np.empty(len(female), dtype=np.int64)
    group = female.astype(np.int64) * len(EPOCHS) + epoch
    for (s, e), table in probs.items():
        mask = group == s * len(EPOCHS) + e
        out[mask] = draw(rng, table, int(mask.sum()))
    return out


def family_name_index(rng: np.random.Generator, size: int) -> np.ndarray:
    return draw(rng, _family_names()[1], size)
