"""Population synthesis: people of one municipality grouped into households.

People come first: their ages follow the profile's age pyramid exactly and
their sex the share of women by age. Households are then formed as a
register would show them:

1. minors are grouped into sibling groups (profile ``kinderzahl``);
2. each group gets a mother (or, rarely, a single father) whose age fits the
   children, and most get a partner of about the same age;
3. some young adults stay with their parents (``erwachsene_kinder_im_haushalt``);
4. of the other adults, enough live alone to give the profile's share of
   one-person households, weighted by age and sex; the rest pair up by age.

Parents are found by age buckets with a small upward tolerance, all in numpy,
so a city of half a million takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.synth.profile import Profile
from sandbox.synth.sampling import band_values, sample_ages, top_k_weighted

__all__ = ["Population", "synthesize", "ROLLEN", "HAUSHALTSTYPEN", "MALE", "FEMALE"]

MALE, FEMALE = 0, 1
ROLLEN = ("Bezugsperson", "Partner/in", "Kind")
HAUSHALTSTYPEN = ("Einpersonenhaushalt", "Paar ohne Kinder", "Paar mit Kindern", "Alleinerziehend")
MAX_AGE = 120


@dataclass
class Population:
    """Person-level arrays of one municipality (local indices)."""

    age: np.ndarray
    sex: np.ndarray  # MALE or FEMALE
    household: np.ndarray  # local household index per person
    role: np.ndarray  # index into ROLLEN
    spouse: np.ndarray  # local person index of the spouse, -1 if none
    household_type: np.ndarray  # per household, index into HAUSHALTSTYPEN


def match_by_age(rng: np.random.Generator, desired: np.ndarray, cand: np.ndarray, cand_age: np.ndarray,
                 up: int = 12, down: int = 4) -> np.ndarray:
    """For each desired age, a distinct candidate near it (-1 where none is left).

    Candidates come from the desired age's bucket first, then from older
    buckets up to ``up`` years, then from younger ones down to ``down`` years;
    every pair is built from exactly that allocation, so no match is younger
    than ``desired - down``.
    """
    result = np.full(len(desired), -1, dtype=np.int64)
    if len(desired) == 0 or len(cand) == 0:
        return result
    desired = np.clip(desired, 0, MAX_AGE - 1)
    shuffled = rng.permutation(len(cand))
    cand, cand_age = cand[shuffled], cand_age[shuffled]
    order = np.argsort(cand_age, kind="stable")
    cand, cand_age = cand[order], cand_age[order]
    avail = np.bincount(cand_age, minlength=MAX_AGE)
    need = np.bincount(desired, minlength=MAX_AGE)
    rest_need, rest_avail = need.copy(), avail.copy()
    ages = np.arange(MAX_AGE)
    alloc_a, alloc_b, alloc_k = [], [], []
    for shift in [*range(0, up + 1), *range(-1, -down - 1, -1)]:
        src = ages + shift
        ok = (src >= 0) & (src < MAX_AGE)
        take = np.zeros(MAX_AGE, dtype=np.int64)
        take[ok] = np.minimum(rest_need[ok], rest_avail[src[ok]])
        rest_need -= take
        np.subtract.at(rest_avail, src[ok], take[ok])
        hit = np.flatnonzero(take)
        alloc_a.append(hit)
        alloc_b.append(hit + shift)
        alloc_k.append(take[hit])
    a, b, k = np.concatenate(alloc_a), np.concatenate(alloc_b), np.concatenate(alloc_k)
    if k.sum() == 0:
        return result

    def offsets(keys: np.ndarray) -> np.ndarray:  # k already taken by earlier allocations of the same key
        by_key = np.argsort(keys, kind="stable")
        done = np.cumsum(k[by_key]) - k[by_key]
        first = np.r_[0, np.flatnonzero(np.diff(keys[by_key])) + 1]
        done -= np.repeat(done[first], np.diff(np.r_[first, len(keys)]))
        out = np.empty_like(done)
        out[by_key] = done
        return out

    rep = np.repeat(np.arange(len(k)), k)
    within = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    target_order = np.argsort(desired, kind="stable")
    group_start = np.r_[0, np.cumsum(need)[:-1]]
    bucket_start = np.r_[0, np.cumsum(avail)[:-1]]
    targets = target_order[group_start[a[rep]] + offsets(a)[rep] + within]
    result[targets] = cand[bucket_start[b[rep]] + offsets(b)[rep] + within]
    return result


def _sibling_groups(rng: np.random.Generator, minors: np.ndarray, ages: np.ndarray, kinderzahl: dict) -> tuple[np.ndarray, np.ndarray]:
    """Order minors into sibling groups; returns (minors in group order, group sizes)."""
    order = minors[np.argsort(ages[minors] + rng.normal(0.0, 3.0, len(minors)), kind="stable")]
    keys = np.array([int(k) for k in kinderzahl], dtype=np.int64)
    p = np.array([float(v) for v in kinderzahl.values()])
    sizes = keys[rng.choice(len(keys), size=max(len(minors), 1), p=p / p.sum())]
    total = np.cumsum(sizes)
    count = int(np.searchsorted(total, len(minors))) + 1 if len(minors) else 0
    sizes = sizes[:count].copy()
    if count:
        sizes[-1] -= total[count - 1] - len(minors)
    return order, sizes


def synthesize(rng: np.random.Generator, n: int, profile: Profile) -> Population:
    """People and households of one municipality with n residents."""
    ages = sample_ages(rng, n, profile.values("altersstruktur"))
    sex = np.where(rng.random(n) < band_values(ages, profile.values("frauenanteil"), 0.5), FEMALE, MALE)
    household = np.full(n, -1, dtype=np.int64)
    role = np.full(n, 0, dtype=np.int64)
    spouse = np.full(n, -1, dtype=np.int64)
    free = ages >= 18

    # 1. sibling groups and their parents
    minors = np.flatnonzero(ages < 18)
    order, sizes = _sibling_groups(rng, minors, ages, profile.values("kinderzahl"))
    families = len(sizes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    oldest = np.maximum.reduceat(ages[order], starts) if families else np.empty(0, np.int64)
    youngest = np.minimum.reduceat(ages[order], starts) if families else np.empty(0, np.int64)
    desired = np.maximum(np.minimum(oldest + rng.integers(22, 36, families), youngest + 44), oldest + 20)
    single = rng.random(families) < float(profile.values("alleinerziehende_anteil"))
    father_only = single & (rng.random(families) < 0.12)  # assumption: ~12 % of single parents are fathers
    first = np.full(families, -1, dtype=np.int64)
    for parent_sex, which in ((FEMALE, ~father_only), (MALE, father_only)):
        pool = np.flatnonzero(free & (sex == parent_sex))
        picked = match_by_age(rng, desired[which], pool, ages[pool])
        first[np.flatnonzero(which)] = picked
        free[picked[picked >= 0]] = False
    second = np.full(families, -1, dtype=np.int64)
    couple = ~single & (first >= 0)
    pool = np.flatnonzero(free & (sex == MALE))
    partner_age = ages[first[couple]] + np.round(rng.normal(2.5, 3.5, couple.sum())).astype(np.int64)
    picked = match_by_age(rng, np.maximum(partner_age, oldest[couple] + 20), pool, ages[pool], up=8, down=4)
    second[np.flatnonzero(couple)] = picked
    free[picked[picked >= 0]] = False

    # families without any parent join a family that has one (tiny municipalities only)
    family_of_child = np.repeat(np.arange(families), sizes)
    has_parent = first >= 0
    if families and not has_parent.all():
        hosts = np.flatnonzero(has_parent)
        if len(hosts):
            remap = np.arange(families)
            remap[~has_parent] = hosts[rng.integers(len(hosts), size=(~has_parent).sum())]
            family_of_child = remap[family_of_child]
        else:  # no adult at all can be a parent: children are on their own
            first[:] = order[starts]
            family_of_child = np.repeat(np.arange(families), sizes)
    hh_next = 0
    household[order] = family_of_child
    role[order] = 2
    valid_first = first >= 0
    household[first[valid_first]] = np.flatnonzero(valid_first)
    role[first[valid_first]] = 0
    valid_second = second >= 0
    household[second[valid_second]] = np.flatnonzero(valid_second)
    role[second[valid_second]] = 1
    hh_next = families
    htype = list(np.where(valid_second, 2, 3)[:families])

    # 2. young adults who still live with their parents
    stay = free & (rng.random(n) < band_values(ages, profile.values("erwachsene_kinder_im_haushalt"), 0.0))
    stayers = np.flatnonzero(stay)
    free[stayers] = False

    # 3. singles and couples among the remaining adults
    rest = np.flatnonzero(free)
    sizes_p = profile.values("haushaltsgroessen")
    mean_size = sum(float(k) * float(v) for k, v in sizes_p.items()) / sum(float(v) for v in sizes_p.values())
    one_share = float(sizes_p.get(1, sizes_p.get("1"))) / sum(float(v) for v in sizes_p.values())
    target_singles = int(round(one_share * n / mean_size))
    weights = profile.values("alleinlebend_gewicht")
    w = np.where(sex[rest] == FEMALE, band_values(ages[rest], weights["weiblich"], 1.0), band_values(ages[rest], weights["maennlich"], 1.0))
    singles = rest[top_k_weighted(rng, w.astype(float), target_singles)]
    free[singles] = False
    men = np.flatnonzero(free & (sex == MALE))
    women = np.flatnonzero(free & (sex == FEMALE))
    men = men[np.argsort(ages[men] + rng.normal(0, 2.0, len(men)), kind="stable")]
    women = women[np.argsort(ages[women] + rng.normal(0, 2.0, len(women)), kind="stable")]
    pairs = min(len(men), len(women))
    leftovers = np.r_[men[pairs:], women[pairs:]]
    singles = np.r_[singles, leftovers]
    couple_ids = hh_next + np.arange(pairs)
    household[men[:pairs]] = couple_ids
    household[women[:pairs]] = couple_ids
    role[women[:pairs]] = 1
    htype += [1] * pairs
    hh_next += pairs
    first_all = np.r_[first, men[:pairs]]
    second_all = np.r_[second, women[:pairs]]

    # 4. the stayers join a household whose adults are all old enough to be their parents
    adults_hh = np.r_[np.arange(families), couple_ids]
    oldest_adult_a = np.r_[first, men[:pairs]]
    oldest_adult_b = np.r_[second, women[:pairs]]
    age_a = np.where(oldest_adult_a >= 0, ages[np.maximum(oldest_adult_a, 0)], MAX_AGE)
    age_b = np.where(oldest_adult_b >= 0, ages[np.maximum(oldest_adult_b, 0)], MAX_AGE)
    youngest_parent = np.minimum(age_a, age_b)
    ok = youngest_parent < MAX_AGE
    p_order = np.argsort(youngest_parent[ok], kind="stable")
    p_age, p_hh = youngest_parent[ok][p_order], adults_hh[ok][p_order]
    lo = np.searchsorted(p_age, ages[stayers] + 20, side="left")
    hi = np.searchsorted(p_age, ages[stayers] + 42, side="right")
    fits = hi > lo
    pick = lo[fits] + np.floor(rng.random(fits.sum()) * (hi[fits] - lo[fits])).astype(np.int64)
    household[stayers[fits]] = p_hh[pick]
    role[stayers[fits]] = 2
    singles = np.r_[singles, stayers[~fits]]
    htype_arr = np.array(htype, dtype=np.int64)
    if len(pick):
        got_kid = np.zeros(hh_next, dtype=bool)
        got_kid[p_hh[pick]] = True
        htype_arr[got_kid & (htype_arr == 1)] = 2

    # everyone left lives alone
    singles = np.sort(singles)
    household[singles] = hh_next + np.arange(len(singles))
    role[singles] = 0
    htype_arr = np.r_[htype_arr, np.zeros(len(singles), dtype=np.int64)]

    # spouses: partners in couples marry by the woman's age
    both = (first_all >= 0) & (second_all >= 0)
    a, b = first_all[both], second_all[both]
    woman_age = np.where(sex[a] == FEMALE, ages[a], ages[b])
    married = rng.random(len(a)) < band_values(woman_age, profile.values("verheiratet_anteil_paare"), 0.0)
    spouse[a[married]] = b[married]
    spouse[b[married]] = a[married]
    used, household = np.unique(household, return_inverse=True)  # drop households left empty
    return Population(age=ages, sex=sex, household=household.astype(np.int64), role=role, spouse=spouse,
                      household_type=htype_arr[used])
