"""Table `einwohner`: the residents' register entries, in XMeld terms.

It holds everyone registered on the reference day (``meldestatus`` gemeldet)
and, as a real Melderegister does, the entries of people who died or moved
away during the event years, so that every `meldeereignis` names a person.
The people and their households come from `haushalte`; this table adds what
the register records about them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.codes import FAMILIENSTAND, GESCHLECHT, RELIGION, WOHNUNGSSTATUS
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR
from sandbox.synth.population import herkunft, namen
from sandbox.synth.population.abgaenge import VERSTORBEN, departures
from sandbox.synth.population.bevoelkerung import FEMALE, ROLLEN
from sandbox.synth.population.residents import Residents
from sandbox.synth.sampling import (as_seconds, birth_dates, days_before, dense_rank, join_strings, nullable_int,
                                    take_strings, year_of_day)
from sandbox.synth.schema import After, Column, Table, BIRTH_DATE, FAMILY_NAME, GIVEN_NAMES, PAST, QUASI_IDENTIFIER, SENSITIVE

__all__ = ["TABLE", "generate", "GESCHLECHTER", "FAMILIENSTAENDE", "MELDESTATUS"]

GESCHLECHTER = GESCHLECHT.labels
FAMILIENSTAENDE = FAMILIENSTAND.labels
MELDESTATUS = ("gemeldet", "verstorben", "weggezogen")

TABLE = Table(
    name="einwohner",
    description="Einträge des Melderegisters (Begriffe nach XMeld): gemeldete Personen am Stichtag sowie im Ereigniszeitraum Verstorbene und Weggezogene.",
    primary_key="einwohner_id",
    extra_parents=("haushalte",),
    method=(
        "Personen aus der Haushaltssynthese; Familienstand aus dem Lebenslauf (Heiratsalter nach Geburtsjahrgang, "
        "Verwitwung nach der Sterbetafel des Ehegatten, Scheidung nach Ehedauer); Staatsangehörigkeit je Haushalt nach "
        "Alter der Bezugsperson und Ausländeranteil des Kreises, mit Zuzugsjahr, Geburtsort im Ausland oder hier und "
        "Namen aus dem Wortschatz der Herkunftssprache; deutsche Vornamen nach Geburtsjahrgang, Familiennamen nach "
        "Häufigkeitsrang; Religion nach Alter und Staatsangehörigkeit; Verstorbene nach der Sterbetafel, darunter die "
        "Ehegatten der Verwitweten; Weggezogene als ganze Haushalte oder Teile davon nach der Fortzugsrate und ihrem "
        "Altersprofil, Ehepaare mit gegenseitigem Ehegattenverweis; Einzug stets vor der Abmeldung."
    ),
    columns=(
        Column("einwohner_id", "int64", "Schlüssel der Person", unique=True, min=1),
        Column("haushalt_id", "int64", "Haushalt (leer bei Verstorbenen und Weggezogenen)", nullable=True, references="haushalte.haushalt_id"),
        Column("anschrift_id", "int64", "Anschrift der Wohnung (bei Abgemeldeten die letzte)", references="anschriften.anschrift_id"),
        Column("familienname", "string", "Familienname", roles={FAMILY_NAME}),
        Column("geburtsname", "string", "Geburtsname, wenn er vom Familiennamen abweicht", nullable=True),
        Column("vornamen", "string", "Vornamen, durch Leerzeichen getrennt", roles={GIVEN_NAMES}),
        GESCHLECHT.label_column("geschlecht", "Geschlecht nach Personenstandsrecht", roles={QUASI_IDENTIFIER}),
        GESCHLECHT.code_column("geschlecht_code", "geschlecht"),
        Column("geburtsdatum", "date", "Geburtsdatum", min="1900-01-01",
               roles={QUASI_IDENTIFIER, BIRTH_DATE, PAST}),
        Column("geburtsort", "string", "Geburtsort"),
        Column("staatsangehoerigkeit", "string", "Staatsangehörigkeit (Adjektiv, z. B. deutsch)"),
        Column("staatsangehoerigkeit_schluessel", "string", "Schlüssel der Staatsangehörigkeit (Destatis, 000 = deutsch, 997 staatenlos, 998 ungeklärt)",
               pattern=r"^\d{3}$"),
        Column("weitere_staatsangehoerigkeit", "string", "zweite Staatsangehörigkeit, falls vorhanden", nullable=True),
        Column("zuzugsjahr", "int64", "Jahr des Zuzugs aus dem Ausland (leer, wenn nicht zugewandert)", nullable=True, min=1900),
        FAMILIENSTAND.label_column("familienstand", "Familienstand"),
        FAMILIENSTAND.code_column("familienstand_code", "familienstand"),
        Column("familienstand_datum", "date", "Datum, seit dem der Familienstand gilt (Eheschließung, Scheidung, Tod des Ehegatten)", nullable=True,
               roles={PAST}),
        Column("ehegatte_id", "int64", "Ehegatte oder eingetragene Lebenspartnerin bzw. eingetragener Lebenspartner im Register", nullable=True, references="einwohner.einwohner_id"),
        Column("stellung_im_haushalt", "string", "Stellung im Haushalt (abgeleitet, kein XMeld-Feld)", nullable=True, allowed=ROLLEN),
        RELIGION.label_column("religion", "rechtliche Zugehörigkeit zu einer öffentlich-rechtlichen Religionsgesellschaft",
                              roles={SENSITIVE}),
        RELIGION.code_column("religion_schluessel", "religion"),
        WOHNUNGSSTATUS.label_column("wohnungsstatus", "alleinige Wohnung, Haupt- oder Nebenwohnung"),
        WOHNUNGSSTATUS.code_column("wohnungsstatus_code", "wohnungsstatus"),
        Column("einzugsdatum", "date", "Einzug in die Wohnung",
               roles={PAST}, after=After("geburtsdatum", "Einzug nicht vor der Geburt")),
        Column("meldestatus", "string", "gemeldet, verstorben oder weggezogen", allowed=MELDESTATUS),
        Column("abmeldedatum", "date", "Tag des Todes oder Wegzugs", nullable=True,
               roles={PAST}, after=After("einzugsdatum", "Abmeldung nicht vor dem Einzug")),
    ),
)


def _addresses(ctx: Context, rng: np.random.Generator, gemeinde: np.ndarray) -> np.ndarray:
    """A random address of each municipality (for people who left and have no household any more)."""
    ags = ctx.table("gemeinden")["ags"].to_numpy()
    by_ags = ctx.table("anschriften").groupby("ags")["anschrift_id"].agg(["min", "max"]).reindex(ags)
    lo = by_ags["min"].to_numpy()[gemeinde]
    hi = by_ags["max"].to_numpy()[gemeinde]
    return lo + np.floor(rng.random(len(gemeinde)) * (hi - lo + 1)).astype(np.int64)


def _units(household: np.ndarray, now: np.ndarray, survivor: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, int]:
    """Household-level unit per person: households 0..H-1, a deceased spouse in the survivor's, movers by group."""
    n_now = int(now.sum())
    n_households = int(household[:n_now].max()) if n_now else 0
    unit = np.where(now, household - 1, 0)
    unit[~now] = n_households + group
    former = np.flatnonzero(~now)
    joined = survivor >= 0
    unit[former[joined]] = household[survivor[joined]] - 1
    unit = dense_rank(unit)  # number the units without gaps
    return unit, int(unit.max()) + 1 if len(unit) else 0


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    profile = ctx.profile
    ref = days_before(profile.stichtag)
    ctx.table("haushalte")  # the person skeleton is made together with the households
    residents = ctx.shared(Residents)
    pop = residents.population
    n_now = len(pop.age)
    params = profile.values("partnerschaften")
    dep = departures(rng, pop, ref, profile.ereignisjahre, profile.values("ereignisraten"), params, profile.stichtag.year)
    n = n_now + len(dep.age)
    now = np.arange(n) < n_now

    gemeinde = np.r_[pop.gemeinde, dep.gemeinde]
    age = np.r_[pop.age, dep.age]
    female = np.r_[pop.sex, dep.sex] == FEMALE
    abmeldung = np.r_[np.full(n_now, ref), dep.day]
    birth = birth_dates(rng, age, abmeldung - ~now)  # nobody leaves on the day of their birth
    birth_year = year_of_day(birth)
    household = np.r_[residents.haushalt_id, np.zeros(len(dep.age), np.int64)]
    role = np.r_[pop.role, dep.role]
    spouse = np.r_[pop.spouse, np.where(dep.spouse >= 0, n_now + dep.spouse, -1)]
    married = spouse >= 0
    status = np.r_[pop.status, dep.status]
    status_day = np.where(status > 0, abmeldung - (np.r_[pop.status_years, dep.status_years] * YEAR).astype(np.int64), 0)
    group_gemeinde = np.zeros(int(dep.group.max(initial=-1)) + 1, dtype=np.int64)
    group_gemeinde[dep.group] = dep.gemeinde
    address = np.r_[residents.anschrift_id, _addresses(ctx, rng, group_gemeinde)[dep.group]]  # who left together, left from one address
    widow = dep.survivor >= 0
    address[n_now + np.flatnonzero(widow)] = residents.anschrift_id[dep.survivor[widow]]

    # origin per household (unit): German or a nationality, with arrival year
    unit, n_units = _units(household, now, dep.survivor, dep.group)
    head_age = np.zeros(n_units, dtype=np.int64)
    head_age[unit[role == 0]] = age[role == 0]
    gemeinden = ctx.table("gemeinden")
    kreis_keys, kreis_of_gemeinde = np.unique(gemeinden["kreis_ags"].to_numpy(dtype=str), return_inverse=True)
    kreis_unit = np.empty(n_units, dtype=np.int64)
    kreis_unit[unit] = kreis_of_gemeinde[gemeinde]
    origin_params = profile.values("herkunft")
    origin_unit = herkunft.foreign_households(rng, head_age, np.bincount(unit, minlength=n_units), kreis_unit,
                                              origin_params, kreis_keys.tolist())
    unit_ref = np.full(n_units, ref, dtype=np.int64)  # the day a unit was last seen here: today, or when it left
    widowed_by = np.r_[np.full(n_now, -1), dep.survivor]  # per deceased spouse, the survivor; -1 otherwise
    left = ~now & (widowed_by < 0)
    np.minimum.at(unit_ref, unit[left], abmeldung[left])
    arrival_unit = herkunft.arrival_years(rng, origin_unit, profile.stichtag.year)
    last_year = year_of_day(unit_ref)
    rates = profile.values("ereignisraten")
    mean_stay = 1000.0 / (float(rates["zuzug"]) + float(rates["umzug"]))
    # nobody left before arriving: a unit that left arrived some years before (a stay as long as anybody's)
    stayed = last_year - np.floor(rng.exponential(mean_stay, size=n_units)).astype(np.int64)
    arrival_unit = np.where(arrival_unit > last_year, np.maximum(stayed, 1970), arrival_unit)
    origin = origin_unit[unit]
    german_partner = (origin > 0) & (role == 1) & (rng.random(n) < float(origin_params["binationale_partner"]))
    origin[german_partner] = 0
    born_here = (origin > 0) & (birth_year >= arrival_unit[unit])
    naturalised_unit = rng.random(n_units) < float(origin_params["eingebuergert_anteil"])
    ius_soli = born_here & (rng.random(n) < float(origin_params["deutsch_durch_geburt"]))
    nationality = np.where(naturalised_unit[unit] | ius_soli, 0, origin)
    second = (origin > 0) & (nationality == 0) & (ius_soli | (rng.random(n) < float(origin_params["doppelte_staatsangehoerigkeit"])))
    nat = herkunft.nationalities()

    # names: German ones by birth cohort and rank, foreign ones from the origin's language
    names = profile.values("namen")
    exponent = float(names["familiennamen_exponent"])
    family_idx = namen.family_name_index(rng, n_units, exponent)
    foreign_unit = origin_unit > 0
    family_idx[foreign_unit] = namen.foreign_family_name_index(rng, nat.language[origin_unit[foreign_unit] - 1])
    family_idx = family_idx[unit]
    unmarried_partner = now & (role == 1) & ~married
    family_idx[unmarried_partner] = namen.family_name_index(rng, int(unmarried_partner.sum()), exponent)
    birth_name_idx = namen.family_name_index(rng, n, exponent)
    has_birth_name = married & female & (rng.random(n) < 0.8)
    epoch = namen.epoch_of_day(birth)
    language = nat.language[np.maximum(origin - 1, 0)]
    base = float(names["vornamen_grundgewicht"])

    def given() -> np.ndarray:
        idx = namen.first_name_index(rng, female, epoch, base)
        abroad = origin > 0
        idx[abroad] = namen.foreign_first_name_index(rng, female[abroad], language[abroad])
        return idx

    vocab = namen.first_name_vocabulary()
    vornamen = join_strings(vocab, given(), given(), rng.random(n) < float(names["zweiter_vorname_anteil"]))

    # moving-in day: not before the household's oldest member came of age, nor before arrival
    head_adult = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(head_adult, unit, birth + int(18 * YEAR))
    new_year = (np.maximum(arrival_unit, 1970) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    arrived = np.where(arrival_unit > 0, new_year + rng.integers(0, 365, size=n_units), 0)
    early = new_year + (rng.random(n_units) * np.maximum(unit_ref - new_year, 1)).astype(np.int64)
    arrived = np.where(arrived >= unit_ref, np.minimum(early, unit_ref - 1), arrived)  # arrived before it left
    stay = (rng.exponential(mean_stay, size=n_units) * YEAR).astype(np.int64)
    unit_moved_in = np.minimum(np.maximum(np.maximum(unit_ref - stay, head_adult), arrived), unit_ref)
    # of the families with a child born in the event years, the profile's share lived here at the birth; the
    # others moved in after it (families who came with a young child: the youngest cohorts outnumber the births)
    window_birth = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    born_in_window = now & (birth > ref - int(profile.ereignisjahre * YEAR))
    np.minimum.at(window_birth, unit[born_in_window], birth[born_in_window])
    stayed = rng.random(n_units) < float(profile.values("haushaltsformen")["familien_seit_geburt_am_ort"])
    settled = stayed & (window_birth >= np.maximum(head_adult, arrived)) & (window_birth < unit_moved_in)
    unit_moved_in[settled] = window_birth[settled]
    came = ~stayed & (window_birth < unit_ref - 1) & (unit_moved_in <= window_birth)
    after = window_birth + 1 + (rng.random(n_units) * np.maximum(unit_ref - window_birth - 1, 1)).astype(np.int64)
    unit_moved_in[came] = np.minimum(after[came], unit_ref[came] - 1)
    # a widowed household lived together before the death of the spouse
    deceased = np.flatnonzero(widowed_by >= 0)
    death_in_unit = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(death_in_unit, unit[deceased], abmeldung[deceased])
    before_death = death_in_unit - 1 - (rng.exponential(mean_stay, size=n_units) * YEAR).astype(np.int64)
    unit_moved_in = np.where(death_in_unit <= unit_moved_in, before_death, unit_moved_in)
    # nobody moves in on the day they leave: a former resident lived here at least one day
    moved_in = np.minimum(np.maximum(unit_moved_in[unit], birth), abmeldung - ~now)

    # birthplace: abroad before arrival, here after it; Germans here or elsewhere in Germany
    orte = reference.load("orte_deutschland")["ort"].tolist()
    abroad_idx, abroad_places = herkunft.birthplace_index(rng, origin)
    local = (origin == 0) & (rng.random(n) < float(names["geburtsort_hier_anteil"]))
    place_idx = np.where(local | born_here, len(orte) + gemeinde, rng.integers(len(orte), size=n))
    place_idx = np.where((origin > 0) & ~born_here, len(orte) + len(gemeinden) + abroad_idx, place_idx)
    geburtsort = take_strings([*orte, *gemeinden["name"], *abroad_places], place_idx)

    sex_code = np.where(female, 1, 0)
    other = rng.random(n)
    weitere = profile.values("geschlecht_weitere")
    sex_code[other < float(weitere["divers"])] = 2
    sex_code[(other >= float(weitere["divers"])) & (other < float(weitere["divers"]) + float(weitere["ohne Angabe"]))] = 3
    religion = herkunft.religion_index(rng, age, nationality, profile.values("religion"))
    dwelling = _dwelling(rng, now, age, role, household, profile.values("wohnungsstatus"))
    meldestatus = np.r_[np.zeros(n_now, np.int64), np.where(dep.kind == VERSTORBEN, 1, 2)]
    return pd.DataFrame({
        "einwohner_id": np.arange(1, n + 1, dtype=np.int64),
        "haushalt_id": nullable_int(household, ~now),
        "anschrift_id": address,
        "familienname": take_strings(namen.family_name_vocabulary(), family_idx),
        "geburtsname": take_strings(namen.family_name_vocabulary(), birth_name_idx, missing=~has_birth_name | (birth_name_idx == family_idx)),
        "vornamen": vornamen,
        "geschlecht": take_strings(GESCHLECHT.labels, sex_code),
        "geschlecht_code": take_strings(GESCHLECHT.codes, sex_code),
        "geburtsdatum": as_seconds(birth),
        "geburtsort": geburtsort,
        "staatsangehoerigkeit": take_strings(nat.labels, nationality),
        "staatsangehoerigkeit_schluessel": take_strings(nat.keys, nationality),
        "weitere_staatsangehoerigkeit": take_strings(nat.labels, origin, missing=~second),
        "zuzugsjahr": nullable_int(arrival_unit[unit], (origin == 0) | born_here),
        "familienstand": take_strings(FAMILIENSTAND.labels, status),
        "familienstand_code": take_strings(FAMILIENSTAND.codes, status),
        "familienstand_datum": as_seconds(status_day, status == 0),
        "ehegatte_id": nullable_int(spouse + 1, ~married),
        "stellung_im_haushalt": take_strings(ROLLEN, role, missing=~now),
        "religion": take_strings(RELIGION.labels, religion),
        "religion_schluessel": take_strings(RELIGION.codes, religion),
        "wohnungsstatus": take_strings(WOHNUNGSSTATUS.labels, dwelling),
        "wohnungsstatus_code": take_strings(WOHNUNGSSTATUS.codes, dwelling),
        "einzugsdatum": as_seconds(moved_in),
        "meldestatus": take_strings(MELDESTATUS, meldestatus),
        "abmeldedatum": as_seconds(abmeldung, now),
    }, copy=False)  # every column is built here: no copy, no consolidation


def _dwelling(rng: np.random.Generator, now: np.ndarray, age: np.ndarray, role: np.ndarray, household: np.ndarray,
              params: dict) -> np.ndarray:
    """0 alleinige Wohnung, 1 Hauptwohnung (a second dwelling elsewhere), 2 Nebenwohnung (young people living alone)."""
    single_young = now & (age >= 18) & (age <= 29) & (role == 0)
    single_young &= np.bincount(household, minlength=household.max() + 1)[household] == 1
    out = np.where(now & (age >= 18) & (rng.random(len(age)) < float(params["hauptwohnung_anteil_erwachsene"])), 1, 0)
    out[single_young & (rng.random(len(age)) < float(params["nebenwohnung_anteil_junge_alleinlebende"]))] = 2
    return out
