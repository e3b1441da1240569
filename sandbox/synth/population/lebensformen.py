"""How the adults outside families with minors live: as a couple, in a shared flat, with a child, alone.

- Couples: each age and sex keeps its share living with a partner
  (``partnerschaft_alter.csv``, counting the parents already placed in
  families); each man is then matched to a woman about ``altersabstand``
  years younger of his municipality. Whoever finds no partner stays single.
- Same-sex couples: a small share of couples (``gleichgeschlechtliche_paare_anteil``).
- Shared flats (Wohngemeinschaften): single people of 18-34 in the
  Kreisfreie Städte, with the profile's share, in flats of two to four.
- Old people who join a child's household (Mehrgenerationenhaushalt) and
  adult children who still live with their parents attach to a household
  whose adults have the right age (:func:`attach`).
- Everyone else lives alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from sandbox.synth.population import demografie
from sandbox.synth.population.partnerschaft import desired_partner_age
from sandbox.synth.population.zuordnung import FEMALE, MALE, match_by_age, starts

__all__ = ["Groups", "couples", "same_sex_couples", "shared_flats", "attach"]

_KEY = demografie.MAX_AGE + 1


@dataclass(frozen=True)
class Groups:
    """The municipalities: index per person and how many there are."""

    gemeinde: np.ndarray
    count: int


def couples(rng: np.random.Generator, ages: np.ndarray, sex: np.ndarray, groups: Groups, free: np.ndarray,
            partnered: np.ndarray, gap: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(men, women) of new couples among the ``free`` adults; ``partnered`` marks those already in a couple."""
    adults = ages >= 18
    key = sex * _KEY + np.minimum(ages, _KEY - 1)
    total = np.bincount(key[adults], minlength=2 * _KEY).astype(float)
    already = np.bincount(key[partnered], minlength=2 * _KEY)
    rest = np.flatnonzero(free & adults)
    available = np.bincount(key[rest], minlength=2 * _KEY)
    share = demografie.partner_share(np.tile(np.arange(_KEY), 2), np.repeat([0, 1], _KEY))
    wanted = np.clip((share * total - already) / np.maximum(available, 1), 0.0, 1.0)
    looking = rest[rng.random(len(rest)) < wanted[key[rest]]]
    men, women = looking[sex[looking] == MALE], looking[sex[looking] == FEMALE]
    g = groups.gemeinde
    wife = match_by_age(rng, desired_partner_age(rng, ages[men], gap), women, ages[women], g[men], g[women],
                        groups.count, up=3, down=10)
    found = wife >= 0
    return men[found], wife[found]


def same_sex_couples(rng: np.random.Generator, ages: np.ndarray, sex: np.ndarray, gemeinde: np.ndarray,
                     free: np.ndarray, per_sex: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``per_sex`` couples of two men and as many of two women, free adults of 25-79, close in age."""
    firsts, seconds = [], []
    for s in (MALE, FEMALE):
        pool = np.flatnonzero(free & (sex == s) & (ages >= 25) & (ages <= 79))
        pick = pool[rng.permutation(len(pool))[: 2 * min(per_sex, len(pool) // 2)]]
        pick = pick[np.lexsort((ages[pick] + rng.normal(0.0, 3.0, len(pick)), gemeinde[pick]))]
        a, b = pick[0::2], pick[1::2]
        a = a[: len(b)]
        same = gemeinde[a] == gemeinde[b]
        firsts.append(a[same])
        seconds.append(b[same])
    return np.concatenate(firsts), np.concatenate(seconds)


def shared_flats(rng: np.random.Generator, people: np.ndarray, gemeinde: np.ndarray,
                 sizes: Mapping[Any, float]) -> tuple[np.ndarray, np.ndarray]:
    """People grouped into flats of the given sizes inside their municipality: (members, flat index).

    A flat that would hold only one person (the last of a municipality) is dropped.
    """
    if len(people) == 0:
        return people, np.empty(0, np.int64)
    order = people[np.lexsort((rng.random(len(people)), gemeinde[people]))]
    keys = np.array([int(k) for k in sizes], dtype=np.int64)
    p = np.array([float(v) for v in sizes.values()])
    flat_sizes = keys[rng.choice(len(keys), size=len(order), p=p / p.sum())]
    boundary = np.zeros(len(order) + 1, dtype=bool)
    ends = np.cumsum(flat_sizes)
    boundary[ends[ends < len(order)]] = True
    boundary[starts(gemeinde[order])] = True
    flat = np.cumsum(boundary[: len(order)]) - 1
    keep = np.bincount(flat)[flat] >= 2
    members, flat = order[keep], flat[keep]
    _, flat = np.unique(flat, return_inverse=True)
    return members, flat


def attach(rng: np.random.Generator, people: np.ndarray, want_lo: np.ndarray, want_hi: np.ndarray,
           gemeinde: np.ndarray, host_age: np.ndarray, host_household: np.ndarray,
           host_gemeinde: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A household of their municipality whose key age lies in [want_lo, want_hi], for each person.

    Returns (mask of people who found one, their household index).
    """
    host_key = host_gemeinde.astype(np.int64) * 1000 + host_age
    by_key = np.argsort(host_key, kind="stable")
    host_key, host_household = host_key[by_key], host_household[by_key]
    lo = np.searchsorted(host_key, gemeinde[people] * 1000 + want_lo, side="left")
    hi = np.searchsorted(host_key, gemeinde[people] * 1000 + want_hi, side="right")
    fits = hi > lo
    pick = host_household[lo[fits] + (rng.random(int(fits.sum())) * (hi - lo)[fits]).astype(np.int64)]
    return fits, pick
