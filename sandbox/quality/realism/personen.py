"""Realism measures of people: age structure, sex ratio, births and deaths, origin, names, religion.

Each function is registered under its key in ``realismus_referenz.csv``,
which holds the official value (or assumption), tolerance and source.
"""

from __future__ import annotations

import math

import numpy as np

from sandbox.quality.realism.data import RealismData
from sandbox.quality.realism.registry import Observed, mean, measure, rate, share

__all__: list[str] = []  # measures register themselves in registry.MEASURES

YEAR_DAYS = 365.2425


def _band(d: RealismData, lo: int, hi: int = 200) -> np.ndarray:
    return d.now & (d.age >= lo) & (d.age <= hi)


@measure("anteil_unter_18")
def _under_18(d: RealismData) -> Observed | None:
    return share(d.age < 18, d.now)


@measure("anteil_18_29")
def _young_adults(d: RealismData) -> Observed | None:
    return share((d.age >= 18) & (d.age <= 29), d.now)


@measure("anteil_ab_65")
def _old(d: RealismData) -> Observed | None:
    return share(d.age >= 65, d.now)


@measure("anteil_ab_85")
def _very_old(d: RealismData) -> Observed | None:
    return share(d.age >= 85, d.now)


@measure("hundertjaehrige")
def _centenarians(d: RealismData) -> Observed | None:
    return rate(int(_band(d, 100).sum()), d.population, 100_000)


@measure("geburtenknick")
def _birth_slump(d: RealismData) -> Observed | None:
    year = d.stichtag.year
    late, early = int((d.now & (d.birth_year == 1993)).sum()), int((d.now & (d.birth_year == 1989)).sum())
    if early == 0:
        return None
    ratio = late / early
    return Observed(ratio, ratio * float(np.sqrt(1 / max(late, 1) + 1 / early))) if year > 1993 else None


@measure("frauenanteil_0_59")
def _women_young(d: RealismData) -> Observed | None:
    return share(d.female, _band(d, 0, 59) & (d.female | d.male))


@measure("frauenanteil_75_84")
def _women_old(d: RealismData) -> Observed | None:
    return share(d.female, _band(d, 75, 84) & (d.female | d.male))


@measure("frauenanteil_ab_85")
def _women_oldest(d: RealismData) -> Observed | None:
    return share(d.female, _band(d, 85) & (d.female | d.male))


def _births_in(d: RealismData, first_day: int, last_day: int) -> int:
    _, days = d.events("Geburt")
    return int(((days > first_day) & (days <= last_day)).sum())


@measure("geburten_je_1000")
def _births(d: RealismData) -> Observed | None:
    return rate(_births_in(d, d.ref - 365, d.ref), d.population, 1000)


@measure("geburtentrend")
def _birth_trend(d: RealismData) -> Observed | None:
    years = d.profile.ereignisjahre
    start = d.ref - int(years * YEAR_DAYS)
    first, last = _births_in(d, start, start + 365), _births_in(d, d.ref - 365, d.ref)
    if first == 0 or years < 2:
        return None
    ratio = last / first
    return Observed(ratio, ratio * float(np.sqrt(1 / max(last, 1) + 1 / first)))


@measure("sterbefaelle_je_1000")
def _deaths(d: RealismData) -> Observed | None:
    count = int(d.dead.sum())
    return rate(count, d.population * d.profile.ereignisjahre, 1000)


@measure("gestorbene_unter_60")
def _deaths_young(d: RealismData) -> Observed | None:
    ages = d.death_age
    return share(ages < 60, ages >= 0)


@measure("sterbealter_maenner")
def _death_age_men(d: RealismData) -> Observed | None:
    ages = d.death_age
    return mean(ages[(ages >= 0) & d.male])


@measure("sterbealter_frauen")
def _death_age_women(d: RealismData) -> Observed | None:
    ages = d.death_age
    return mean(ages[(ages >= 0) & d.female])


@measure("auslaenderanteil")
def _foreign(d: RealismData) -> Observed | None:
    return share(d.foreign, d.now)


@measure("alter_auslaender")
def _foreign_age(d: RealismData) -> Observed | None:
    return mean(d.age[d.now & d.foreign])


def _by_household(d: RealismData, hit: np.ndarray, within: np.ndarray) -> Observed | None:
    """A share whose people come in households that share the attribute (nationality): the sampling
    error counts households, not people, so a village with a dozen Syrian families is not judged as
    if it had fifty independent Syrians."""
    observed = share(hit, within)
    if observed is None:
        return None
    households = len(np.unique(d.frames["einwohner"]["haushalt_id"].to_numpy()[within]))
    return Observed(observed.value, observed.se * math.sqrt(int(within.sum()) / max(households, 1)))


def _among_foreigners(d: RealismData, label: str) -> Observed | None:
    return _by_household(d, d.eq("einwohner", "staatsangehoerigkeit", label), d.now & d.foreign)


@measure("anteil_ukrainisch")
def _ukrainian(d: RealismData) -> Observed | None:
    return _among_foreigners(d, "ukrainisch")


@measure("anteil_syrisch")
def _syrian(d: RealismData) -> Observed | None:
    return _among_foreigners(d, "syrisch")


@measure("groesste_gruppe")
def _largest(d: RealismData) -> Observed | None:
    labels = d.frames["einwohner"]["staatsangehoerigkeit"][d.now & d.foreign]
    if len(labels) == 0:
        return None
    return _among_foreigners(d, str(labels.value_counts().index[0]))


@measure("kinder_hier_geboren")
def _born_here(d: RealismData) -> Observed | None:
    here = d.isin("einwohner", "geburtsort", d.frames["gemeinden"]["name"].astype(str))
    return share(here, d.now & d.foreign & (d.age < 5))


@measure("namen_herkunftssprache")
def _names_by_language(d: RealismData) -> Observed | None:
    from sandbox.synth import reference

    vocab = reference.load("vornamen_herkunft")
    own = set(vocab.loc[vocab.sprache.isin(["arabisch", "dari"]), "vorname"])
    group = d.now & d.isin("einwohner", "staatsangehoerigkeit", ["syrisch", "afghanisch", "irakisch"])
    return share(d.first_given_in(own), group)


@measure("haeufigster_familienname")
def _top_family_name(d: RealismData) -> Observed | None:
    names = d.frames["einwohner"]["familienname"][d.now]
    if len(names) == 0:
        return None
    top = int(names.value_counts().iloc[0])
    return Observed(top / len(names), float(np.sqrt(top)) / len(names))


SAMPLE = 100_000


@measure("familiennamen_je_100000")
def _family_name_diversity(d: RealismData) -> Observed | None:
    """Distinct family names among 100,000 residents drawn at random (a fixed draw, so the report is reproducible)."""
    names = d.frames["einwohner"]["familienname"].to_numpy()[d.now]
    if len(names) < SAMPLE:
        return None  # fewer residents: the count would measure the size, not the diversity
    rows = np.random.default_rng(0).choice(len(names), size=SAMPLE, replace=False)
    return Observed(float(len(set(names[rows].tolist()))))


def _hitlist(epoch: str, other: str) -> list[str]:
    from sandbox.synth import reference

    top = reference.load("vornamen_haeufig")
    return sorted(set(top.loc[top.epoche == epoch, "vorname"]) - set(top.loc[top.epoche == other, "vorname"]))


@measure("alte_vornamen_bei_jungen")
def _old_names_young(d: RealismData) -> Observed | None:
    return share(d.first_given_in(_hitlist("vor1960", "ab1990")), d.now & ~d.foreign & (d.birth_year >= 1990))


@measure("junge_vornamen_bei_alten")
def _young_names_old(d: RealismData) -> Observed | None:
    return share(d.first_given_in(_hitlist("ab1990", "vor1960")), d.now & ~d.foreign & (d.birth_year < 1960))


def _protestant(d: RealismData, lo: int, hi: int = 200) -> Observed | None:
    return share(d.eq("einwohner", "religion", "evangelisch"), _band(d, lo, hi))


@measure("evangelisch")
def _ev(d: RealismData) -> Observed | None:
    return _protestant(d, 0)


@measure("evangelisch_ab_65")
def _ev_old(d: RealismData) -> Observed | None:
    return _protestant(d, 65)


@measure("evangelisch_18_29")
def _ev_young(d: RealismData) -> Observed | None:
    return _protestant(d, 18, 29)


@measure("nebenwohnung")
def _second_home(d: RealismData) -> Observed | None:
    return share(~d.eq("einwohner", "wohnungsstatus", "alleinige Wohnung"), d.now)
