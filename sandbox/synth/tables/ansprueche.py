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
shared with later generators as
:class:`~sandbox.synth.population.einkommen.HouseholdIncome`.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.population.bevoelkerung import ROLLEN
from sandbox.synth.population.einkommen import HouseholdIncome, household_income
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, MISSING, add_months, add_years, days_of, from_year_month_day, year_month_day
from sandbox.synth.sampling import band_values, days_before, nullable_dates, nullable_int, take_strings, codes, positions
from sandbox.synth.schema import After, Column, Table

__all__ = ["TABLE", "generate", "LEISTUNGEN", "GRUENDE"]

LEISTUNGEN = ("Kindergeld", "Elterngeld", "Kita-Platz", "Wohngeld")
#: service names in `leistungen`; Kindergeld is paid by the federal Familienkasse
LEIKA_NAMEN = {"Elterngeld": "Elterngeld beantragen", "Kita-Platz": "Kita-Platz beantragen", "Wohngeld": "Wohngeld beantragen"}
GRUENDE = (
    "Kind unter 18 im Haushalt",
    "Kind von 18 bis 24 in Ausbildung",
    "Kind im Haushalt, Anspruch bis zum 18. Geburtstag",
    "Geburt eines Kindes im Haushalt",
    "Kind zwischen 1. Geburtstag und Schuleintritt",
    "Einkommen unter der Wohngeld-Grenze",
)
IN_AUSBILDUNG = {"18-20": 0.80, "21-24": 0.55}  # assumption: children 18-24 at home in school, training or university
ELTERNGELD_GRENZE_AB = "2024-04-01"  # BEEG income limit for births from this day
ELTERNGELD_GRENZE_NETTO = 10_000.0  # assumption: 200,000 EUR taxable income a year as monthly net household income
WOHNGELD_DAUER_JAHRE = 4.0  # assumption: mean time since a household's income fell below the limit

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
        "alleinige oder Hauptwohnung, Beginn zufällig (im Mittel vor 4 Jahren, Annahme); etwa 4-5 % der Haushalte wie die "
        "94.650 Wohngeldhaushalte in Sachsen Ende 2023 (Statistisches Landesamt Sachsen). Beginn frühestens mit dem Zuzug in die Gemeinde, soweit er im Ereigniszeitraum "
        "liegt; aufgeführt sind Zeiträume, die den Ereigniszeitraum berühren. Wohngeld nur zum Stichtag."
    ),
    columns=(
        Column("anspruch_id", "int64", "Schlüssel des Anspruchs", unique=True, min=1),
        Column("haushalt_id", "int64", "anspruchsberechtigter Haushalt", references="haushalte.haushalt_id"),
        Column("einwohner_id", "int64", "Person des Anspruchs: das Kind (Kindergeld, Kita-Platz), der Elternteil "
               "(Elterngeld) oder die Bezugsperson des Haushalts (Wohngeld)", references="einwohner.einwohner_id"),
        Column("leistung", "string", "Leistung, auf die Anspruch besteht", allowed=LEISTUNGEN),
        Column("leika_schluessel", "string", "LeiKa-Schlüssel der kommunalen Leistung, die man beantragt; leer bei "
               "Kindergeld (Bundesleistung der Familienkasse)", nullable=True, pattern=r"^99\d{12}$",
               references="leistungen.leika_schluessel"),
        Column("anspruch_ab", "date", "Beginn des Anspruchs (frühestens Zuzug in die Gemeinde)"),
        Column("anspruch_bis", "date", "Ende des Anspruchs, wenn es feststeht (auch nach dem Stichtag); leer = läuft",
               nullable=True, after=After("anspruch_ab", "Ende des Anspruchs nicht vor dem Beginn")),
        Column("ausloesendes_ereignis_id", "int64", "Meldeereignis, das den Anspruch auslöst (Geburt oder Zuzug), "
               "wenn es eines gibt", nullable=True, references="meldeereignisse.ereignis_id"),
        Column("grund", "string", "kurze Begründung", allowed=GRUENDE),
    ),
)


class _Register:
    """Person-level arrays of everyone registered on the reference day, plus their events."""

    def __init__(self, ctx: Context) -> None:
        people = ctx.table("einwohner")
        household = people["haushalt_id"].to_numpy(np.int64, na_value=-1)
        current = np.flatnonzero((codes(people["meldestatus"], ("gemeldet",)) == 0) & (household >= 0))
        self.ids = people["einwohner_id"].to_numpy(np.int64)[current]
        self.household = household[current]
        self.role = codes(people["stellung_im_haushalt"], ROLLEN)[current]
        self.birth = days_of(people["geburtsdatum"])[current]
        self.main_home = (codes(people["wohnungsstatus"], ("Nebenwohnung",)) != 0)[current]  # alleinige or Hauptwohnung
        events = ctx.table("meldeereignisse")
        kinds = codes(events["ereignisart"], ("Zuzug", "Geburt"))
        position = positions(self.ids, events["einwohner_id"].to_numpy(np.int64))
        event_ids, event_days = events["ereignis_id"].to_numpy(np.int64), days_of(events["ereignisdatum"])
        self.zuzug_id, self.zuzug_day = self._event(kinds == 0, position, event_ids, event_days)
        self.geburt_id, _ = self._event(kinds == 1, position, event_ids, event_days)
        self.hh_pos = np.empty(0, np.int64)  # position of each person's household in `haushalte`, set by _Households

    def _event(self, rows: np.ndarray, position: np.ndarray, event_ids: np.ndarray, event_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per person: id and day of their event of one kind (at most one each), -1 / MISSING if none."""
        rows = rows & (position >= 0)
        event_id = np.full(len(self.ids), -1, np.int64)
        day = np.full(len(self.ids), MISSING, np.int64)
        event_id[position[rows]] = event_ids[rows]
        day[position[rows]] = event_days[rows]
        return event_id, day

    def start(self, who: np.ndarray, legal: np.ndarray, trigger: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start of an entitlement here and its event: the legal start, or a later Zuzug of ``who``."""
        moved = self.zuzug_day[who] > legal
        return np.where(moved, self.zuzug_day[who], legal), np.where(moved, self.zuzug_id[who], trigger)


Part = dict[str, np.ndarray]


def _part(reg: _Register, leistung: int, person: np.ndarray, start: np.ndarray, end: np.ndarray,
          trigger: np.ndarray, grund: np.ndarray | int) -> Part:
    return {
        "haushalt": reg.household[person], "person": reg.ids[person], "leistung": np.full(len(person), leistung),
        "ab": start, "bis": end, "ereignis": trigger, "grund": np.broadcast_to(np.asarray(grund, np.int64), person.shape),
    }


class _Households:
    """Per household (in `haushalte` order): its Bezugsperson and partner, and the hidden income."""

    def __init__(self, ctx: Context, reg: _Register, age: np.ndarray) -> None:
        self.frame = ctx.table("haushalte")
        ids = self.frame["haushalt_id"].to_numpy(np.int64)
        reg.hh_pos = positions(ids, reg.household)
        self.member = {}
        for role in ("Bezugsperson", "Partner/in"):
            holder = np.full(len(ids), -1, np.int64)
            mask = reg.role == ROLLEN.index(role)
            holder[reg.hh_pos[mask]] = np.flatnonzero(mask)
            self.member[role] = holder
        self.head = self.member["Bezugsperson"]
        head_age = np.where(self.head >= 0, age[np.maximum(self.head, 0)], 40.0)
        self.income = household_income(ctx.rng(TABLE.name, "einkommen"), self.frame, head_age)
        ctx.share(TABLE.name, HouseholdIncome(pd.Series(self.income, index=pd.Index(ids, name="haushalt_id"),
                                                  name="haushaltsnettoeinkommen_eur")))


def _kindergeld(ctx: Context, reg: _Register, age: np.ndarray) -> Part:
    """Children under 18, or 18 to 24 in education; for the others it ended at 18."""
    kids = np.flatnonzero((reg.role == ROLLEN.index("Kind")) & (age < 25))
    educated = ctx.rng(TABLE.name, "ausbildung").random(len(kids)) < band_values(np.floor(age[kids]).astype(np.int64), IN_AUSBILDUNG, 0.0)
    start, trigger = reg.start(kids, reg.birth[kids], reg.geburt_id[kids])
    adult = age[kids] >= 18
    ended = adult & ~educated
    end = np.where(ended, add_years(reg.birth[kids], 18) - 1, MISSING)
    return _part(reg, 0, kids, start, end, trigger, np.where(adult, np.where(ended, 2, 1), 0))


def _elterngeld(reg: _Register, hh: _Households, window_start: int, ref: int) -> list[Part]:
    """Each parent living with a child during its first 14 months (not above the BEEG income limit)."""
    recent = (reg.role == ROLLEN.index("Kind")) & (reg.birth > window_start - 500) & (reg.birth <= ref)
    babies = np.flatnonzero(recent)
    babies = babies[add_months(reg.birth[babies], 14) > window_start]
    limit_from = days_before(pd.Timestamp(ELTERNGELD_GRENZE_AB).date())
    capped = (reg.birth[babies] >= limit_from) & (hh.income[reg.hh_pos[babies]] > ELTERNGELD_GRENZE_NETTO)
    babies = babies[~capped]
    parts = []
    for holder in hh.member.values():
        parent = holder[reg.hh_pos[babies]]
        ok = parent >= 0
        ok[ok] &= reg.birth[parent[ok]] <= add_years(reg.birth[babies[ok]], -14)  # an adult of the household
        baby, parent = babies[ok], parent[ok]
        start, trigger = reg.start(parent, reg.birth[baby], reg.geburt_id[baby])
        parts.append(_part(reg, 1, parent, start, add_months(reg.birth[baby], 14) - 1, trigger, 3))
    return parts


def _kita(reg: _Register, window_start: int) -> Part:
    """From the first birthday to 31 July before school entry (six by 30 June: school from 1 August)."""
    kita = np.flatnonzero((reg.role == ROLLEN.index("Kind")) & (reg.birth > window_start - int(8 * YEAR)))
    year, month, _ = year_month_day(reg.birth[kita])
    end = from_year_month_day(year + 6 + (month > 6), np.full_like(year, 7), np.full_like(year, 31))
    start, trigger = reg.start(kita, add_years(reg.birth[kita], 1), reg.geburt_id[kita])
    return _part(reg, 2, kita, start, end, trigger, 4)


def _wohngeld(ctx: Context, reg: _Register, hh: _Households, ref: int) -> Part:
    """Income between the Grundsicherung level and the WoGG limit, main residence only.

    Rent and assets are not modelled; a share per household size stands in for them.
    """
    limits = reference.load("wohngeld_einkommensgrenzen").astype({"haushaltsgroesse": int})
    limits = limits.sort_values("haushaltsgroesse").set_index("haushaltsgroesse")
    size = np.clip(hh.frame["anzahl_personen"].to_numpy(), limits.index.min(), limits.index.max())
    lower, upper, share = (limits[c].astype(float).reindex(size).to_numpy() for c in ("untergrenze_eur", "obergrenze_eur", "anteil_mit_anspruch"))
    rng = ctx.rng(TABLE.name, "wohngeld")
    entitled = (hh.head >= 0) & (hh.income >= lower) & (hh.income < upper) & (rng.random(len(size)) < share)
    entitled[entitled] &= reg.main_home[hh.head[entitled]]
    holder = hh.head[entitled]
    spell = (rng.exponential(WOHNGELD_DAUER_JAHRE, len(holder)) * YEAR).astype(np.int64)
    legal = np.minimum(np.maximum(ref - spell, add_years(reg.birth[holder], 18)), ref)
    start, trigger = reg.start(holder, legal, np.full(len(holder), -1, np.int64))
    return _part(reg, 3, holder, start, np.full(len(holder), MISSING), trigger, 5)


def generate(ctx: Context) -> pd.DataFrame:
    ref = days_before(ctx.profile.stichtag)
    window_start = ref - int(ctx.profile.ereignisjahre * YEAR)
    reg = _Register(ctx)
    age = (ref - reg.birth) / YEAR
    hh = _Households(ctx, reg, age)
    parts = [_kindergeld(ctx, reg, age), *_elterngeld(reg, hh, window_start, ref), _kita(reg, window_start), _wohngeld(ctx, reg, hh, ref)]
    rows = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    ab, bis = rows["ab"], rows["bis"]
    keep = np.flatnonzero((ab <= ref) & ((bis == MISSING) | ((bis >= window_start) & (bis >= ab))))
    order = keep[np.lexsort((rows["person"][keep], rows["leistung"][keep], rows["haushalt"][keep], ab[keep]))]
    return _publish({key: values[order] for key, values in rows.items()}, _leika_keys(ctx))


def _leika_keys(ctx: Context) -> list[str | None]:
    """The key of each benefit's service in `leistungen` (None for Kindergeld or a service not listed)."""
    services = ctx.table("leistungen").set_index("leistung")["leika_schluessel"]
    return [services.get(LEIKA_NAMEN[name]) if name in LEIKA_NAMEN else None for name in LEISTUNGEN]


def _publish(rows: Part, leika: list[str | None]) -> pd.DataFrame:
    leistung, bis, ereignis = rows["leistung"], rows["bis"], rows["ereignis"]
    keys = take_strings([key or "" for key in leika], leistung).where(np.asarray([key is not None for key in leika])[leistung])
    return pd.DataFrame({
        "anspruch_id": np.arange(1, len(leistung) + 1, dtype=np.int64),
        "haushalt_id": rows["haushalt"].astype(np.int64),
        "einwohner_id": rows["person"].astype(np.int64),
        "leistung": take_strings(LEISTUNGEN, leistung),
        "leika_schluessel": keys,
        "anspruch_ab": rows["ab"].astype("datetime64[D]"),
        "anspruch_bis": nullable_dates(bis, bis == MISSING),
        "ausloesendes_ereignis_id": nullable_int(np.maximum(ereignis, 0), ereignis < 0),
        "grund": take_strings(GRUENDE, rows["grund"]),
    })
