"""Realism measures of partnerships and households: marriage, widowhood, household types.

Each function is registered under its key in ``realismus_referenz.csv``.
"""

from __future__ import annotations

import numpy as np

from sandbox.quality.realism.data import RealismData
from sandbox.quality.realism.registry import Observed, mean, measure, rate, share

__all__: list[str] = []  # measures register themselves in registry.MEASURES


def _couples(d: RealismData) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (husband, wife) of the registered married couples of a man and a woman."""
    people = d.frames["einwohner"]
    spouse = people["ehegatte_id"].fillna(0).to_numpy(dtype=np.int64)
    ids = people["einwohner_id"].to_numpy()
    men = np.flatnonzero(d.now & d.male & (spouse > 0))
    wives = np.searchsorted(ids, spouse[men])
    ok = (wives < len(ids)) & d.female[np.minimum(wives, len(ids) - 1)]
    return men[ok], wives[ok]


def _marriages_in_window(d: RealismData, last_year_only: bool) -> np.ndarray:
    rows, days = d.events("Eheschließung")
    return rows[days > d.ref - 365] if last_year_only else rows


@measure("eheschliessungen_je_1000")
def _marriages(d: RealismData) -> Observed | None:
    persons = len(_marriages_in_window(d, True))
    return rate(persons // 2, d.population, 1000)


def _marriage_age(d: RealismData, men: bool) -> Observed | None:
    rows, days = d.events("Eheschließung")
    pick = d.male[rows] if men else d.female[rows]
    return mean(d.age_on(days, rows)[pick])


@measure("heiratsalter_maenner")
def _marriage_age_men(d: RealismData) -> Observed | None:
    return _marriage_age(d, True)


@measure("heiratsalter_frauen")
def _marriage_age_women(d: RealismData) -> Observed | None:
    return _marriage_age(d, False)


@measure("altersabstand_ehe")
def _age_gap(d: RealismData) -> Observed | None:
    men, wives = _couples(d)
    return mean((d.birth[wives] - d.birth[men]) / 365.2425)


@measure("ehefrau_aelter")
def _wife_older(d: RealismData) -> Observed | None:
    men, wives = _couples(d)
    return share(d.birth[wives] < d.birth[men]) if len(men) else None


def _status_share(d: RealismData, label: str, sex: np.ndarray, lo: int, hi: int = 200) -> Observed | None:
    return share(d.eq("einwohner", "familienstand", label), d.now & sex & (d.age >= lo) & (d.age <= hi))


@measure("verheiratet_maenner_ab_85")
def _married_old_men(d: RealismData) -> Observed | None:
    return _status_share(d, "verheiratet", d.male, 85)


@measure("verwitwet_frauen_75_84")
def _widows(d: RealismData) -> Observed | None:
    return _status_share(d, "verwitwet", d.female, 75, 84)


@measure("verwitwet_maenner_75_84")
def _widowers(d: RealismData) -> Observed | None:
    return _status_share(d, "verwitwet", d.male, 75, 84)


@measure("geschieden_18_24")
def _young_divorced(d: RealismData) -> Observed | None:
    return _status_share(d, "geschieden", d.male | d.female, 18, 24)


@measure("verheiratet_ab_18")
def _married_adults(d: RealismData) -> Observed | None:
    return _status_share(d, "verheiratet", np.ones(len(d.now), dtype=bool), 18)


@measure("geschieden_ab_18")
def _divorced_adults(d: RealismData) -> Observed | None:
    return _status_share(d, "geschieden", np.ones(len(d.now), dtype=bool), 18)


@measure("ehescheidungen_je_1000")
def _divorces(d: RealismData) -> Observed | None:
    """Divorces a year implied by the divorce dates of today's divorced residents (two persons per divorce)."""
    since = d.days("familienstand_datum")
    start = d.ref - int(d.profile.ereignisjahre * 365.2425)
    persons = int((d.now & d.eq("einwohner", "familienstand", "geschieden") & (since > start)).sum())
    return rate(persons // 2, d.population * d.profile.ereignisjahre, 1000)


@measure("verwitwete_tod_im_register")
def _widowed_by_register_death(d: RealismData) -> Observed | None:
    since = d.days("familienstand_datum")
    start = d.ref - int(d.profile.ereignisjahre * 365.2425)
    recent = d.now & d.eq("einwohner", "familienstand", "verwitwet") & (since > start)
    dead = d.dead
    key = lambda rows: d.frames["einwohner"]["anschrift_id"].to_numpy()[rows] * 100_000 + (since[rows] - start)  # noqa: E731
    death_day = d.days("abmeldedatum")
    dead_keys = d.frames["einwohner"]["anschrift_id"].to_numpy()[dead] * 100_000 + (death_day[dead] - start)
    return share(np.isin(key(np.flatnonzero(recent)), dead_keys)) if recent.any() else None


def _household_types(d: RealismData) -> np.ndarray:
    return d.text("haushalte", "haushaltstyp")


@measure("einpersonenhaushalte")
def _one_person(d: RealismData) -> Observed | None:
    return share(d.frames["haushalte"]["anzahl_personen"].to_numpy() == 1)


@measure("haushaltsgroesse")
def _household_size(d: RealismData) -> Observed | None:
    return mean(d.frames["haushalte"]["anzahl_personen"].to_numpy())


@measure("alleinerziehende")
def _single_parents(d: RealismData) -> Observed | None:
    kinds = _household_types(d)
    ids = d.frames["haushalte"]["haushalt_id"].to_numpy()
    minors = d.now & (d.age < 18)
    with_minor = np.zeros(len(ids), dtype=bool)
    with_minor[np.searchsorted(ids, d.frames["einwohner"]["haushalt_id"].to_numpy()[minors].astype(np.int64))] = True
    return share(kinds == "Alleinerziehend", with_minor & np.isin(kinds, ["Alleinerziehend", "Paar mit Kindern"]))


@measure("mehrgenerationen")
def _multi_generation(d: RealismData) -> Observed | None:
    return share(_household_types(d) == "Mehrgenerationenhaushalt")


@measure("erwachsene_kinder_25_29")
def _adult_children(d: RealismData) -> Observed | None:
    return share(d.eq("einwohner", "stellung_im_haushalt", "Kind"), d.now & (d.age >= 25) & (d.age <= 29))


@measure("allein_lebende")
def _living_alone(d: RealismData) -> Observed | None:
    sizes = d.frames["haushalte"]["anzahl_personen"].to_numpy()
    alone = int((sizes == 1).sum())
    return share(np.arange(d.population) < alone) if d.population else None


_FAMILIES = ("Paar ohne Kinder", "Paar mit Kindern", "Alleinerziehend", "Mehrgenerationenhaushalt")


@measure("alleinerziehende_familien")
def _single_parent_families(d: RealismData) -> Observed | None:
    kinds = _household_types(d)
    return share(kinds == "Alleinerziehend", np.isin(kinds, _FAMILIES))


@measure("ehepaare_familien")
def _married_couples(d: RealismData) -> Observed | None:
    kinds = _household_types(d)
    families = np.isin(kinds, _FAMILIES)
    married_heads = np.zeros(len(kinds), dtype=bool)
    people = d.frames["einwohner"]
    head = d.now & (d.eq("einwohner", "stellung_im_haushalt", "Bezugsperson")) & people["ehegatte_id"].notna().to_numpy()
    ids = d.frames["haushalte"]["haushalt_id"].to_numpy()
    married_heads[np.searchsorted(ids, people["haushalt_id"].to_numpy()[head].astype(np.int64))] = True
    return share(married_heads, families)
