"""Table `ansprueche`: who is entitled to which family or housing benefit, and since when.

This is evaluation ground truth for proactive administration ("proaktive
Verwaltungsleistungen"): an experiment that tries to find entitled
households from register data and events is scored by precision and recall
against this table. The rules are simplified versions of the law:

- Kindergeld (§§ 32, 62 ff. EStG): every child in the household under 18,
  and from 18 to 24 if in education (a hidden draw); the row names the child.
- Elterngeld (BEEG): each parent living with a child, from the birth until
  the child is 14 months old; none for births from April 2024 when the
  household's income exceeds the income limit; the row names the parent.
- Kita-Platz (§ 24 SGB VIII): from the first birthday until school entry
  (Saxony: children who are six by 30 June start school on 1 August).
- Wohngeld (WoGG): households whose net income lies between the
  Bürgergeld/Grundsicherung level and the WoGG limit for their size; the row
  names the Bezugsperson.

Household net income is drawn here, log-normal by household type, size and
the Bezugsperson's age, and never published: it is what keeps Wohngeld
entitlement from being a function of the register alone. Its values are
handed to later generators through ``ctx.extras[EINKOMMEN]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.kalender import MISSING, add_months, add_years, days_of, from_year_month_day, year_month_day
from sandbox.synth.sampling import band_values, days_before, nullable_dates, nullable_int, take_strings
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate", "LEISTUNGEN", "EINKOMMEN", "household_income"]

LEISTUNGEN = ("Kindergeld", "Elterngeld", "Kita-Platz", "Wohngeld")
#: service names in reference/leistungen.csv; Kindergeld is paid by the federal Familienkasse
LEIKA_NAMEN = {"Elterngeld": "Elterngeld beantragen", "Kita-Platz": "Kita-Platz beantragen", "Wohngeld": "Wohngeld beantragen"}
EINKOMMEN = "ansprueche.haushaltseinkommen"  # ctx.extras key: hidden net income per household
GRUENDE = (
    "Kind unter 18 Jahren im Haushalt",
    "Kind von 18 bis 24 Jahren in Ausbildung oder Studium im Haushalt",
    "Kind im Haushalt; Anspruch endete mit dem 18. Geburtstag",
    "Elternteil im Haushalt eines Neugeborenen; Bezug bis zum 14. Lebensmonat",
    "Rechtsanspruch auf Kindertagesbetreuung vom 1. Geburtstag bis zum Schuleintritt (§ 24 SGB VIII)",
    "Haushaltsnettoeinkommen unter der Wohngeld-Grenze für die Haushaltsgröße, ohne Bürgergeld oder Grundsicherung",
)
IN_AUSBILDUNG = {"18-20": 0.80, "21-24": 0.55}  # assumption: children 18-24 at home in school, training or university
ELTERNGELD_GRENZE_AB = "2024-04-01"  # BEEG income limit for births from this day
ELTERNGELD_GRENZE_NETTO = 10_000.0  # assumption: 200,000 EUR taxable income a year as monthly net household income
WOHNGELD_DAUER_JAHRE = 4.0  # assumption: mean time since a household's income fell below the limit
YEAR = 365.2425

TABLE = Table(
    name="ansprueche",
    description=(
        "Grundwahrheit für proaktive Verwaltungsleistungen: welcher Haushalt seit wann Anspruch auf Kindergeld, "
        "Elterngeld, einen Kita-Platz oder Wohngeld hat. Zur Bewertung von Experimenten (Precision und Recall einer "
        "Erkennung aus Register und Meldeereignissen), nicht als Merkmal. Ein Anspruch besteht am Stichtag, wenn "
        "anspruch_ab nicht nach dem Stichtag und anspruch_bis leer oder nicht vor dem Stichtag liegt."
    ),
    primary_key="anspruch_id",
    method=(
        "Vereinfachte Regeln aus den Registerdaten der am Stichtag gemeldeten Haushalte und einem verborgenen, "
        "nicht veröffentlichten Haushaltsnettoeinkommen (log-normal nach Haushaltstyp, Größe und Alter der "
        "Bezugsperson; Median etwa 2.600 EUR, reference/haushaltseinkommen*.csv). Kindergeld für jedes Kind unter "
        "18 im Haushalt, von 18 bis 24 bei Ausbildung (Annahme: 80 % bis 20, 55 % bis 24 Jahre); Elterngeld für "
        "jeden Elternteil im Haushalt ab Geburt bis zum 14. Lebensmonat (nicht bei Geburten ab April 2024 über der "
        "Einkommensgrenze nach BEEG); Kita-Platz vom 1. Geburtstag bis zum 31. Juli vor dem Schuleintritt "
        "(Stichtag 30. Juni, SächsSchulG § 27); Wohngeld bei Einkommen zwischen Grundsicherungsniveau und "
        "Obergrenze nach WoGG je Haushaltsgröße, davon ein Anteil je Haushaltsgröße anstelle der nicht "
        "modellierten Miete und des Vermögens (reference/wohngeld_einkommensgrenzen.csv), nur für die "
        "Hauptwohnung, Beginn zufällig (im Mittel vor 4 Jahren, Annahme); etwa 4-5 % der Haushalte wie die "
        "94.650 Wohngeldhaushalte in Sachsen Ende 2023 (Statistisches Landesamt Sachsen). Beginn frühestens mit dem Zuzug in die Gemeinde, soweit er im Ereigniszeitraum "
        "liegt; aufgeführt sind Zeiträume, die den Ereigniszeitraum berühren. Wohngeld nur zum Stichtag."
    ),
    columns=(
        Column("anspruch_id", "int64", "Schlüssel des Anspruchs", unique=True, min=1),
        Column("haushalt_id", "int64", "anspruchsberechtigter Haushalt", references="haushalte.haushalt_id"),
        Column("einwohner_id", "int64", "Person des Anspruchs: das Kind (Kindergeld, Kita-Platz), der Elternteil "
               "(Elterngeld) oder die Bezugsperson des Haushalts (Wohngeld)", references="einwohner.einwohner_id"),
        Column("leistung", "string", "Leistung, auf die Anspruch besteht", allowed=LEISTUNGEN),
        Column("leika_schluessel", "string", "LeiKa-Schlüssel der kommunalen Leistung; leer bei Kindergeld "
               "(Bundesleistung der Familienkasse)", nullable=True, pattern=r"^\d{14}$"),
        Column("anspruch_ab", "date", "Beginn des Anspruchs (frühestens Zuzug in die Gemeinde)"),
        Column("anspruch_bis", "date", "Ende des Anspruchs, wenn es feststeht (auch nach dem Stichtag); leer = läuft",
               nullable=True),
        Column("ausloesendes_ereignis_id", "int64", "Meldeereignis, das den Anspruch auslöst (Geburt oder Zuzug), "
               "wenn es eines gibt", nullable=True, references="meldeereignisse.ereignis_id"),
        Column("grund", "string", "kurze Begründung", allowed=GRUENDE),
    ),
)


def household_income(ctx: Context, rng: np.random.Generator, haushalte: pd.DataFrame, head_age: np.ndarray) -> np.ndarray:
    """Monthly net income (EUR) per household: log-normal by type, size and the Bezugsperson's age."""
    types = reference.load("haushaltseinkommen").set_index("haushaltstyp")
    typ = haushalte["haushaltstyp"].to_numpy()
    missing = sorted(set(typ) - set(types.index))
    if missing:
        raise ValueError(f"reference/haushaltseinkommen.csv has no row for household type {missing[0]!r}")
    row = types.loc[typ]
    extra = np.maximum(haushalte["anzahl_personen"].to_numpy() - row["basis_personen"].astype(int).to_numpy(), 0)
    median = row["median_eur"].astype(float).to_numpy() + extra * row["je_weitere_person_eur"].astype(float).to_numpy()
    ages = reference.load("haushaltseinkommen_alter")
    factor = band_values(head_age, {f"{a}-{b}": float(f) for a, b, f in zip(ages.alter_von, ages.alter_bis, ages.faktor)}, 1.0)
    sigma = row["streuung_log"].astype(float).to_numpy()
    return median * factor * np.exp(sigma * rng.standard_normal(len(typ)))


class _Register:
    """Person-level arrays of everyone registered on the reference day, plus their events."""

    def __init__(self, ctx: Context) -> None:
        people = ctx.table("einwohner")
        current = (people["meldestatus"].to_numpy() == "gemeldet") & people["haushalt_id"].notna().to_numpy()
        people = people[current]
        self.ids = people["einwohner_id"].to_numpy(np.int64)
        self.household = people["haushalt_id"].to_numpy(np.int64)
        self.role = people["stellung_im_haushalt"].to_numpy()
        self.birth = days_of(people["geburtsdatum"])
        self.main_home = people["wohnungsstatus"].to_numpy() == "Hauptwohnung"
        events = ctx.table("meldeereignisse")
        self.zuzug_id, self.zuzug_day = self._event(events, "Zuzug")
        self.geburt_id, _ = self._event(events, "Geburt")

    def _event(self, events: pd.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Per person: id and day of their (latest) event of one kind, -1 / MISSING if none."""
        rows = events[events["ereignisart"].to_numpy() == kind]
        pos = pd.Index(self.ids).get_indexer(rows["einwohner_id"].to_numpy())
        keep = pos >= 0
        event_id = np.full(len(self.ids), -1, np.int64)
        day = np.full(len(self.ids), MISSING, np.int64)
        event_id[pos[keep]] = rows["ereignis_id"].to_numpy(np.int64)[keep]  # events are in date order: last wins
        day[pos[keep]] = days_of(rows["ereignisdatum"])[keep]
        return event_id, day

    def start(self, who: np.ndarray, legal: np.ndarray, trigger: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start of an entitlement here and its event: the legal start, or a later Zuzug of ``who``."""
        moved = self.zuzug_day[who] > legal
        return np.where(moved, self.zuzug_day[who], legal), np.where(moved, self.zuzug_id[who], trigger)


def _part(reg: _Register, leistung: int, person: np.ndarray, household: np.ndarray, start: np.ndarray,
          end: np.ndarray, trigger: np.ndarray, grund: np.ndarray | int) -> pd.DataFrame:
    return pd.DataFrame({
        "haushalt": household, "person": reg.ids[person], "leistung": leistung, "ab": start, "bis": end,
        "ereignis": trigger, "grund": np.broadcast_to(np.asarray(grund, np.int64), person.shape),
    })


def generate(ctx: Context) -> pd.DataFrame:
    ref = days_before(ctx.profile.stichtag)
    window_start = ref - int(ctx.profile.ereignisjahre * YEAR)
    reg = _Register(ctx)
    age = (ref - reg.birth) / YEAR
    child = reg.role == "Kind"

    haushalte = ctx.table("haushalte")
    hh_index = pd.Index(haushalte["haushalt_id"].to_numpy())
    head = np.full(len(haushalte), -1, np.int64)
    is_head = reg.role == "Bezugsperson"
    head[hh_index.get_indexer(reg.household[is_head])] = np.flatnonzero(is_head)
    head_age = np.where(head >= 0, age[np.maximum(head, 0)], 40.0)
    income = household_income(ctx, ctx.rng(TABLE.name, "einkommen"), haushalte, head_age)
    ctx.extras[EINKOMMEN] = pd.Series(income, index=hh_index, name="haushaltsnettoeinkommen_eur")
    person_income = income[hh_index.get_indexer(reg.household)]

    parts = []
    # Kindergeld: children under 18, or 18 to 24 in education; otherwise it ended at 18
    educated = _hidden_share(ctx, "ausbildung", age, IN_AUSBILDUNG)
    kids = np.flatnonzero(child & (age < 25))
    start, trigger = reg.start(kids, reg.birth[kids], reg.geburt_id[kids])
    adult = age[kids] >= 18
    ended = adult & ~educated[kids]
    end = np.where(ended, add_years(reg.birth[kids], 18) - 1, MISSING)
    grund = np.where(adult, np.where(ended, 2, 1), 0)
    parts.append(_part(reg, 0, kids, reg.household[kids], start, end, trigger, grund))

    # Elterngeld: each parent in the household of a child up to its 14th month of life
    babies = np.flatnonzero(child & (add_months(reg.birth, 14) > window_start) & (reg.birth <= ref))
    parent_of = {r: np.full(len(haushalte), -1, np.int64) for r in ("Bezugsperson", "Partner/in")}
    for role, table in parent_of.items():
        mask = reg.role == role
        table[hh_index.get_indexer(reg.household[mask])] = np.flatnonzero(mask)
    capped = (reg.birth >= days_before(pd.Timestamp(ELTERNGELD_GRENZE_AB).date())) & (person_income > ELTERNGELD_GRENZE_NETTO)
    for table in parent_of.values():
        parent = table[hh_index.get_indexer(reg.household[babies])]
        ok = (parent >= 0) & ~capped[babies]
        ok[ok] &= reg.birth[parent[ok]] <= add_years(reg.birth[babies[ok]], -14)  # an adult of the household
        baby, parent = babies[ok], parent[ok]
        start, trigger = reg.start(parent, reg.birth[baby], reg.geburt_id[baby])
        parts.append(_part(reg, 1, parent, reg.household[baby], start, add_months(reg.birth[baby], 14) - 1, trigger, 3))

    # Kita-Platz: from the first birthday until 31 July before school entry
    year, month, _ = year_month_day(reg.birth)
    school_year = year + 6 + (month > 6).astype(np.int64)  # six by 30 June: school from 1 August
    kita_end = from_year_month_day(school_year, np.full_like(year, 7), np.full_like(year, 31))
    kita = np.flatnonzero(child & (kita_end >= window_start))
    start, trigger = reg.start(kita, add_years(reg.birth[kita], 1), reg.geburt_id[kita])
    parts.append(_part(reg, 2, kita, reg.household[kita], start, kita_end[kita], trigger, 4))

    # Wohngeld: income between the Grundsicherung level and the WoGG limit, main residence only; rent and
    # assets are not modelled, a share per household size stands in for them
    limits = reference.load("wohngeld_einkommensgrenzen").astype({"haushaltsgroesse": int})
    limits = limits.sort_values("haushaltsgroesse").set_index("haushaltsgroesse")
    size = np.clip(haushalte["anzahl_personen"].to_numpy(), limits.index.min(), limits.index.max())
    lower = limits["untergrenze_eur"].astype(float).reindex(size).to_numpy()
    upper = limits["obergrenze_eur"].astype(float).reindex(size).to_numpy()
    share = limits["anteil_mit_anspruch"].astype(float).reindex(size).to_numpy()
    wg_rng = ctx.rng(TABLE.name, "wohngeld")
    entitled = (head >= 0) & (income >= lower) & (income < upper) & (wg_rng.random(len(income)) < share)
    entitled[entitled] &= reg.main_home[head[entitled]]
    hh = np.flatnonzero(entitled)
    bp = head[hh]
    spell = (wg_rng.exponential(WOHNGELD_DAUER_JAHRE, len(hh)) * YEAR).astype(np.int64)
    legal = np.minimum(np.maximum(ref - spell, add_years(reg.birth[bp], 18)), ref)
    start, trigger = reg.start(bp, legal, np.full(len(hh), -1, np.int64))
    parts.append(_part(reg, 3, bp, haushalte["haushalt_id"].to_numpy()[hh], start, np.full(len(hh), MISSING), trigger, 5))

    frame = pd.concat(parts, ignore_index=True)
    bis = frame["bis"].to_numpy()
    keep = (frame["ab"].to_numpy() <= ref) & ((bis == MISSING) | ((bis >= window_start) & (bis >= frame["ab"].to_numpy())))
    frame = frame[keep]
    order = np.lexsort((frame["person"].to_numpy(), frame["leistung"].to_numpy(), frame["haushalt"].to_numpy(), frame["ab"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    return _publish(frame)


def _hidden_share(ctx: Context, stream: str, age: np.ndarray, shares: dict[str, float]) -> np.ndarray:
    """A hidden yes/no per person with a probability by age band (own random stream)."""
    return ctx.rng(TABLE.name, stream).random(len(age)) < band_values(np.floor(age).astype(np.int64), shares, 0.0)


def _leika_keys() -> list[str | None]:
    services = reference.load("leistungen").set_index("leistung")["leika_schluessel"]
    return [services.get(LEIKA_NAMEN[name]) if name in LEIKA_NAMEN else None for name in LEISTUNGEN]


def _publish(frame: pd.DataFrame) -> pd.DataFrame:
    leistung = frame["leistung"].to_numpy()
    bis, ereignis = frame["bis"].to_numpy(), frame["ereignis"].to_numpy()
    keys = pd.Series(np.asarray(_leika_keys(), dtype=object)[leistung], dtype="str")
    return pd.DataFrame({
        "anspruch_id": np.arange(1, len(frame) + 1, dtype=np.int64),
        "haushalt_id": frame["haushalt"].to_numpy(np.int64),
        "einwohner_id": frame["person"].to_numpy(np.int64),
        "leistung": take_strings(LEISTUNGEN, leistung),
        "leika_schluessel": keys,
        "anspruch_ab": frame["ab"].to_numpy().astype("datetime64[D]"),
        "anspruch_bis": nullable_dates(bis, bis == MISSING),
        "ausloesendes_ereignis_id": nullable_int(np.maximum(ereignis, 0), ereignis < 0),
        "grund": take_strings(GRUENDE, frame["grund"].to_numpy()),
    })
