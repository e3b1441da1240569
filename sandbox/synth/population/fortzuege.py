"""Who moved away during the event years: whole households or parts of them, never a child alone.

A Meldebehörde sees people leave as households: couples, families with their
children, and young adults leaving their parents' home or a shared flat for
a university town or a first job. The movers are therefore copies of moving
units of today's population (a household without its adult children; each
adult child and each member of a shared flat is a unit of its own), so a
family that left looks like a family that lives here: a couple about three
years apart, children of fitting ages, married or not.

How often a unit moves follows the age of its adults: the mean of the
rates per 1,000 by age (``reference/fortzuege_alter.csv``, young adults by far
the most mobile) over the unit's adults; children move with them. The
copies are then scaled per municipality so that the persons moving away
match the profile's ``wegzug`` rate per 1,000 residents and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sandbox.synth import reference
from sandbox.synth.kalender import YEAR
from sandbox.synth.population.bevoelkerung import Population
from sandbox.synth.population.zuordnung import MAX_AGE, starts
from sandbox.synth.sampling import dense_rank

__all__ = ["Movers", "away_rate_by_age", "movers", "moving_units"]

_CHILD, _SHARED_FLAT = 2, 5  # ROLLEN index of Kind, HAUSHALTSTYPEN index of Wohngemeinschaft
#: Annahme: a household with minor children moves less often than its adults' age alone suggests (school, Kita,
#: own home), so children move about as often as residents of 30 to 49 (reference/fortzuege_alter.csv)
_FAMILY_FACTOR = 0.7


@dataclass(frozen=True)
class Movers:
    """Persons who moved away: a template resident each, grouped into the households that left together."""

    template: np.ndarray  # index into the population of the resident this mover resembles
    group: np.ndarray  # moving household, 0..G-1; members of a group are adjacent
    day: np.ndarray  # days since epoch of the move, the same for a whole group
    spouse: np.ndarray  # index (into the movers) of the spouse who left with them, -1 otherwise


@lru_cache(maxsize=1)
def _rates() -> np.ndarray:
    table = np.zeros(MAX_AGE + 1)
    for row in reference.load("fortzuege_alter").to_dict("records"):
        table[int(row["alter_von"]):min(int(row["alter_bis"]), MAX_AGE) + 1] = float(row["fortzuege_je_1000"])
    return table


def away_rate_by_age(age: np.ndarray) -> np.ndarray:
    """Moves away over the municipality border per 1,000 residents of this age and year."""
    return _rates()[np.clip(np.asarray(age, dtype=np.int64), 0, MAX_AGE)]


def moving_units(pop: Population) -> np.ndarray:
    """Unit per person: the household, but adult children and shared-flat members each on their own."""
    n = len(pop.age)
    alone = (pop.role == _CHILD) & (pop.age >= 18) | (pop.household_type[pop.household] == _SHARED_FLAT)
    key = np.where(alone, int(pop.household.max(initial=0)) + 1 + np.arange(n), pop.household)
    return dense_rank(key)


def movers(rng: np.random.Generator, pop: Population, ref_day: int, years: int, wegzug: float) -> Movers:
    """Copies of moving units, about ``wegzug`` persons per 1,000 residents and year in each municipality."""
    unit = moving_units(pop)
    n_units = int(unit.max()) + 1 if len(unit) else 0
    order = np.argsort(unit, kind="stable")  # persons of a unit adjacent, in register order
    size = np.bincount(unit, minlength=n_units)
    first = starts(unit[order]) if len(order) else np.empty(0, np.int64)
    adult = pop.age >= 18
    weight = np.where(adult | (np.bincount(unit, adult, minlength=n_units)[unit] == 0), 1.0, 0.0)
    unit_rate = (np.bincount(unit, weight * away_rate_by_age(pop.age), minlength=n_units)
                 / np.maximum(np.bincount(unit, weight, minlength=n_units), 1e-12))
    unit_rate *= np.where(np.bincount(unit, pop.age < 18, minlength=n_units) > 0, _FAMILY_FACTOR, 1.0)
    gemeinde = pop.gemeinde[order[first]] if n_units else np.empty(0, np.int64)
    groups = int(pop.gemeinde.max(initial=-1)) + 1
    expected_people = np.bincount(gemeinde, size * unit_rate, minlength=groups)
    target = np.bincount(pop.gemeinde, minlength=groups) * wegzug
    scale = np.where(expected_people > 0, target / np.maximum(expected_people, 1e-12), 0.0)
    copies = rng.poisson(unit_rate * scale[gemeinde] / 1000.0 * years)

    moved = np.repeat(np.arange(n_units), copies)  # one entry per moving group
    members = size[moved]
    group = np.repeat(np.arange(len(moved)), members)
    offset = np.arange(int(members.sum())) - np.repeat(np.cumsum(members) - members, members)
    template = order[first[moved][group] + offset]
    day = ref_day - rng.integers(0, int(years * YEAR), size=len(moved))

    rank = np.empty(len(pop.age), dtype=np.int64)  # position of each resident inside its unit
    rank[order] = np.arange(len(order)) - np.repeat(first, size)
    mate = pop.spouse[template]
    together = (mate >= 0) & (unit[np.maximum(mate, 0)] == unit[template])
    spouse = np.where(together, np.arange(len(template)) - rank[template] + rank[np.maximum(mate, 0)], -1)
    return Movers(template=template, group=group, day=day[group], spouse=spouse)
