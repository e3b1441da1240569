"""Matching people by age inside their municipality, and the labels of roles and household types.

:func:`match_by_age` finds, for each wanted age, a distinct candidate of the
same municipality near that age; mothers for sibling groups, partners for
men, parents for adult children are all found this way. Every bucket and sort
is keyed by (municipality, age), so Saxony's 418 municipalities cost the same
few array operations as one town.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MALE", "FEMALE", "MAX_AGE", "ROLLEN", "HAUSHALTSTYPEN", "match_by_age", "starts", "rank_within"]

MALE, FEMALE = 0, 1
ROLLEN = ("Bezugsperson", "Partner/in", "Kind", "weitere Person")
HAUSHALTSTYPEN = ("Einpersonenhaushalt", "Paar ohne Kinder", "Paar mit Kindern", "Alleinerziehend",
                  "Mehrgenerationenhaushalt", "Wohngemeinschaft")
MAX_AGE = 120


def starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal keys begins."""
    return np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1] if len(sorted_keys) else np.empty(0, np.int64)


def rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... restarting at every new key of an already sorted array."""
    first = starts(sorted_keys)
    runs = np.diff(np.r_[first, len(sorted_keys)])
    return np.arange(len(sorted_keys)) - np.repeat(first, runs)


def _stable_order(keys: np.ndarray, size: int) -> np.ndarray:
    """Stable argsort of small non-negative integer keys (radix sort when they fit 16 bits)."""
    return np.argsort(keys.astype(np.uint16) if size <= 1 << 16 else keys, kind="stable")


def match_by_age(rng: np.random.Generator, desired: np.ndarray, cand: np.ndarray, cand_age: np.ndarray,
                 desired_group: np.ndarray | None = None, cand_group: np.ndarray | None = None,
                 groups: int = 1, up: int = 12, down: int = 4) -> np.ndarray:
    """For each desired age, a distinct candidate of the same group near that age (-1 if none).

    Candidates come from the desired age's bucket first, then from older
    buckets up to ``up`` years, then from younger ones down to ``down`` years;
    every pair follows exactly that allocation, so no match is younger than
    ``desired - down`` and none crosses a group (municipality).
    """
    result = np.full(len(desired), -1, dtype=np.int64)
    if len(desired) == 0 or len(cand) == 0:
        return result
    dg = np.zeros(len(desired), np.int64) if desired_group is None else desired_group
    cg = np.zeros(len(cand), np.int64) if cand_group is None else cand_group
    want = dg * MAX_AGE + np.clip(desired, 0, MAX_AGE - 1)
    have = cg * MAX_AGE + np.clip(cand_age, 0, MAX_AGE - 1)
    shuffled = rng.permutation(len(cand))
    cand, have = cand[shuffled], have[shuffled]
    order = _stable_order(have, groups * MAX_AGE)
    cand, have = cand[order], have[order]
    size = groups * MAX_AGE
    avail = np.bincount(have, minlength=size)
    need = np.bincount(want, minlength=size)
    rest_need, rest_avail = need.copy(), avail.copy()
    age_of_key = np.arange(size) % MAX_AGE
    alloc_a, alloc_b, alloc_k = [], [], []
    for shift in [*range(0, up + 1), *range(-1, -down - 1, -1)]:
        ok = (age_of_key + shift >= 0) & (age_of_key + shift < MAX_AGE) & (rest_need > 0)
        keys = np.flatnonzero(ok)
        take = np.minimum(rest_need[keys], rest_avail[keys + shift])
        hit = take > 0
        keys, take = keys[hit], take[hit]
        rest_need[keys] -= take
        rest_avail[keys + shift] -= take
        alloc_a.append(keys)
        alloc_b.append(keys + shift)
        alloc_k.append(take)
    a, b, k = np.concatenate(alloc_a), np.concatenate(alloc_b), np.concatenate(alloc_k)
    if k.sum() == 0:
        return result

    def taken_before(keys: np.ndarray) -> np.ndarray:  # earlier allocations from the same key
        by_key = np.argsort(keys, kind="stable")
        done = np.cumsum(k[by_key]) - k[by_key]
        first = starts(keys[by_key])
        done -= np.repeat(done[first], np.diff(np.r_[first, len(keys)]))
        out = np.empty_like(done)
        out[by_key] = done
        return out

    rep = np.repeat(np.arange(len(k)), k)
    within = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    target_order = _stable_order(want, groups * MAX_AGE)
    targets = target_order[(np.cumsum(need) - need)[a[rep]] + taken_before(a)[rep] + within]
    result[targets] = cand[(np.cumsum(avail) - avail)[b[rep]] + taken_before(b)[rep] + within]
    return result
