"""Table `antraege`: applications for municipal services, from receipt to decision.

Who applies and when comes from :mod:`sandbox.synth.antragsteller` (register
events, businesses, entitlements, or residents drawn by season). This module
adds what the office records: the channel (online only where the service is
offered online, its share growing towards ``online_anteil`` in the reference
year), the responsible office and a clerk, requests for missing documents,
the outcome and the day of the decision.

Processing times are log-normal around the service's median, stretched by the
office's workload in the month of receipt (spring passports wait longer), by
how fast the authority and the clerk work, and by the days applicants take to
send missing documents, which gives the long tails real offices see.
Applications whose decision would fall after the reference day are still
open. Clerks are pseudonymous (``SB-00042``): each office has staff in
proportion to its cases (``reference/aemter.csv``) plus a head who signs off
where a second pair of eyes is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.antragsteller import YEAR, Nachfrage, age_band
from sandbox.synth.arbeitszeit import Arbeitskalender
from sandbox.synth.context import Context
from sandbox.synth.kalender import weekday, year_month_day
from sandbox.synth.leistungen import annahme
from sandbox.synth.sampling import nullable_dates, nullable_int, take_strings, to_dates
from sandbox.synth.schema import Column, Table
from sandbox.synth.sozialantraege import benefits
from sandbox.synth.sachbearbeitung import assign, offices, staff_plan

__all__ = ["TABLE", "generate", "KANAELE", "STATUS", "ERGEBNISSE"]

KANAELE = ("online", "vor Ort", "Post", "E-Mail")
STATUS = ("offen", "in Bearbeitung", "abgeschlossen", "zurückgezogen")
ERGEBNISSE = ("bewilligt", "abgelehnt", "zurückgezogen")
ONLINE, VOR_ORT, POST, EMAIL = range(4)
LOAD_SHRINK = 8.0  # pseudo-cases that damp the workload ratio of small offices

TABLE = Table(
    name="antraege",
    description=(
        "Anträge auf kommunale Leistungen: wer was über welchen Kanal beantragt hat, wann der Antrag einging, "
        "wann und wie entschieden wurde, welche Stelle und welche Sachbearbeitung ihn bearbeitet hat."
    ),
    primary_key="antrag_id",
    extra_parents=("anschriften", "meldeereignisse", "ansprueche"),
    method=(
        "Anlassbezogene Leistungen aus dem Register (Umzüge, Wegzüge, Eheschließungen, Gewerbeanzeigen) und aus den "
        "Ansprüchen (Elterngeld, Kita-Platz, Wohngeld mit Inanspruchnahme unter 100 % und einigen Anträgen ohne "
        "Anspruch, die abgelehnt werden); übrige Leistungen nach Fallzahl je 1.000 Einwohner, Saisonmuster und "
        "Jahreseffekten aus gemeldeten Personen bzw. aktiven Betrieben. Bearbeitungsdauer log-normal um den Median "
        "der Leistung, verlängert durch die Auslastung der Stelle im Eingangsmonat und durch Nachforderungen; "
        "Annahmen in reference/leistungen_prozess.csv, aemter.csv und prozessannahmen.csv."
    ),
    columns=(
        Column("antrag_id", "int64", "Schlüssel des Antrags", unique=True, min=1),
        Column("aktenzeichen", "string", "Aktenzeichen: Kürzel des Amts, Eingangsjahr, laufende Nummer",
               unique=True, pattern=r"^[A-Z]{2,3}-\d{4}-\d{6,}$", example="BB-2024-000123"),
        Column("leika_schluessel", "string", "beantragte Leistung", references="leistungen.leika_schluessel"),
        Column("einwohner_id", "int64", "antragstellende Person (leer bei Anträgen eines Betriebs)", nullable=True,
               references="einwohner.einwohner_id"),
        Column("betrieb_id", "int64", "antragstellender Betrieb (leer bei Anträgen einer Person)", nullable=True,
               references="gewerbe.betrieb_id"),
        Column("ags", "string", "Gemeinde der antragstellenden Person bzw. der Betriebsstätte", references="gemeinden.ags"),
        Column("kanal", "string", "Eingangskanal", allowed=KANAELE),
        Column("eingangsdatum", "date", "Tag des Eingangs"),
        Column("bescheiddatum", "date", "Tag des Bescheids bzw. der Erledigung (bei Rücknahme: Tag der Rücknahme); "
               "leer, solange der Antrag offen ist", nullable=True),
        Column("status", "string", "Bearbeitungsstand am Stichtag", allowed=STATUS),
        Column("ergebnis", "string", "Ergebnis; leer, solange der Antrag offen ist", nullable=True, allowed=ERGEBNISSE),
        Column("nachforderungen", "int64", "Zahl der Nachforderungen von Unterlagen", min=0),
        Column("gebuehr_eur", "float64", "festgesetzte Gebühr in Euro (bei Ablehnung die Hälfte, bei Rücknahme ein "
               "Viertel; Annahme)", min=0),
        Column("organisationseinheit", "string", "bearbeitendes Amt"),
        Column("behoerde", "string", "zuständige Behörde (Stadt- oder Gemeindeverwaltung, Landratsamt)"),
        Column("sachbearbeitung_id", "string", "pseudonyme Kennung der Sachbearbeitung; leer bei vollautomatischer Bearbeitung",
               nullable=True, pattern=r"^SB-\d{5}$", example="SB-00042"),
    ),
)


def demand(b: Nachfrage) -> pd.DataFrame:
    """All applications before channel and outcome, sorted by day (see :mod:`antragsteller`)."""
    parts = []
    for svc, row in b.cat.iterrows():
        anlass = row.anlass
        if anlass == "":
            parts.append(b.persons(svc) if row.antragsteller == "Person" else b.firms(svc))
        elif anlass == "Zuzug/Umzug":
            parts.append(b.moves(svc, ("Zuzug", "Umzug"), before=False))
        elif anlass == "Wegzug":
            parts.append(b.moves(svc, ("Wegzug",), before=True))
        elif anlass == "Eheschließung":
            parts.append(b.marriages(svc))
        elif anlass in ("Gewerbeanmeldung", "Gewerbeabmeldung"):
            parts.append(b.firm_notices(svc, closing=anlass == "Gewerbeabmeldung"))
        else:
            parts.extend(benefits(b, svc, anlass))
    return pd.concat(parts, ignore_index=True)


def _channels(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, year: np.ndarray, ref_year: int) -> np.ndarray:
    growth = annahme("online_zuwachs_je_jahr")
    online = np.where(cat.online_verfuegbar.to_numpy()[svc], cat.online_anteil.to_numpy()[svc], 0.0)
    online = online * (1.0 - growth) ** (ref_year - year)
    post, email = cat.anteil_post.to_numpy()[svc], cat.anteil_email.to_numpy()[svc]
    u, v = rng.random(len(svc)), rng.random(len(svc))
    offline = np.where(v < post, POST, np.where(v < post + email, EMAIL, VOR_ORT))
    return np.where(u < online, ONLINE, offline)


def _place_on_workdays(rng: np.random.Generator, apps: pd.DataFrame, kanal: np.ndarray, cal: Arbeitskalender) -> tuple[np.ndarray, np.ndarray]:
    """Counter visits fall on a working day of the same week, letters on the next working day.

    Returns the new days and which applications still lie in their applicant's
    span (the few others are dropped).
    """
    day = apps["tag"].to_numpy()
    first, last = apps["frueheste"].to_numpy(), apps["spaeteste"].to_numpy()
    same_week = cal.roll(day - weekday(day) + rng.integers(0, 5, len(day)))
    choices = (np.where(kanal == VOR_ORT, same_week, cal.roll(day)), cal.roll(day), cal.roll(day, forward=False))
    moved = choices[-1]
    for option in reversed(choices[:-1]):
        moved = np.where((option >= first) & (option <= last), option, moved)
    day = np.where(((kanal == VOR_ORT) | (kanal == POST)) & ~cal.is_workday(day), moved, day)
    return day, (day >= first) & (day <= last)


def _loops(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, kanal: np.ndarray) -> np.ndarray:
    quote = cat.nachforderungsquote.to_numpy()[svc] * np.where(kanal == ONLINE, annahme("online_nachforderung_faktor"), 1.0)
    again = annahme("nachforderung_wiederholung")
    return (rng.random(len(svc)) < quote) * rng.geometric(1.0 - again, len(svc))


def _outcome(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, loops: np.ndarray, entitled: np.ndarray) -> np.ndarray:
    """0 bewilligt, 1 abgelehnt, 2 zurückgezogen (planned; open cases have none yet)."""
    boost = 1.0 + annahme("nachforderung_ablehnung_faktor") * loops
    refuse = np.minimum(cat.ablehnungsquote.to_numpy()[svc] * boost, 0.9)
    withdraw = np.minimum(cat.rueckzugsquote.to_numpy()[svc] * boost, 0.9 - refuse)
    u = rng.random(len(svc))
    return np.where(~entitled | (u < refuse), 1, np.where(u < refuse + withdraw, 2, 0))


def _workload(pool: np.ndarray, day: np.ndarray, start: int) -> np.ndarray:
    """Each case's office load in its month relative to the office's mean month (damped for small offices)."""
    month = (day - start) // 30
    months = int(month.max()) + 1 if len(month) else 1
    per_month = np.bincount(pool * months + month, minlength=(pool.max() + 1 if len(pool) else 0) * months)
    mean = np.bincount(pool) / months
    return (per_month[pool * months + month] + LOAD_SHRINK) / (mean[pool] + LOAD_SHRINK)


def _durations(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, kanal: np.ndarray, loops: np.ndarray,
               load: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Calendar days from receipt to decision: log-normal work time plus waits for missing documents."""
    median = cat.bearbeitungstage_median.to_numpy()[svc]
    sigma = cat.streuung.to_numpy()[svc]
    work = median * load ** annahme("lastelastizitaet") * speed * rng.lognormal(0.0, sigma)
    counter = (cat.prozesstyp.to_numpy()[svc] == "sofort") & (kanal == VOR_ORT)
    automatic = cat.online_automatisiert.to_numpy()[svc] & (kanal == ONLINE)
    work = np.where((counter | automatic) & (loops == 0), 0.0, work)
    case = np.repeat(np.arange(len(svc)), loops)
    waits = np.bincount(case, weights=rng.lognormal(np.log(annahme("nachforderung_antwort_tage")), 0.6, len(case)),
                        minlength=len(svc))
    return np.round(work + waits).astype(np.int64)


def _fees(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, age: np.ndarray, result: np.ndarray) -> np.ndarray:
    fee = cat.gebuehr_eur.to_numpy()[svc]
    young = cat.gebuehr_unter_24.to_numpy()[svc]
    fee = np.where(~np.isnan(young) & (age < 24), young, fee)
    spread = cat.gebuehr_streuung.to_numpy()[svc]
    fee = np.where(spread > 0, np.round(fee * rng.lognormal(-spread**2 / 2, np.maximum(spread, 1e-9)) / 10) * 10, fee)
    factor = np.select([result == 1, result == 2], [annahme("ablehnung_gebuehr_anteil"), annahme("rueckzug_gebuehr_anteil")], 1.0)
    return np.round(fee * factor, 2)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    b = Nachfrage(ctx, ctx.rng(TABLE.name, "nachfrage"))
    cat, reg = b.cat, b.reg
    apps = demand(b)
    cal = Arbeitskalender(int(b.years[0]), int(b.years[-1]))
    svc = apps["svc"].to_numpy()
    kanal = _channels(rng, cat, svc, year_month_day(apps["tag"].to_numpy())[0], int(b.years[-1]))
    day, keep = _place_on_workdays(rng, apps, kanal, cal)
    apps = apps.assign(tag=day, kanal=kanal)[keep]
    apps = apps.sort_values(["tag", "svc", "person", "firm"], kind="stable", ignore_index=True)
    svc, kanal, day = apps["svc"].to_numpy(), apps["kanal"].to_numpy(), apps["tag"].to_numpy()
    n = len(apps)

    gemeinden = ctx.table("gemeinden")
    office = offices(gemeinden, cat, svc, apps["gem"].to_numpy())
    plan = staff_plan(office, ctx.profile.ereignisjahre)
    clerk, speed = assign(ctx.rng(TABLE.name, "personal"), plan, office.pool)
    loops = _loops(rng, cat, svc, kanal)
    result = _outcome(rng, cat, svc, loops, apps["berechtigt"].to_numpy())
    load = _workload(office.pool, day, reg.start)
    days = _durations(rng, cat, svc, kanal, loops, load, speed)
    days = np.where(result == 2, np.floor(days * rng.uniform(0.1, 0.9, n)).astype(np.int64), days)
    decided = cal.roll(day + days)
    automatic = cat.online_automatisiert.to_numpy()[svc] & (kanal == ONLINE) & (loops == 0)
    decided = np.where(automatic, day, decided)  # decided by the system on the day it arrives

    is_open = decided > reg.ref
    elapsed = reg.ref - day
    progress = np.clip(elapsed / np.maximum(decided - day, 1), 0.0, 1.0)
    working = is_open & (elapsed >= 7) & (progress >= 0.15)
    loops_so_far = np.minimum(np.floor(loops * progress + rng.random(n)).astype(np.int64), loops)
    loops = np.where(is_open, np.where(working, loops_so_far, 0), loops)
    status = np.where(is_open, np.where(working, 1, 0), np.where(result == 2, 3, 2))
    person = apps["person"].to_numpy()
    age = np.where(person >= 0, (day - reg.birth[np.maximum(person, 0)]) / YEAR, 99.0)
    fee = _fees(rng, cat, svc, age, np.where(is_open, 0, result))

    firm = apps["firm"].to_numpy()
    year = year_month_day(day)[0]
    return pd.DataFrame({
        "antrag_id": np.arange(1, n + 1, dtype=np.int64),
        "aktenzeichen": _file_numbers(office.kuerzel, office.kuerzel_names, year),
        "leika_schluessel": take_strings(cat.leika_schluessel, svc),
        "einwohner_id": nullable_int(reg.ids[np.maximum(person, 0)] if len(reg.ids) else person, person < 0),
        "betrieb_id": nullable_int(reg.firm_ids[np.maximum(firm, 0)] if len(reg.firm_ids) else firm, firm < 0),
        "ags": take_strings(gemeinden["ags"], apps["gem"].to_numpy()),
        "kanal": take_strings(KANAELE, kanal),
        "eingangsdatum": to_dates(day),
        "bescheiddatum": nullable_dates(decided, is_open),
        "status": take_strings(STATUS, status),
        "ergebnis": pd.Series(np.asarray(ERGEBNISSE, dtype=object)[result], dtype="str").where(~is_open),
        "nachforderungen": loops.astype(np.int64),
        "gebuehr_eur": fee,
        "organisationseinheit": take_strings(cat.amt, svc),
        "behoerde": office.behoerde,
        "sachbearbeitung_id": plan.ids(clerk, automatic),
    })


def _file_numbers(prefix: np.ndarray, names: tuple[str, ...], year: np.ndarray) -> pd.Series:
    """``BB-2024-000123``: office prefix, year of receipt, running number per prefix and year."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = prefix * 10_000 + year
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    rank = np.empty(len(key), np.int64)
    rank[order] = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    number = pc.utf8_lpad(pc.cast(pa.array(rank + 1), pa.string()), 6, "0")
    head = pc.take(pa.array(list(names), pa.string()), pa.array(prefix))
    joined = pc.binary_join_element_wise(head, pc.cast(pa.array(year), pa.string()), number, "-")
    return pd.Series(joined, dtype=pd.ArrowDtype(pa.string())).astype("str")
