"""Population synthesis: the people of every municipality, grouped into households.

People come first: their ages follow the profile's age pyramid and their sex
the share of women by age. Households are then formed as a register would
show them, inside each municipality:

1. minors are grouped into sibling groups (profile ``kinderzahl``);
2. each group gets a mother (or, rarely, a single father) whose age fits the
   children, and most get a partner of about the same age;
3. some young adults stay with their parents (``erwachsene_kinder_im_haushalt``);
4. of the other adults, enough live alone to give the profile's share of
   one-person households, weighted by age and sex; the rest pair up by age.

All municipalities are handled at once: every bucket, sort and rank is keyed
by (municipality, age), so Saxony's 418 municipalities cost the same few
array operations as one town.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.synth.profile import Profile
from sandbox.synth.sampling import band_values, sample_ages

__all__ = ["Population", "synthesize", "match_by_age", "ROLLEN", "HAUSHALTSTYPEN", "MALE", "FEMALE"]

MALE, FEMALE = 0, 1
ROLLEN = ("Bezugsperson", "Partner/in", "Kind")
HAUSHALTSTYPEN = ("Einpersonenhaushalt", "Paar ohne Kinder", "Paar mit Kindern", "Alleinerziehend")
MAX_AGE = 120
SINGLE_FATHERS = 0.12  # assumption: share of fathers among single parents


@dataclass
class Population:
    """Person-level arrays in register order (by household); households numbered by municipality."""

    gemeinde: np.ndarray  # municipality index per person
    age: np.ndarray
    sex: np.ndarray  # MALE or FEMALE
    household: np.ndarray  # household index per person, 0..H-1, ordered by municipality
    role: np.ndarray  # index into ROLLEN
    spouse: np.ndarray  # person index of the spouse, -1 if none
    household_type: np.ndarray  # per household, index into HAUSHALTSTYPEN
    household_gemeinde: np.ndarray  # per household, municipality index


def _starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal keys begins."""
    return np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1] if len(sorted_keys) else np.empty(0, np.int64)


def _rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... restarting at every new key of an already sorted array."""
    starts = _starts(sorted_keys)
    runs = np.diff(np.r_[starts, len(sorted_keys)])
    return np.arange(len(sorted_keys)) - np.repeat(starts, runs)


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
        starts = _starts(keys[by_key])
        done -= np.repeat(done[starts], np.diff(np.r_[starts, len(keys)]))
        out = np.empty_like(done)
        out[by_key] = done
        return out

    rep = np.repeat(np.arange(len(k)), k)
    within = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    target_order = _stable_order(want, groups * MAX_AGE)
    targets = target_order[(np.cumsum(need) - need)[a[rep]] + taken_before(a)[rep] + within]
    result[targets] = cand[(np.cumsum(avail) - avail)[b[rep]] + taken_before(b)[rep] + within]
    return result


def _sibling_groups(rng: np.random.Generator, minors: np.ndarray, ages: np.ndarray, gemeinde: np.ndarray,
                    kinderzahl: dict) -> tuple[np.ndarray, np.ndarray]:
    """Minors in group order and the family index of each; no family spans two municipalities."""
    order = minors[np.argsort(gemeinde[minors] * 1000.0 + ages[minors] + rng.normal(0.0, 3.0, len(minors)), kind="stable")]
    keys = np.array([int(x) for x in kinderzahl], dtype=np.int64)
    p = np.array([float(v) for v in kinderzahl.values()])
    sizes = keys[rng.choice(len(keys), size=max(len(order), 1), p=p / p.sum())]
    boundary = np.zeros(len(order) + 1, dtype=bool)
    ends = np.cumsum(sizes)
    boundary[ends[ends < len(order)]] = True
    boundary[_starts(gemeinde[order])] = True
    family = np.cumsum(boundary[: len(order)]) - 1
    return order[np.lexsort((ages[order], family))], family  # ages ascend inside a family


def _grouped_counts(group: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(group, minlength=groups)


def synthesize(rng: np.random.Generator, sizes: np.ndarray, profile: Profile) -> Population:
    """People and households for municipalities with the given numbers of residents."""
    groups = len(sizes)
    n = int(sizes.sum())
    gemeinde = np.repeat(np.arange(groups), sizes)
    ages = sample_ages(rng, n, profile.values("altersstruktur"))
    sex = np.where(rng.random(n) < band_values(ages, profile.values("frauenanteil"), 0.5), FEMALE, MALE)
    household = np.full(n, -1, dtype=np.int64)
    role = np.zeros(n, dtype=np.int64)
    free = ages >= 18

    # 1. sibling groups and their parents
    order, family_of_child = _sibling_groups(rng, np.flatnonzero(ages < 18), ages, gemeinde, profile.values("kinderzahl"))
    families = int(family_of_child[-1]) + 1 if len(order) else 0
    starts = _starts(family_of_child)
    fam_g = gemeinde[order[starts]] if families else np.empty(0, np.int64)
    oldest = np.maximum.reduceat(ages[order], starts) if families else np.empty(0, np.int64)
    youngest = np.minimum.reduceat(ages[order], starts) if families else np.empty(0, np.int64)
    desired = np.maximum(np.minimum(oldest + rng.integers(22, 36, families), youngest + 44), oldest + 20)
    single = rng.random(families) < float(profile.values("alleinerziehende_anteil"))
    father_only = single & (rng.random(families) < SINGLE_FATHERS)
    first = np.full(families, -1, dtype=np.int64)
    for parent_sex, which in ((FEMALE, ~father_only), (MALE, father_only)):
        pool = np.flatnonzero(free & (sex == parent_sex))
        picked = match_by_age(rng, desired[which], pool, ages[pool], fam_g[which], gemeinde[pool], groups)
        first[np.flatnonzero(which)] = picked
        free[picked[picked >= 0]] = False
    second = np.full(families, -1, dtype=np.int64)
    couple = ~single & (first >= 0)
    pool = np.flatnonzero(free & (sex == MALE))
    partner_age = ages[first[couple]] + np.round(rng.normal(2.5, 3.5, couple.sum())).astype(np.int64)
    picked = match_by_age(rng, np.maximum(partner_age, oldest[couple] + 20), pool, ages[pool],
                          fam_g[couple], gemeinde[pool], groups, up=8, down=4)
    second[np.flatnonzero(couple)] = picked
    free[picked[picked >= 0]] = False

    # a family without any parent joins a family of its municipality that has one;
    # where there is none (tiny places), its oldest child heads the household
    orphan = first < 0
    if orphan.any():
        hosts = np.flatnonzero(~orphan)
        host_g = fam_g[hosts]
        lo = np.searchsorted(host_g, fam_g[orphan], side="left")
        hi = np.searchsorted(host_g, fam_g[orphan], side="right")
        target = np.arange(families)
        has_host = hi > lo
        target[np.flatnonzero(orphan)[has_host]] = hosts[lo[has_host] + (rng.random(has_host.sum()) * (hi - lo)[has_host]).astype(np.int64)]
        alone = np.flatnonzero(orphan)[~has_host]
        ends = np.r_[starts[1:], len(order)] - 1
        first[alone] = order[ends[alone]]  # the oldest child (ages ascend within a group)
        family_of_child = target[family_of_child]
    household[order] = family_of_child
    role[order] = 2
    has_first = first >= 0
    household[first[has_first]] = np.flatnonzero(has_first)
    role[first[has_first]] = 0
    has_second = second >= 0
    household[second[has_second]] = np.flatnonzero(has_second)
    role[second[has_second]] = 1
    hh_g = [fam_g]
    htype = [np.where(has_second, 2, 3)]

    # 2. young adults who still live with their parents
    stayers = np.flatnonzero(free & (rng.random(n) < band_values(ages, profile.values("erwachsene_kinder_im_haushalt"), 0.0)))
    free[stayers] = False

    # 3. singles (as many as the profile's one-person share asks for) and couples
    shares = {int(k): float(v) for k, v in profile.values("haushaltsgroessen").items()}
    mean_size = sum(k * v for k, v in shares.items()) / sum(shares.values())
    target = np.round(shares[1] / sum(shares.values()) * sizes / mean_size).astype(np.int64)
    rest = np.flatnonzero(free)
    weights = profile.values("alleinlebend_gewicht")
    w = np.where(sex[rest] == FEMALE, band_values(ages[rest], weights["weiblich"], 1.0), band_values(ages[rest], weights["maennlich"], 1.0))
    key = np.log(np.maximum(w.astype(float), 1e-300)) + rng.gumbel(size=len(rest))
    by_key = np.argsort(gemeinde[rest] * 1000.0 - key)  # by municipality, then by key descending
    alone = rest[by_key][_rank_within(gemeinde[rest][by_key]) < target[gemeinde[rest][by_key]]]
    free[alone] = False
    partners = []
    for s in (MALE, FEMALE):
        idx = np.flatnonzero(free & (sex == s))
        idx = idx[np.argsort(gemeinde[idx] * 1000.0 + ages[idx] + rng.normal(0, 2.0, len(idx)))]
        partners.append(idx)
    men, women = partners
    pairs_g = np.minimum(_grouped_counts(gemeinde[men], groups), _grouped_counts(gemeinde[women], groups))
    men_rank, women_rank = _rank_within(gemeinde[men]), _rank_within(gemeinde[women])
    men_in, women_in = men[men_rank < pairs_g[gemeinde[men]]], women[women_rank < pairs_g[gemeinde[women]]]
    leftovers = np.r_[men[men_rank >= pairs_g[gemeinde[men]]], women[women_rank >= pairs_g[gemeinde[women]]]]
    couple_ids = families + np.arange(len(men_in))
    household[men_in] = couple_ids
    household[women_in] = couple_ids
    role[women_in] = 1
    hh_g.append(gemeinde[men_in])
    htype.append(np.ones(len(men_in), np.int64))

    # 4. the stayers join a household of their municipality whose adults could be their parents
    adult_a = np.r_[first, men_in]
    adult_b = np.r_[second, women_in]
    age_a = np.where(adult_a >= 0, ages[np.maximum(adult_a, 0)], MAX_AGE)
    age_b = np.where(adult_b >= 0, ages[np.maximum(adult_b, 0)], MAX_AGE)
    youngest_parent = np.minimum(age_a, age_b)
    parent_hh = np.r_[np.arange(families), couple_ids]
    parent_key = np.r_[fam_g, gemeinde[men_in]] * 1000 + youngest_parent
    by_age = np.argsort(parent_key, kind="stable")
    parent_key, parent_hh = parent_key[by_age], parent_hh[by_age]
    lo = np.searchsorted(parent_key, gemeinde[stayers] * 1000 + ages[stayers] + 20, side="left")
    hi = np.searchsorted(parent_key, gemeinde[stayers] * 1000 + ages[stayers] + 42, side="right")
    fits = hi > lo
    pick = parent_hh[lo[fits] + (rng.random(fits.sum()) * (hi - lo)[fits]).astype(np.int64)]
    household[stayers[fits]] = pick
    role[stayers[fits]] = 2
    htype_all = np.concatenate(htype)
    got_kid = np.zeros(len(htype_all), dtype=bool)
    got_kid[pick] = True
    htype_all[got_kid & (htype_all == 1)] = 2

    # everyone left lives alone
    singles = np.sort(np.r_[alone, leftovers, stayers[~fits]])
    household[singles] = len(htype_all) + np.arange(len(singles))
    role[singles] = 0
    htype_all = np.r_[htype_all, np.zeros(len(singles), np.int64)]
    hh_gemeinde = np.concatenate([*hh_g, gemeinde[singles]])

    # spouses: partners marry by the woman's age
    a, b = np.r_[first, men_in], np.r_[second, women_in]
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    woman_age = np.where(sex[a] == FEMALE, ages[a], ages[b])
    married = rng.random(len(a)) < band_values(woman_age, profile.values("verheiratet_anteil_paare"), 0.0)
    spouse = np.full(n, -1, dtype=np.int64)
    spouse[a[married]] = b[married]
    spouse[b[married]] = a[married]

    # number households by municipality, dropping those left empty by merged families
    used = np.zeros(len(htype_all), dtype=bool)
    used[household] = True
    keep = np.flatnonzero(used)
    keep = keep[np.argsort(hh_gemeinde[keep], kind="stable")]
    renumber = np.full(len(htype_all), -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    household = renumber[household]
    # people in register order: by household, Bezugsperson first, then the others by age
    order = np.argsort((household * len(ROLLEN) + role) * MAX_AGE + (MAX_AGE - 1 - ages), kind="stable")
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    spouse = np.where(spouse >= 0, position[np.maximum(spouse, 0)], -1)[order]
    return Population(gemeinde=gemeinde[order], age=ages[order], sex=sex[order], household=household[order],
                      role=role[order], spouse=spouse, household_type=htype_all[keep], household_gemeinde=hh_gemeinde[keep])
