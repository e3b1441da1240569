"""Table `termine`: booked appointments at Bürgerbüros, Standesämter and Gemeindeverwaltungen.

Demand: every service of the Bürgerbüro or the Standesamt in `leistungen`
brings residents x cases per 1,000 (identity documents and notices of marriage
derived from the register, :mod:`sandbox.synth.processes.bedarf`) x share not
done online x share booked with an appointment x bookings per visit (missed
and cancelled appointments are booked again), shaped by the service's seasonal pattern and year
effects (the same ones the applications follow) and spread over a week's
open days by weekday preference; a public holiday pushes its demand onto the
other days of its week. Supply: locations, opening slots and appointment
contingents from :mod:`sandbox.synth.processes.buergerbueros`.

Each location is a first-come-first-served queue over days: a request that
finds its day full moves to the next open day. After holidays and in the
spring passport season appointments therefore lie further ahead of their
booking, days fill up, people wait longer at the counter and more booked
appointments are cancelled or missed. Who comes is linked to the register:
movers for registrations, couples before their wedding, otherwise a resident
registered in the municipality that day and of the service's age.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.synth.processes import bedarf, katalog
from sandbox.synth import reference
from sandbox.synth.processes.buergerbueros import AEMTER, WOCHENTAGE, annahmen, contingent, opening_slots, standorte
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, from_year_month_day, saxon_holidays, weekday, year_month_day
from sandbox.synth.sampling import days_before, nullable_int, take_strings
from sandbox.synth.schema import After, Column, Table
from sandbox.synth.processes.terminpersonen import persons_for

__all__ = ["TABLE", "generate", "TERMINSTATUS"]

TERMINSTATUS = ("gebucht", "wahrgenommen", "nicht erschienen", "abgesagt")
WARMUP_DAYS = 42  # the queues start empty this long before the first published day

TABLE = Table(
    name="termine",
    description=(
        "Gebuchte Termine in Bürgerbüros, Standesämtern und Gemeindeverwaltungen: Tag, Zeitfenster, Leistung, "
        "Person, ob der Termin wahrgenommen, versäumt oder abgesagt wurde, und die Wartezeit vor Ort. "
        "Für Nachfrageprognosen und Kapazitätsplanung."
    ),
    primary_key="termin_id",
    extra_parents=("meldeereignisse", "anschriften"),
    method=(
        "Nachfrage je Leistung aus Fallzahl je 1.000 Einwohner (Ausweise nach Ablauf, Anmeldung der Eheschließung nach den "
        "Eheschließungen des Registers), Offline-Anteil, Terminanteil und Buchungen je Vorsprache (reference/"
        "termine_annahmen.csv), Saisonmuster und Jahreseffekten der Leistungen, Wochentagsvorlieben "
        "(reference/termine_wochentage.csv) und weniger Vorsprachen und Personal in Ferien- und Feiertagszeit "
        "(reference/termine_monate.csv); geschlossen an Sonntagen und sächsischen Feiertagen "
        "(reference/feiertage_sachsen.csv, Ostern nach dem gregorianischen Algorithmus). Standorte je nach "
        "Gemeindegröße, Öffnungszeiten je Standorttyp (reference/buergerbuero_oeffnungszeiten.csv), "
        "Terminkontingent je Standort auf 85 % mittlere Auslastung bemessen (übrige Schalterzeit für Vorsprachen "
        "ohne Termin); volle Tage schieben Termine weiter (Warteschlange je Standort). Absagen und Nichterscheinen steigen mit dem Vorlauf, die Wartezeit mit der Auslastung "
        "des Tages und im Tagesverlauf. Termine bis zum Stichtag der letzten drei Kalenderjahre und bis sechs "
        "Wochen danach schon gebuchte (Status gebucht). Personen: Umziehende zur Anmeldung, Wegziehende zur "
        "Abmeldung, Brautpaare vor der Trauung, sonst am Termintag in der Gemeinde Gemeldete passenden Alters."
    ),
    columns=(
        Column("termin_id", "int64", "Schlüssel des Termins", unique=True, min=1),
        Column("standort", "string", "Bürgerbüro, Standesamt oder Gemeindeverwaltung (eindeutig je Gemeinde)"),
        Column("ags", "string", "Gemeinde des Standorts", references="gemeinden.ags", pattern=r"^14\d{6}$"),
        Column("termin_datum", "date", "Tag des Termins", after=After("gebucht_am", "Termin nicht vor der Buchung")),
        Column("slot_beginn", "timestamp", "Beginn des gebuchten Zeitfensters (Ortszeit)"),
        Column("leika_schluessel", "string", "gebuchte Leistung", references="leistungen.leika_schluessel",
               pattern=r"^99\d{12}$"),
        Column("einwohner_id", "int64", "Person, am Termintag in der Gemeinde gemeldet; leer bei Auswärtigen "
               "und Neubürgern vor der Anmeldung", nullable=True, references="einwohner.einwohner_id"),
        Column("status", "string", "gebucht (Termin nach dem Stichtag), wahrgenommen, nicht erschienen oder "
               "abgesagt", allowed=TERMINSTATUS),
        Column("wartezeit_minuten", "int64", "Wartezeit vor Ort bis zum Aufruf, nur bei wahrgenommenen Terminen",
               nullable=True, min=0),
        Column("gebucht_am", "date", "Tag der Buchung (nie nach dem Termin)"),
    ),
)


def _services(ctx: Context, years: np.ndarray, ref_year: int, share: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Bürgerbüro and Standesamt services, and their in-person appointments per resident (services x years)."""
    published = set(ctx.table("leistungen")["leika_schluessel"])
    offices = {amt for kinds in AEMTER.values() for amt in kinds}
    cat = katalog.katalog()
    cat = cat[cat["amt"].isin(offices) & cat["leika_schluessel"].isin(published)].reset_index(drop=True)
    growth = katalog.annahme("online_zuwachs_je_jahr")
    online = cat["online_anteil"].to_numpy()[:, None] * (1 - growth) ** np.maximum(ref_year - years[None, :], 0)
    ages = bedarf.ages_on_reference_day(ctx.table("einwohner"), ctx.profile.stichtag)
    ref = days_before(ctx.profile.stichtag)  # weddings of the application years: the register's current rate
    since = ref - int(katalog.antragsjahre(ctx.profile) * YEAR)
    weddings = bedarf.marriages_per_1000(ctx.table("meldeereignisse"), len(ages), since, ref)
    a = annahmen()
    share = np.where(cat["amt"].to_numpy() == "Standesamt", a["termin_anteil_standesamt"], share)[:, None]
    rate = bedarf.rates(cat, ages, weddings)[:, None] / 1000 * (1 - online) * share * a["buchungen_je_vorsprache"]
    return cat, rate * katalog.jahreseffekte(cat["leika_schluessel"], years)


@dataclass(frozen=True)
class _Calendar:
    """The simulated days (warm-up, published years, booking horizon) and what each of them is."""

    days: np.ndarray
    first: int  # first published day
    weekday: np.ndarray
    month: np.ndarray  # 1..12
    month_index: np.ndarray  # months since January of the first year
    years: np.ndarray
    closed: np.ndarray  # public holiday

    @classmethod
    def build(cls, ref: int, ref_year: int, a: dict[str, float]) -> "_Calendar":
        first = int(from_year_month_day(ref_year - int(a["terminjahre"]) + 1, 1, 1))
        days = np.arange(first - WARMUP_DAYS, ref + int(a["buchungshorizont_tage"]) + 1)
        year, month, _ = year_month_day(days)
        years = np.unique(year)
        holidays = saxon_holidays(int(years[0]), int(years[-1]))["tag"].to_numpy()
        return cls(days, first, weekday(days), month, (year - years[0]) * 12 + month - 1, years, np.isin(days, holidays))


def _weekday_weights() -> np.ndarray:
    """Demand weight per weekday (0 = Monday) from ``reference/termine_wochentage.csv``."""
    table = reference.load("termine_wochentage").set_index("wochentag")["gewicht"].astype(float)
    return table.reindex(list(WOCHENTAGE)).fillna(0.0).to_numpy()


def _month_factors(month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Factors on visits and on staff per day, by calendar month (``reference/termine_monate.csv``)."""
    table = reference.load("termine_monate")
    table = table.set_index(table["monat"].astype(int)).reindex(range(1, 13))
    return table["nachfrage"].astype(float).to_numpy()[month - 1], table["kapazitaet"].astype(float).to_numpy()[month - 1]


def _demand_and_capacity(rng: np.random.Generator, a: dict[str, float], cal: _Calendar, residents: np.ndarray,
                         rate: np.ndarray, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Requests per location and day (Poisson) and appointments offered per location and day.

    ``rate`` is appointments per resident and year by location and month; a
    week's demand is spread over its open days by weekday preference.
    """
    is_open = slots > 0
    prefs = _weekday_weights()[cal.weekday] * is_open
    week = (cal.days + 3) // 7  # weeks start on Monday
    week = week - week[0]
    week_total = np.zeros((len(residents), week[-1] + 1))
    np.add.at(week_total.T, week, prefs.T)
    share_of_week = np.divide(prefs, week_total[:, week], out=np.zeros_like(prefs), where=week_total[:, week] > 0)
    visits, staff = _month_factors(cal.month)
    lam = residents[:, None] * rate[:, cal.month_index] * 7 / YEAR * share_of_week * visits
    open_days = np.maximum(is_open.sum(axis=1), 1)
    per_slot = contingent(lam.sum(axis=1) / open_days, slots.sum(axis=1) / open_days, a["auslastung_ziel"])
    capacity = np.where(is_open, np.maximum(np.round(slots * per_slot[:, None] * staff), 1), 0).astype(np.int64)
    return rng.poisson(lam), capacity


def _queue(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """First come, first served per location (rows) over days (columns): what each day can take."""
    served = np.empty_like(demand)
    backlog = np.zeros(demand.shape[0], demand.dtype)
    for d in range(demand.shape[1]):  # one step per day, vectorised over all locations
        waiting = backlog + demand[:, d]
        served[:, d] = np.minimum(waiting, capacity[:, d])
        backlog = waiting - served[:, d]
    return served


def _appointments(demand: np.ndarray, served: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per served request: its cell (location x day, flat), rank in the day, and the day it was wanted for.

    Requests are served in the order they arrived, so the n-th appointment of
    a location is the n-th request: its wish day is where the cumulative
    demand first reaches n.
    """
    n_sites, n_days = served.shape
    flat = served.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    site = cell // n_days
    rank = np.arange(len(cell)) - np.repeat(np.cumsum(flat) - flat, flat)
    arrived = np.cumsum(demand, axis=1)
    big = int(arrived[:, -1].max(initial=0)) + 1
    keys = (arrived + np.arange(n_sites)[:, None] * big).ravel()
    nth = (np.cumsum(served, axis=1) - served).ravel()[cell] + rank + 1
    wish = np.searchsorted(keys, nth + site * big, side="left") - site * n_days
    return cell, rank, wish


def _draw_service(rng: np.random.Generator, weights: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each row, a service index drawn with ``weights[group]`` (rows of non-negative weights)."""
    cum = np.cumsum(weights, axis=1)
    cum = cum / np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    flat = (np.arange(len(weights))[:, None] + cum).ravel()
    pick = np.searchsorted(flat, group + rng.random(len(group)), side="right") - group * weights.shape[1]
    return np.minimum(pick, weights.shape[1] - 1)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    a = annahmen()
    ref = days_before(ctx.profile.stichtag)
    cal = _Calendar.build(ref, ctx.profile.stichtag.year, a)
    gemeinden = ctx.table("gemeinden")
    sites = standorte(gemeinden, a["einwohner_je_buergerbuero"])
    svc, rate_by_year = _services(ctx, cal.years, ctx.profile.stichtag.year, a["termin_anteil"])
    months = np.arange(len(cal.years) * 12)
    per_month = rate_by_year[:, months // 12] * katalog.saison(svc["saisonmuster"])[:, months % 12]  # services x months
    site_month = sites.serves(svc["amt"].to_numpy())[:, :, None] * per_month[None, :, :]  # sites x services x months
    residents = gemeinden["einwohnerzahl"].to_numpy()[sites.gemeinde] * sites.anteil
    count, slot_start = opening_slots(int(a["slot_minuten"]))
    slots = count[sites.typ][:, cal.weekday] * ~cal.closed  # sites x days
    demand, capacity = _demand_and_capacity(rng, a, cal, residents, site_month.sum(axis=1), slots)
    served = _queue(demand, capacity)

    cell, rank, wish = _appointments(demand, served)
    site, day_i = cell // len(cal.days), cell % len(cal.days)
    service = _draw_service(rng, site_month.transpose(0, 2, 1).reshape(-1, len(svc)), site * len(months) + cal.month_index[wish])
    lead = np.floor(rng.lognormal(np.log(a["vorlauf_median_tage"]), a["vorlauf_streuung"], len(cell))).astype(np.int64)
    termin, booked = cal.days[day_i], cal.days[wish] - lead
    keep = (termin >= cal.first) & (booked <= ref)  # no warm-up; after the reference day only what is booked by then
    site, day_i, rank, service, termin, booked, cell = (x[keep] for x in (site, day_i, rank, service, termin, booked, cell))

    # slot: the day's appointments spread evenly over its slots (at most the contingent per slot)
    n_cell, cap_cell = served.ravel()[cell], capacity.ravel()[cell]
    n_slots = count[sites.typ[site], cal.weekday[day_i]]
    slot = np.floor((rank + rng.random(served.size)[cell]) * n_slots / n_cell).astype(np.int64)
    minute = slot_start[sites.typ[site], cal.weekday[day_i], slot]
    status, wait = _outcome(rng, a, termin, booked, ref, n_cell / cap_cell, slot / n_slots)
    person = persons_for(ctx, rng, sites.gemeinde[site], termin, svc, service, a["ohne_person_anteil"])

    order = np.lexsort((rank, site, minute, termin))
    return pd.DataFrame({
        "termin_id": np.arange(1, len(order) + 1, dtype=np.int64),
        "standort": take_strings(sites.name, site[order]),
        "ags": take_strings(gemeinden["ags"], sites.gemeinde[site[order]]),
        "termin_datum": termin[order].astype("datetime64[D]"),
        "slot_beginn": (termin[order] * 86400 + minute[order] * 60).astype("datetime64[s]"),
        "leika_schluessel": take_strings(svc["leika_schluessel"], service[order]),
        "einwohner_id": nullable_int(np.maximum(person[order], 0), person[order] < 0),
        "status": take_strings(TERMINSTATUS, status[order]),
        "wartezeit_minuten": nullable_int(np.maximum(wait[order], 0), wait[order] < 0),
        "gebucht_am": booked[order].astype("datetime64[D]"),
    })


def _outcome(rng: np.random.Generator, a: dict[str, float], termin: np.ndarray, booked: np.ndarray, ref: int,
             utilisation: np.ndarray, time_of_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Status per appointment and the waiting minutes of attended ones (-1 otherwise)."""
    lead = termin - booked
    cancel = np.minimum(a["absage_basis"] + a["absage_je_vorlauftag"] * lead, a["absage_max"])
    miss = np.minimum(a["ausfall_basis"] + a["ausfall_je_vorlauftag"] * lead, a["ausfall_max"])
    u = rng.random(len(termin))
    status = np.where(u < cancel, 3, np.where(u < cancel + miss, 2, 1))
    status[termin > ref] = 0
    median = (a["wartezeit_basis_min"] + a["wartezeit_auslastung_min"] * utilisation ** 3
              + a["wartezeit_tageszeit_min"] * time_of_day * utilisation)
    wait = np.round(median * rng.lognormal(0.0, a["wartezeit_streuung"], len(termin))).astype(np.int64)
    return status, np.where(status == 1, wait, -1)
