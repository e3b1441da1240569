"""Population synthesis: the people of every municipality, grouped into households.

People come first: age and sex by single year from the Kreis's own age
structure (:mod:`~sandbox.synth.population.demografie`). Households are then
formed as a register would show them, inside each municipality:

1. minors are grouped into sibling groups (profile ``kinderzahl``);
2. each group gets a mother (or, rarely, a single father) whose age fits the
   children, and most get a partner about three years older;
3. some adult children stay with their parents (``erwachsene_kinder_im_haushalt``);
4. the other adults live with a partner by age and sex, share a flat, join
   a child's household in old age, or live alone
   (:mod:`~sandbox.synth.population.lebensformen`);
5. marital status follows from the life course (:mod:`~sandbox.synth.population.partnerschaft`).

All municipalities are handled at once: every bucket, sort and rank is keyed
by (municipality, age), so Saxony's 418 municipalities cost the same few
array operations as one town.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.synth.population import demografie
from sandbox.synth.population.lebensformen import Groups, attach, couples, same_sex_couples, shared_flats
from sandbox.synth.population.partnerschaft import (VERHEIRATET, marriage_age, registered_partnerships,
                                                    unmarried_status)
from sandbox.synth.profile import Profile
from sandbox.synth.sampling import band_values, draw, group_rows, lookup_table
from sandbox.synth.population.zuordnung import FEMALE, HAUSHALTSTYPEN, MALE, MAX_AGE, ROLLEN, match_by_age, rank_within, starts

__all__ = ["Population", "synthesize", "match_by_age", "ROLLEN", "HAUSHALTSTYPEN", "MALE", "FEMALE"]



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
    status: np.ndarray  # marital status, index into partnerschaft.FAMILIENSTAND_CODES
    status_years: np.ndarray  # years before the Stichtag the status began (0 for ledig)


def _sibling_groups(rng: np.random.Generator, minors: np.ndarray, ages: np.ndarray, gemeinde: np.ndarray,
                    kinderzahl: dict, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Minors in group order and the family index of each; no family spans two municipalities.

    The minors of a municipality are ranked by age and dealt into chains of
    children about ``spacing`` years apart; each chain is cut into sibling
    groups of the profile's sizes, so siblings are years apart, not twins.
    """
    order = minors[np.lexsort((ages[minors] + rng.random(len(minors)), gemeinde[minors]))]
    g = gemeinde[order]
    rank = rank_within(g)
    per_year = np.bincount(g, minlength=int(g.max()) + 1 if len(g) else 0) / 18.0
    stride = np.maximum(1, np.round(per_year * spacing)).astype(np.int64)[g]
    chain = rank % stride
    resort = np.lexsort((rank // stride, chain, g))
    order, g, chain = order[resort], g[resort], chain[resort]
    new_chain = np.r_[True, (np.diff(g) != 0) | (np.diff(chain) != 0)] if len(g) else np.empty(0, dtype=bool)
    keys = np.array([int(x) for x in kinderzahl], dtype=np.int64)
    p = np.array([float(v) for v in kinderzahl.values()])
    sizes = keys[rng.choice(len(keys), size=max(len(order), 1), p=p / p.sum())]
    boundary = np.zeros(len(order) + 1, dtype=bool)
    ends = np.cumsum(sizes)
    boundary[ends[ends < len(order)]] = True
    boundary[: len(order)] |= new_chain
    family = np.cumsum(boundary[: len(order)]) - 1
    return order[np.lexsort((ages[order], family))], family  # ages ascend inside a family


def _people(rng: np.random.Generator, gemeinde: np.ndarray, kreis_of_gemeinde: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Age and sex of every person from the age structure of their Kreis."""
    ages = np.empty(len(gemeinde), dtype=np.int64)
    sex = np.empty(len(gemeinde), dtype=np.int64)
    keys = sorted(set(kreis_of_gemeinde.tolist()))
    code = {key: k for k, key in enumerate(keys)}
    kreis_of_person = np.array([code[key] for key in kreis_of_gemeinde.tolist()], dtype=np.int64)[gemeinde]
    for kreis, rows in zip(keys, group_rows(kreis_of_person, len(keys))):  # no string comparison per person
        picked = draw(rng, lookup_table(demografie.age_weights(str(kreis)).ravel(), resolution=1 << 20), len(rows))
        sex[rows], ages[rows] = np.divmod(picked, demografie.MAX_AGE + 1)
    return ages, sex


def _marital_status(rng: np.random.Generator, ages: np.ndarray, sex: np.ndarray, spouse: np.ndarray,
                    birth_year: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Status and years since it began: spouses share their marriage, the others follow their cohort."""
    n = len(ages)
    status = np.zeros(n, dtype=np.int64)
    years = np.zeros(n)
    married = spouse >= 0
    wife = np.flatnonzero(married & (sex == FEMALE))
    at = marriage_age(rng, ages[wife].astype(float), birth_year[wife], sex[wife])
    again = (rng.random(len(wife)) < float(params["zweitehe_anteil"])) & (ages[wife] >= 30) & (ages[wife] <= 55)
    at[again] = ages[wife][again] - rng.random(int(again.sum())) * np.minimum(ages[wife][again] - 25.0, 15.0)  # never after today
    status[married] = VERHEIRATET
    years[wife] = ages[wife] - at
    years[spouse[wife]] = years[wife]
    key = sex * (MAX_AGE + 1) + ages
    share = np.bincount(key[married], minlength=2 * (MAX_AGE + 1)) / np.maximum(np.bincount(key, minlength=2 * (MAX_AGE + 1)), 1)
    rest = np.flatnonzero(~married & (ages >= 18))
    status[rest], years[rest] = unmarried_status(rng, ages[rest].astype(float), sex[rest], birth_year[rest], share[key[rest]], params)
    return status, years


def synthesize(rng: np.random.Generator, sizes: np.ndarray, profile: Profile, kreis_of_gemeinde: np.ndarray,
               city: np.ndarray) -> Population:
    """People and households for municipalities with the given numbers of residents.

    ``kreis_of_gemeinde`` gives each municipality's Kreis key (its age
    structure), ``city`` whether it is a Kreisfreie Stadt (shared flats).
    """
    groups = len(sizes)
    n = int(sizes.sum())
    gemeinde = np.repeat(np.arange(groups), sizes)
    ages, sex = _people(rng, gemeinde, np.asarray(kreis_of_gemeinde))
    household = np.full(n, -1, dtype=np.int64)
    role = np.zeros(n, dtype=np.int64)
    free = ages >= 18
    forms = profile.values("haushaltsformen")
    params = profile.values("partnerschaften")

    # 1. sibling groups and their parents
    order, family_of_child = _sibling_groups(rng, np.flatnonzero(ages < 18), ages, gemeinde, profile.values("kinderzahl"),
                                             float(forms["geschwisterabstand_jahre"]))
    families = int(family_of_child[-1]) + 1 if len(order) else 0
    first_child = starts(family_of_child)
    fam_g = gemeinde[order[first_child]] if families else np.empty(0, np.int64)
    oldest = np.maximum.reduceat(ages[order], first_child) if families else np.empty(0, np.int64)
    youngest = np.minimum.reduceat(ages[order], first_child) if families else np.empty(0, np.int64)
    desired = np.maximum(np.minimum(oldest + rng.integers(22, 36, families), youngest + 44), oldest + 20)
    single = rng.random(families) < float(profile.values("alleinerziehende_anteil"))
    father_only = single & (rng.random(families) < float(forms["vaeter_unter_alleinerziehenden"]))
    first = np.full(families, -1, dtype=np.int64)
    for parent_sex, which in ((FEMALE, ~father_only), (MALE, father_only)):
        pool = np.flatnonzero(free & (sex == parent_sex))
        picked = match_by_age(rng, desired[which], pool, ages[pool], fam_g[which], gemeinde[pool], groups)
        first[np.flatnonzero(which)] = picked
        free[picked[picked >= 0]] = False
    second = np.full(families, -1, dtype=np.int64)
    couple = ~single & (first >= 0)
    pool = np.flatnonzero(free & (sex == MALE))
    gap = params["altersabstand"]
    partner_age = ages[first[couple]] + np.round(rng.normal(float(gap["mittel"]), float(gap["streuung"]), couple.sum())).astype(np.int64)
    picked = match_by_age(rng, np.maximum(partner_age, oldest[couple] + 20), pool, ages[pool],
                          fam_g[couple], gemeinde[pool], groups, up=8, down=2)
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
        ends = np.r_[first_child[1:], len(order)] - 1
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
    htype = np.where(has_second, 2, 3)

    # 2. adult children who still live with their parents
    at_home = profile.values("erwachsene_kinder_im_haushalt")
    stay_share = np.where(sex == FEMALE, band_values(ages, at_home["weiblich"], 0.0), band_values(ages, at_home["maennlich"], 0.0))
    stayers = np.flatnonzero(free & (rng.random(n) < stay_share))
    free[stayers] = False

    # 3. couples, shared flats, old people with their children, people alone
    partnered = np.zeros(n, dtype=bool)
    partnered[first[has_second]] = partnered[second[has_second]] = True
    men_in, women_in = couples(rng, ages, sex, Groups(gemeinde, groups), free, partnered, gap)
    free[men_in] = free[women_in] = False
    same_a, same_b = same_sex_couples(rng, ages, sex, gemeinde, free, round(
        (len(men_in) + int(has_second.sum())) * float(params["gleichgeschlechtliche_paare_anteil"]) / 2))
    free[same_a] = free[same_b] = False
    men_in, women_in = np.r_[men_in, same_a], np.r_[women_in, same_b]
    couple_ids = families + np.arange(len(men_in))
    household[men_in] = household[women_in] = couple_ids
    role[women_in] = 1
    htype = np.r_[htype, np.ones(len(men_in), np.int64)]
    hh_gemeinde = np.r_[fam_g, gemeinde[men_in]]

    young = np.flatnonzero(free & (ages <= 34))
    wg_share = np.where(np.asarray(city)[gemeinde[young]], float(forms["wohngemeinschaft_anteil_18_34_stadt"]),
                        float(forms["wohngemeinschaft_anteil_18_34_land"]))
    members, flat = shared_flats(rng, young[rng.random(len(young)) < wg_share],
                                 gemeinde, forms["wohngemeinschaft_groessen"])
    free[members] = False
    flat_ids = len(htype) + flat
    household[members] = flat_ids
    role[members] = np.where(np.r_[True, np.diff(flat) != 0], 0, 3)
    flats = int(flat.max()) + 1 if len(flat) else 0
    hh_gemeinde = np.r_[hh_gemeinde, np.zeros(flats, np.int64)]
    hh_gemeinde[len(htype) + flat] = gemeinde[members]
    htype = np.r_[htype, np.full(flats, 5, np.int64)]

    adult_a, adult_b = np.r_[first, men_in], np.r_[second, women_in]
    age_a = np.where(adult_a >= 0, ages[np.maximum(adult_a, 0)], MAX_AGE)
    age_b = np.where(adult_b >= 0, ages[np.maximum(adult_b, 0)], MAX_AGE)
    host_age, host_hh, host_g = np.minimum(age_a, age_b), np.arange(len(adult_a)), hh_gemeinde[: len(adult_a)]
    elders = np.flatnonzero(free & (ages >= 75))
    elders = elders[rng.random(len(elders)) < float(forms["mehrgenerationen_anteil_ab_75"])]
    joined, host = attach(rng, elders, ages[elders] - 45, ages[elders] - 20, gemeinde, host_age, host_hh, host_g)
    household[elders[joined]] = host
    role[elders[joined]] = 3
    htype[host[np.isin(htype[host], (2, 3))]] = 4  # three generations under one roof
    free[elders[joined]] = False

    # the other adults live alone, unless an adult child stays with them (then a lone parent)
    lone = np.flatnonzero(free)
    lone_ids = len(htype) + np.arange(len(lone))
    household[lone] = lone_ids
    role[lone] = 0
    htype = np.r_[htype, np.zeros(len(lone), np.int64)]
    hh_gemeinde = np.r_[hh_gemeinde, gemeinde[lone]]
    fits, pick = attach(rng, stayers, ages[stayers] + 18, ages[stayers] + 45, gemeinde, np.r_[host_age, ages[lone]],
                        np.r_[host_hh, lone_ids], np.r_[host_g, gemeinde[lone]])
    household[stayers[fits]] = pick
    role[stayers[fits]] = 2
    htype[pick[htype[pick] == 1]] = 2
    htype[pick[htype[pick] == 0]] = 3
    singles = stayers[~fits]
    household[singles] = len(htype) + np.arange(len(singles))
    role[singles] = 0
    htype = np.r_[htype, np.zeros(len(singles), np.int64)]
    hh_gemeinde = np.r_[hh_gemeinde, gemeinde[singles]]

    # spouses: partners marry by the woman's age; marital status from the life course
    a, b = np.r_[first, men_in], np.r_[second, women_in]
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    woman_age = np.where(sex[a] == FEMALE, ages[a], ages[b])
    married = rng.random(len(a)) < band_values(woman_age, profile.values("verheiratet_anteil_paare"), 0.0)
    spouse = np.full(n, -1, dtype=np.int64)
    spouse[a[married]] = b[married]
    spouse[b[married]] = a[married]
    status, status_years = _marital_status(rng, ages, sex, spouse, profile.stichtag.year - ages, params)
    registered_partnerships(rng, same_a, same_b, spouse, status, status_years, profile.stichtag, params)

    # number households by municipality, dropping those left empty by merged families
    used = np.zeros(len(htype), dtype=bool)
    used[household] = True
    keep = np.flatnonzero(used)
    keep = keep[np.argsort(hh_gemeinde[keep], kind="stable")]
    renumber = np.full(len(htype), -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    household = renumber[household]
    # people in register order: by household, Bezugsperson first, then the others by age
    order = np.argsort((household * len(ROLLEN) + role) * MAX_AGE + (MAX_AGE - 1 - ages), kind="stable")
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    spouse = np.where(spouse >= 0, position[np.maximum(spouse, 0)], -1)[order]
    return Population(gemeinde=gemeinde[order], age=ages[order], sex=sex[order], household=household[order],
                      role=role[order], spouse=spouse, household_type=htype[keep], household_gemeinde=hh_gemeinde[keep],
                      status=status[order], status_years=status_years[order])
