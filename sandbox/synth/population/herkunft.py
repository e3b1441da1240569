"""Foreign nationals: who they are, where and how old, when they came, where they were born.

Nationality is drawn per household, so families share it. A household is
foreign with a probability that follows the age of its head
(``auslaender_alter.csv``: foreigners are far younger than Germans) and is
scaled so every Kreis meets its own official share (``kreise_demografie.csv``:
Leipzig far above the rural districts). The nationality mix, official keys,
language of names, arrival years, birthplaces and religion shares come from
``staatsangehoerigkeiten.csv``. Inside a foreign household some partners are
German (binational couples) and some children born here are German with the
parents' nationality as a second one (profile ``herkunft``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from sandbox.synth import reference
from sandbox.synth.population import demografie, namen
from sandbox.synth.sampling import band_values, draw, lookup_table

__all__ = ["Nationalities", "nationalities", "foreign_households", "arrival_years", "birthplace_index",
           "religion_index"]


@dataclass(frozen=True)
class Nationalities:
    """The rows of ``staatsangehoerigkeiten.csv`` as arrays (row i = foreign nationality i + 1; 0 = deutsch)."""

    labels: tuple[str, ...]
    keys: tuple[str, ...]
    share: np.ndarray
    language: np.ndarray  # index into namen.languages()
    arrival_from: np.ndarray
    arrival_to: np.ndarray
    catholic: np.ndarray
    protestant: np.ndarray
    birthplaces: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def nationalities() -> Nationalities:
    frame = reference.load("staatsangehoerigkeiten")
    langs = namen.languages()
    num = lambda col: frame[col].astype(float).to_numpy()  # noqa: E731
    return Nationalities(
        labels=("deutsch", *frame.staatsangehoerigkeit), keys=("000", *frame.schluessel),
        share=num("anteil_unter_auslaendern"), language=np.array([langs.index(x) for x in frame.sprache]),
        arrival_from=num("zuzug_von").astype(np.int64), arrival_to=num("zuzug_bis").astype(np.int64),
        catholic=num("anteil_katholisch"), protestant=num("anteil_evangelisch"),
        birthplaces=tuple(tuple(p.split("|")) for p in frame.geburtsorte))


def foreign_households(rng: np.random.Generator, head_age: np.ndarray, size: np.ndarray, kreis: np.ndarray,
                       params: Mapping[str, Any], kreis_keys: Sequence[str] | None = None) -> np.ndarray:
    """Per household: 0 for German, else 1 + the row of its nationality.

    ``kreis`` is the Kreis per household: its key, or (faster for millions of
    households) its position in ``kreis_keys``. The probability is scaled per
    Kreis so the expected share of foreign persons is the Kreis's own share,
    raised by ``herkunft.ausgleich_deutsche_mitglieder`` for the German
    partners and children who live in foreign households.
    """
    table = reference.load("auslaender_alter")
    bands = {f"{a}-{b}": float(s) for a, b, s in zip(table.alter_von, table.alter_bis, table.anteil_auslaender)}
    weight = band_values(head_age, bands, 0.0).astype(float)
    p = np.zeros(len(head_age))
    lift = 1.0 + float(params["ausgleich_deutsche_mitglieder"])
    if kreis_keys is None:
        kreis_keys, kreis = np.unique(np.asarray(kreis, dtype=str), return_inverse=True)
    for k, key in enumerate(kreis_keys):
        mask = kreis == k
        if not mask.any():
            continue
        target = demografie.kreis_shares(str(key))["auslaenderanteil"] * lift
        scale = target * size[mask].sum() / max(float((size[mask] * weight[mask]).sum()), 1e-12)
        p[mask] = np.minimum(scale * weight[mask], 1.0)
    nat = nationalities()
    chosen = 1 + draw(rng, lookup_table(nat.share), len(head_age))
    return np.where(rng.random(len(head_age)) < p, chosen, 0)


def arrival_years(rng: np.random.Generator, nationality: np.ndarray, stichtag_year: int) -> np.ndarray:
    """Year of arrival per household (0 for German households)."""
    nat = nationalities()
    row = np.maximum(nationality - 1, 0)
    lo = nat.arrival_from[row]
    hi = np.minimum(nat.arrival_to[row], stichtag_year)
    return np.where(nationality > 0, lo + (rng.random(len(row)) * (hi - lo + 1)).astype(np.int64), 0)


def birthplace_index(rng: np.random.Generator, nationality: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """A birthplace abroad per person of the given nationality row (> 0): index into the returned list."""
    nat = nationalities()
    places = tuple(p for group in nat.birthplaces for p in group)
    first = np.cumsum([0, *[len(g) for g in nat.birthplaces]])
    count = np.diff(first)
    row = np.maximum(nationality - 1, 0)
    return first[row] + (rng.random(len(row)) * count[row]).astype(np.int64), places


def religion_index(rng: np.random.Generator, age: np.ndarray, nationality: np.ndarray,
                   small: Mapping[str, Any]) -> np.ndarray:
    """Index into codes.RELIGION per person: Germans by age (``religion_alter.csv``), foreigners by nationality.

    ``small`` is the profile's ``religion`` group; its shares of the small
    bodies (altkatholisch, jüdisch) apply at every age.
    """
    table = reference.load("religion_alter")
    bands = lambda col: {f"{a}-{b}": float(s) for a, b, s in zip(table.alter_von, table.alter_bis, table[col])}  # noqa: E731
    ev = band_values(age, bands("evangelisch"), 0.0).astype(float)
    rk = band_values(age, bands("römisch-katholisch"), 0.0).astype(float)
    nat = nationalities()
    foreign = nationality > 0
    row = np.maximum(nationality - 1, 0)
    ev = np.where(foreign, nat.protestant[row], ev)
    rk = np.where(foreign, nat.catholic[row], rk)
    ak, jd = float(small["altkatholisch"]), float(small["jüdisch"])
    u = rng.random(len(age))
    cut = ev + rk
    return ((u >= ev).astype(np.int64) + (u >= cut) + (u >= cut + ak) + (u >= cut + ak + jd))
