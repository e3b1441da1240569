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

from sandbox.synth.population import namen
from sandbox.synth import reference
from sandbox.synth.population.bevoelkerung import FEMALE, ROLLEN
from sandbox.synth.context import Context
from sandbox.synth.population.residents import Residents
from sandbox.synth.sampling import (birth_dates, days_before, draw, join_strings, lookup_table, nullable_dates,
                                    nullable_int, take_strings, to_dates)
from sandbox.synth.schema import After, Column, Table, BIRTH_DATE, FAMILY_NAME, GIVEN_NAMES, PAST, QUASI_IDENTIFIER, SENSITIVE
from sandbox.synth.kalender import YEAR

__all__ = ["TABLE", "generate", "GESCHLECHTER", "FAMILIENSTAENDE", "MELDESTATUS"]

GESCHLECHTER = ("männlich", "weiblich", "divers", "ohne Angabe")
FAMILIENSTAENDE = ("ledig", "verheiratet", "verwitwet", "geschieden")
MELDESTATUS = ("gemeldet", "verstorben", "weggezogen")
WOHNUNGSSTATUS = ("Hauptwohnung", "Nebenwohnung")

TABLE = Table(
    name="einwohner",
    description="Einträge des Melderegisters (Begriffe nach XMeld): gemeldete Personen am Stichtag sowie im Ereigniszeitraum Verstorbene und Weggezogene.",
    primary_key="einwohner_id",
    extra_parents=("haushalte",),
    method=(
        "Personen aus der Haushaltssynthese; Namen aus Faker-de_DE-Listen mit Häufigkeitsgewichten je Geburtsjahrgang, "
        "Staatsangehörigkeit und Religion je Haushalt, Familienstand nach Alter und Partnerschaft, Einzugsdatum "
        "aus der Umzugsrate; Verstorbene und Weggezogene nach den Ereignisraten des Profils."
    ),
    columns=(
        Column("einwohner_id", "int64", "Schlüssel der Person", unique=True, min=1),
        Column("haushalt_id", "int64", "Haushalt (leer bei Verstorbenen und Weggezogenen)", nullable=True, references="haushalte.haushalt_id"),
        Column("anschrift_id", "int64", "Anschrift der Wohnung (bei Abgemeldeten die letzte)", references="anschriften.anschrift_id"),
        Column("familienname", "string", "Familienname", roles={FAMILY_NAME}),
        Column("geburtsname", "string", "Geburtsname, wenn er vom Familiennamen abweicht", nullable=True),
        Column("vornamen", "string", "Vornamen, durch Leerzeichen getrennt", roles={GIVEN_NAMES}),
        Column("geschlecht", "string", "Geschlecht nach Personenstandsrecht", allowed=GESCHLECHTER,
               roles={QUASI_IDENTIFIER}),
        Column("geburtsdatum", "date", "Geburtsdatum", min="1900-01-01",
               roles={QUASI_IDENTIFIER, BIRTH_DATE, PAST}),
        Column("geburtsort", "string", "Geburtsort"),
        Column("staatsangehoerigkeit", "string", "Staatsangehörigkeit (Adjektiv, z. B. deutsch)"),
        Column("familienstand", "string", "Familienstand", allowed=FAMILIENSTAENDE),
        Column("familienstand_datum", "date", "Datum, seit dem der Familienstand gilt (Eheschließung, Scheidung, Tod des Ehegatten)", nullable=True,
               roles={PAST}),
        Column("ehegatte_id", "int64", "Ehegatte im Register", nullable=True, references="einwohner.einwohner_id"),
        Column("stellung_im_haushalt", "string", "Stellung im Haushalt (abgeleitet, kein XMeld-Feld)", nullable=True, allowed=ROLLEN),
        Column("religion", "string", "rechtliche Zugehörigkeit zu einer öffentlich-rechtlichen Religionsgesellschaft",
               roles={SENSITIVE}),
        Column("wohnungsstatus", "string", "Haupt- oder Nebenwohnung", allowed=WOHNUNGSSTATUS),
        Column("einzugsdatum", "date", "Einzug in die Wohnung",
               roles={PAST}, after=After("geburtsdatum", "Einzug nicht vor der Geburt")),
        Column("meldestatus", "string", "gemeldet, verstorben oder weggezogen", allowed=MELDESTATUS),
        Column("abmeldedatum", "date", "Tag des Todes oder Wegzugs", nullable=True,
               roles={PAST}, after=After("einzugsdatum", "Abmeldung nicht vor dem Einzug")),
    ),
)


def _former_residents(ctx: Context, rng: np.random.Generator, gemeinde: np.ndarray) -> pd.DataFrame:
    """People who died or moved away during the event years, per municipality."""
    rates = ctx.profile.values("ereignisraten")
    years = ctx.profile.ereignisjahre
    ref = days_before(ctx.profile.stichtag)
    anschriften = ctx.table("anschriften")
    sizes = pd.Series(np.bincount(gemeinde, minlength=len(ctx.table("gemeinden"))))
    frames = []
    for status, rate, mean, sd in (("verstorben", rates["sterbefall"], 81.0, 9.0), ("weggezogen", rates["wegzug"], 30.0, 11.0)):
        counts = rng.poisson(sizes.to_numpy() * float(rate) / 1000.0 * years)
        gemeinde = np.repeat(sizes.index.to_numpy(), counts)
        n = len(gemeinde)
        frames.append(pd.DataFrame({
            "gemeinde": gemeinde,
            "alter": np.clip(np.round(rng.normal(mean, sd, n)), 0, 104).astype(np.int64),
            "geschlecht": (rng.random(n) < 0.5).astype(np.int64),
            "abmeldung": ref - rng.integers(0, int(years * YEAR), size=n),
            "meldestatus": status,
        }))
    former = pd.concat(frames, ignore_index=True)
    ags = ctx.table("gemeinden")["ags"].to_numpy()
    by_ags = anschriften.groupby("ags")["anschrift_id"].agg(["min", "max"]).reindex(ags)
    lo = by_ags["min"].to_numpy()[former.gemeinde]
    hi = by_ags["max"].to_numpy()[former.gemeinde]
    former["anschrift_id"] = lo + np.floor(rng.random(len(former)) * (hi - lo + 1)).astype(np.int64)
    return former


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    profile = ctx.profile
    ref = days_before(profile.stichtag)
    ctx.table("haushalte")  # the person skeleton is made together with the households
    residents = ctx.shared(Residents)
    pop = residents.population
    n_now = len(pop.age)
    former = _former_residents(ctx, rng, pop.gemeinde)
    n = n_now + len(former)
    now = np.arange(n) < n_now

    gemeinde = np.r_[pop.gemeinde, former["gemeinde"].to_numpy()]
    age = np.r_[pop.age, former["alter"].to_numpy()]
    female = np.r_[pop.sex, former["geschlecht"].to_numpy()] == FEMALE
    abmeldung = np.r_[np.full(n_now, ref), former["abmeldung"].to_numpy()]
    birth = birth_dates(rng, age, abmeldung)
    household = np.r_[residents.haushalt_id, np.zeros(len(former), np.int64)]
    role = np.r_[pop.role, np.zeros(len(former), np.int64)]
    spouse = np.r_[pop.spouse, np.full(len(former), -1)]
    married = spouse >= 0

    # household-level draws: nationality, religion, family name, moving-in day
    # households are numbered 1..H; each former resident is a unit of their own after them
    n_households = int(household[:n_now].max()) if n_now else 0
    unit = np.where(now, household - 1, n_households + np.arange(n) - n_now)
    units = np.arange(n_households + len(former))
    nat = reference.load("staatsangehoerigkeiten")
    share = nat.anteil_unter_auslaendern.astype(float).to_numpy()
    foreign_unit = rng.random(len(units)) < float(profile.values("auslaenderanteil"))
    nat_unit = np.where(foreign_unit, 1 + rng.choice(len(nat), size=len(units), p=share / share.sum()), 0)
    nat_idx = nat_unit[unit]
    staatsangehoerigkeit = take_strings(["deutsch", *nat.staatsangehoerigkeit], nat_idx)
    religions = profile.values("religion")
    religion = take_strings(list(religions), draw(rng, lookup_table(list(religions.values())), len(units))[unit])
    family_idx = namen.family_name_index(rng, len(units))[unit]
    unmarried_partner = now & (role == 1) & ~married
    family_idx[unmarried_partner] = namen.family_name_index(rng, int(unmarried_partner.sum()))
    birth_name_idx = namen.family_name_index(rng, n)
    has_birth_name = married & female & (rng.random(n) < 0.8)

    rates = profile.values("ereignisraten")
    mean_stay = 1000.0 / (float(rates["zuzug"]) + float(rates["umzug"]))
    head_adult = np.full(len(units), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(head_adult, unit, birth + int(18 * YEAR))  # the day the oldest member came of age
    stay = (rng.exponential(mean_stay, size=len(units)) * YEAR).astype(np.int64)
    unit_moved_in = np.minimum(np.maximum(ref - stay, head_adult), ref)
    moved_in = np.maximum(unit_moved_in[unit], birth)
    moved_in = np.minimum(moved_in, abmeldung)

    # marital status and its date
    fs_table = profile.values("familienstand_alleinstehend")
    status = np.zeros(n, dtype=np.int64)
    adult_single = (age >= 18) & ~married
    for label, dist in fs_table.items():
        lo, hi = (int(x) for x in label.split("-"))
        mask = adult_single & (age >= lo) & (age <= hi)
        status[mask] = rng.choice(len(FAMILIENSTAENDE), size=int(mask.sum()), p=[float(dist.get(k, 0.0)) for k in FAMILIENSTAENDE])
    status[married] = 1
    couple_key = np.where(married, np.minimum(np.arange(n), spouse), np.arange(n))
    since_18 = (abmeldung - (birth + int(18 * YEAR))).clip(min=0)
    partner_since_18 = np.where(married, since_18[np.maximum(spouse, 0)], since_18)
    span = np.minimum(since_18, partner_since_18)
    frac = rng.random(n)[couple_key]  # spouses share one draw
    status_day = np.where(status > 0, abmeldung - (frac * span).astype(np.int64), 0)

    # names, birthplace, dwelling status
    epoch = namen.epoch_of_day(birth)
    first = take_strings(namen.first_name_vocabulary(), namen.first_name_index(rng, female, epoch))
    second = take_strings(namen.first_name_vocabulary(), namen.first_name_index(rng, female, epoch))
    two = rng.random(n) < 0.3
    vornamen = join_strings(first, second, two)
    gemeinden = ctx.table("gemeinden")
    orte = reference.load("orte_deutschland")["ort"].tolist()
    local = rng.random(n) < 0.45
    born_here = local & (nat_idx == 0)
    place_idx = np.where(nat_idx > 0, nat_idx - 1 + len(orte) + len(gemeinden), np.where(born_here, len(orte) + gemeinde, rng.integers(len(orte), size=n)))
    geburtsort = take_strings([*orte, *gemeinden["name"], *nat.geburtsort_typisch], place_idx)
    sex_code = np.where(female, 1, 0)
    other = rng.random(n)
    weitere = profile.values("geschlecht_weitere")
    sex_code[other < float(weitere["divers"])] = 2
    sex_code[(other >= float(weitere["divers"])) & (other < float(weitere["divers"]) + float(weitere["ohne Angabe"]))] = 3
    single_young = now & (age >= 18) & (age <= 29) & (role == 0)
    single_young &= np.bincount(household, minlength=household.max() + 1)[household] == 1
    neben = single_young & (rng.random(n) < float(profile.values("nebenwohnung_anteil")))

    meldestatus = np.r_[np.zeros(n_now, np.int64), np.where(former["meldestatus"].to_numpy() == "verstorben", 1, 2)]
    return pd.DataFrame({
        "einwohner_id": np.arange(1, n + 1, dtype=np.int64),
        "haushalt_id": nullable_int(household, ~now),
        "anschrift_id": np.r_[residents.anschrift_id, former["anschrift_id"].to_numpy()],
        "familienname": take_strings(namen.family_name_vocabulary(), family_idx),
        "geburtsname": take_strings(namen.family_name_vocabulary(), birth_name_idx, missing=~has_birth_name | (birth_name_idx == family_idx)),
        "vornamen": vornamen,
        "geschlecht": take_strings(GESCHLECHTER, sex_code),
        "geburtsdatum": to_dates(birth),
        "geburtsort": geburtsort,
        "staatsangehoerigkeit": staatsangehoerigkeit,
        "familienstand": take_strings(FAMILIENSTAENDE, status),
        "familienstand_datum": nullable_dates(status_day, status == 0),
        "ehegatte_id": nullable_int(spouse + 1, ~married),
        "stellung_im_haushalt": take_strings(ROLLEN, role, missing=~now),
        "religion": religion,
        "wohnungsstatus": take_strings(WOHNUNGSSTATUS, neben.astype(np.int64)),
        "einzugsdatum": to_dates(moved_in),
        "meldestatus": take_strings(MELDESTATUS, meldestatus),
        "abmeldedatum": nullable_dates(abmeldung, now),
    })
