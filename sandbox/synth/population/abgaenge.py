"""People who left the register during the event years: the deceased and those who moved away.

Deaths follow the Sterbetafel: their age and sex are drawn in proportion to
residents by age and sex times the probability of dying, so men die younger
than women and about one death in ten falls before 60. A widowed resident
whose loss lies in the event years lost a spouse who is in the register: that
spouse is created here, dead on the day the survivor became a widow(er), last
registered at the survivor's address. The remaining deaths of each
municipality (profile rate ``sterbefall``) are people without a spouse.
Moves away are whole households or parts of them (:mod:`~sandbox.synth.population.fortzuege`),
at the profile rate ``wegzug`` with the age profile of the migration statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from sandbox.synth.kalender import YEAR
from sandbox.synth.population import demografie, fortzuege
from sandbox.synth.population.bevoelkerung import Population
from sandbox.synth.population.partnerschaft import VERHEIRATET, VERWITWET, marriage_age, unmarried_status
from sandbox.synth.sampling import draw, lookup_table

__all__ = ["Departures", "departures", "VERSTORBEN", "WEGGEZOGEN"]

VERSTORBEN, WEGGEZOGEN = 1, 2
_JUST_BEFORE = 0.05  # years: a status a mover's template gained after the move began this long before it (Annahme)


@dataclass(frozen=True)
class Departures:
    """Former residents, one entry per person."""

    gemeinde: np.ndarray
    age: np.ndarray  # completed years on the day of leaving
    sex: np.ndarray
    day: np.ndarray  # days since epoch of death or moving away
    kind: np.ndarray  # VERSTORBEN or WEGGEZOGEN
    status: np.ndarray  # marital status on that day
    status_years: np.ndarray  # years before leaving the status began
    survivor: np.ndarray  # the widowed resident's index for deceased spouses, -1 otherwise
    group: np.ndarray  # who left together (one household moving away); each death on its own
    role: np.ndarray  # position in the household they left (index into ROLLEN)
    spouse: np.ndarray  # index (into the departures) of a spouse who left with them, -1 otherwise


def _deaths_by_age(pop: Population) -> np.ndarray:
    """Lookup table over sex * (MAX_AGE + 1) + age, weighted by residents times q(x)."""
    size = demografie.MAX_AGE + 1
    key = pop.sex * size + np.minimum(pop.age, demografie.MAX_AGE)
    residents = np.bincount(key, minlength=2 * size).astype(float)
    q = demografie.death_probability(np.tile(np.arange(size), 2), np.repeat([0, 1], size))
    return lookup_table(residents * q, resolution=1 << 20)


def departures(rng: np.random.Generator, pop: Population, ref_day: int, years: int, rates: Mapping[str, Any],
               params: Mapping[str, Any], stichtag_year: int) -> Departures:
    groups = int(pop.gemeinde.max()) + 1 if len(pop.gemeinde) else 0
    sizes = np.bincount(pop.gemeinde, minlength=groups)
    gap = float(params["altersabstand"]["mittel"])

    survivor = np.flatnonzero((pop.status == VERWITWET) & (pop.status_years < years) & (pop.age >= 18))
    lost = pop.status_years[survivor]
    s_sex = 1 - pop.sex[survivor]
    s_age = np.clip(np.round(pop.age[survivor] + np.where(pop.sex[survivor] == 1, gap, -gap)
                             + rng.normal(0.0, 2.0, len(survivor)) - lost), 18, demografie.MAX_AGE).astype(np.int64)
    s_married = marriage_age(rng, s_age.astype(float), stichtag_year - s_age, s_sex)

    deaths = np.maximum(rng.poisson(sizes * float(rates["sterbefall"]) / 1000.0 * years)
                        - np.bincount(pop.gemeinde[survivor], minlength=groups), 0)
    d_g = np.repeat(np.arange(groups), deaths)
    sex_age = draw(rng, _deaths_by_age(pop), len(d_g))
    d_sex, d_age = np.divmod(sex_age, demografie.MAX_AGE + 1)

    status = np.zeros(len(d_age), dtype=np.int64)
    since = np.zeros(len(d_age))
    adult = np.flatnonzero(d_age >= 18)
    status[adult], since[adult] = unmarried_status(rng, d_age[adult].astype(float), d_sex[adult],
                                                   stichtag_year - d_age[adult], np.zeros(len(adult)), params)
    death_day = ref_day - rng.integers(0, int(years * YEAR), size=len(d_age))
    m = fortzuege.movers(rng, pop, ref_day, years, float(rates["wegzug"]))
    dead = len(survivor) + len(d_age)
    t = m.template
    # the template's marriage (or loss) keeps its date; one after the move is placed just before it
    since_then = np.maximum(pop.status_years[t] - (ref_day - m.day) / YEAR, _JUST_BEFORE)
    return Departures(
        gemeinde=np.r_[pop.gemeinde[survivor], d_g, pop.gemeinde[t]],
        age=np.r_[s_age, d_age, pop.age[t]], sex=np.r_[s_sex, d_sex, pop.sex[t]],
        day=np.r_[ref_day - (lost * YEAR).astype(np.int64), death_day, m.day],
        kind=np.r_[np.full(dead, VERSTORBEN), np.full(len(t), WEGGEZOGEN)],
        status=np.r_[np.full(len(survivor), VERHEIRATET), status, pop.status[t]],
        status_years=np.r_[s_age - s_married, since, since_then],
        survivor=np.r_[survivor, np.full(len(d_age) + len(t), -1)],
        group=np.r_[np.arange(dead), dead + m.group],
        role=np.r_[np.zeros(dead, np.int64), pop.role[t]],
        spouse=np.r_[np.full(dead, -1), np.where(m.spouse >= 0, dead + m.spouse, -1)],
    )
