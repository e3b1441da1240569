"""Name sampling from the reference vocabularies, by birth cohort and by language.

German first names: every name of Faker's de_DE list can occur with a small
base weight (profile ``namen.vornamen_grundgewicht``); the names that were
common in a person's birth cohort (``vornamen_haeufig.csv``) carry most of
the weight, so an 80-year-old is far more likely an Ursula than a Mia.
German family names follow a Zipf-like rank law, weight rank^-exponent
(profile ``namen.familiennamen_exponent``): the 3,000 commonest names keep
their published rank (``familiennamen_rang.csv``); the long tail of further
real names (German Wiktionary, ``familiennamen_wiktionary.csv``, and Faker's
list) has no published frequency and is ranked behind them in a fixed order
that follows no alphabet (Annahme).
Foreign nationals draw from the vocabulary of their language
(``vornamen_herkunft.csv``, ``familiennamen_herkunft.csv``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from sandbox.synth import reference
from sandbox.synth.sampling import draw, group_rows, lookup_table

__all__ = ["EPOCHS", "epoch_of", "epoch_of_day", "first_name_index", "family_name_index", "first_name_vocabulary",
           "family_name_vocabulary", "foreign_first_name_index", "foreign_family_name_index", "languages",
           "german_family_name_ranks"]

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
def languages() -> tuple[str, ...]:
    """The languages with their own name vocabularies (index = language number)."""
    return tuple(sorted(set(reference.load("vornamen_herkunft").sprache)))


@lru_cache(maxsize=4)
def _first_names(base_weight: float = 0.1) -> tuple[tuple[str, ...], dict[tuple[int, int], np.ndarray], dict[tuple[int, int], np.ndarray]]:
    base = reference.load("vornamen")
    boost = reference.load("vornamen_haeufig")
    foreign = reference.load("vornamen_herkunft")
    vocab = sorted(set(base.vorname) | set(boost.vorname) | set(foreign.vorname))
    position = {name: i for i, name in enumerate(vocab)}
    probs: dict[tuple[int, int], np.ndarray] = {}
    for s, sex in enumerate(SEXES):
        own = np.zeros(len(vocab))
        own[[position[v] for v in base.loc[base.geschlecht == sex, "vorname"]]] = base_weight
        for e, epoch in enumerate(EPOCHS):
            w = own.copy()
            rows = boost[(boost.geschlecht == sex) & (boost.epoche == epoch)]
            w[[position[v] for v in rows.vorname]] += rows.gewicht.astype(float).to_numpy()
            probs[(s, e)] = lookup_table(w)
    by_language: dict[tuple[int, int], np.ndarray] = {}
    for lang_idx, lang in enumerate(languages()):
        for s, sex in enumerate(SEXES):
            names = foreign.loc[(foreign.sprache == lang) & (foreign.geschlecht == sex), "vorname"]
            w = np.zeros(len(vocab))
            w[[position[v] for v in names]] = 1.0 / np.arange(1, len(names) + 1) ** 0.5  # listed by commonness
            by_language[(lang_idx, s)] = lookup_table(w)
    return tuple(vocab), probs, by_language


def _tail_order(name: str) -> str:
    """A fixed, alphabet-free position for a name without a published rank (same on every machine)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def german_family_name_ranks() -> tuple[tuple[str, ...], np.ndarray]:
    """German family names and their rank: published ranks first, the tail behind them."""
    ranked = reference.load("familiennamen_rang")
    ranks = dict(zip(ranked.familienname, ranked.rang.astype(int)))
    tail = set(reference.load("familiennamen").familienname) | set(reference.load("familiennamen_wiktionary").familienname)
    last = max(ranks.values())
    for offset, name in enumerate(sorted(tail - set(ranks), key=_tail_order), start=1):
        ranks[name] = last + offset
    names = tuple(sorted(ranks, key=ranks.__getitem__))
    return names, np.array([ranks[n] for n in names], dtype=float)


@lru_cache(maxsize=4)
def _family_names(exponent: float = 0.55) -> tuple[tuple[str, ...], np.ndarray, dict[int, np.ndarray]]:
    german, rank = german_family_name_ranks()
    foreign = reference.load("familiennamen_herkunft")
    vocab = sorted(set(german) | set(foreign.familienname))
    position = {name: i for i, name in enumerate(vocab)}
    w = np.zeros(len(vocab))
    w[[position[v] for v in german]] = rank ** -exponent
    by_language: dict[int, np.ndarray] = {}
    for lang_idx, lang in enumerate(languages()):
        names = foreign.loc[foreign.sprache == lang, "familienname"]
        lw = np.zeros(len(vocab))
        lw[[position[v] for v in names]] = 1.0 / np.arange(1, len(names) + 1) ** 0.5
        by_language[lang_idx] = lookup_table(lw)
    return tuple(vocab), lookup_table(w, resolution=1 << 20), by_language


def first_name_vocabulary() -> tuple[str, ...]:
    return _first_names()[0]


def family_name_vocabulary() -> tuple[str, ...]:
    return _family_names()[0]


def first_name_index(rng: np.random.Generator, female: np.ndarray, epoch: np.ndarray, base_weight: float = 0.1) -> np.ndarray:
    """Index into first_name_vocabulary() per person, by sex (bool) and epoch (profile ``namen.vornamen_grundgewicht``)."""
    _, probs, _ = _first_names(base_weight)
    out = np.empty(len(female), dtype=np.int64)
    rows = group_rows(female.astype(np.int64) * len(EPOCHS) + epoch, len(SEXES) * len(EPOCHS))
    for (s, e), table in probs.items():
        at = rows[s * len(EPOCHS) + e]
        out[at] = draw(rng, table, len(at))
    return out


def foreign_first_name_index(rng: np.random.Generator, female: np.ndarray, language: np.ndarray) -> np.ndarray:
    """Index into first_name_vocabulary() per person from the vocabulary of their language (index into languages())."""
    _, _, by_language = _first_names()
    out = np.empty(len(female), dtype=np.int64)
    for (lang, s), table in by_language.items():
        mask = (language == lang) & (female.astype(np.int64) == s)
        out[mask] = draw(rng, table, int(mask.sum()))
    return out


def family_name_index(rng: np.random.Generator, size: int, exponent: float = 0.55) -> np.ndarray:
    """German family names by rank (profile ``namen.familiennamen_exponent``)."""
    return draw(rng, _family_names(exponent)[1], size)


def foreign_family_name_index(rng: np.random.Generator, language: np.ndarray) -> np.ndarray:
    """Index into family_name_vocabulary() per unit from the vocabulary of its language."""
    _, _, by_language = _family_names()
    out = np.empty(len(language), dtype=np.int64)
    for lang, table in by_language.items():
        mask = language == lang
        out[mask] = draw(rng, table, int(mask.sum()))
    return out
