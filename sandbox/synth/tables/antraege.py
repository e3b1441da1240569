"""Table `antraege`: applications for municipal services, from receipt to decision.

Who applies and when comes from :mod:`sandbox.synth.processes.antragsteller` (register
events, businesses, entitlements, or residents drawn by season); counter
visits of services booked in `termine` come from the attended appointments
(:mod:`sandbox.synth.processes.terminantraege`). This module
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

from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
import pandas as pd

from sandbox.synth.codes import ANTRAGSERGEBNISSE, ANTRAGSKANAELE, ANTRAGSSTATUS
from sandbox.synth.kalender import YEAR
from sandbox.synth.processes.antragsteller import Nachfrage, join
from sandbox.synth.processes.arbeitszeit import Arbeitskalender
from sandbox.synth.context import Context
from sandbox.synth.kalender import weekday
from sandbox.synth.processes.katalog import annahme
from sandbox.synth.sampling import nullable_dates, nullable_int, to_dates
from sandbox.synth.schema import After, Column, Table, PAST
from sandbox.synth.processes.sozialantraege import benefits
from sandbox.synth.processes.terminantraege import with_appointments
from sandbox.synth.processes.aktenzeichen import file_numbers
from sandbox.synth.processes.sachbearbeitung import assign, offices, staff_plan

__all__ = ["TABLE", "generate"]
ONLINE, VOR_ORT, POST, EMAIL = range(4)
THREADS = 2  # services are independent; numpy releases the GIL
LOAD_SHRINK = 8.0  # pseudo-cases that damp the workload ratio of small offices

TABLE = Table(
    name="antraege",
    description=(
        "Anträge auf kommunale Leistungen: wer was über welchen Kanal beantragt hat, wann der Antrag einging, "
        "wann und wie entschieden wurde, welche Stelle und welche Sachbearbeitung ihn bearbeitet hat."
    ),
    primary_key="antrag_id",
    extra_parents=("anschriften", "meldeereignisse", "ansprueche", "termine"),
    method=(
        "Anträge der letzten Jahre vor dem Stichtag (Annahme antragsjahre in reference/prozessannahmen.csv). "
        "Anlassbezogene Leistungen aus dem Register (Umzüge, Wegzüge, Eheschließungen, Gewerbeanzeigen) und aus den "
        "Ansprüchen (Elterngeld, Kita-Platz, Wohngeld mit Inanspruchnahme unter 100 % und einigen Anträgen ohne "
        "Anspruch, die abgelehnt werden); übrige Leistungen nach Fallzahl je 1.000 Einwohner, Saisonmuster und "
        "Jahreseffekten aus gemeldeten Personen bzw. aktiven Betrieben; Personalausweise und Reisepässe nach Ablauf der "
        "Dokumente (reference/ausweisdokumente.csv). Anträge vor Ort bei Leistungen mit Terminbuchung: jeder "
        "wahrgenommene Termin ergibt am Termintag den Antrag derselben Person auf dieselbe Leistung, dazu Vorsprachen ohne "
        "Termin, wo das Amt sie zulässt; Online-Anträge seltener am Wochenende. Bearbeitungsdauer log-normal um den Median "
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
        Column("kanal", "string", "Eingangskanal", allowed=ANTRAGSKANAELE),
        Column("eingangsdatum", "date", "Tag des Eingangs", roles={PAST}),
        Column("bescheiddatum", "date", "Tag des Bescheids bzw. der Erledigung (bei Rücknahme: Tag der Rücknahme); "
               "leer, solange der Antrag offen ist", nullable=True,
               roles={PAST}, after=After("eingangsdatum", "Bescheid nicht vor dem Eingang")),
        Column("status", "string", "Bearbeitungsstand am Stichtag", allowed=ANTRAGSSTATUS),
        Column("ergebnis", "string", "Ergebnis; leer, solange der Antrag offen ist", nullable=True, allowed=ANTRAGSERGEBNISSE),
        Column("nachforderungen", "int64", "Zahl der Nachforderungen von Unterlagen", min=0),
        Column("gebuehr_eur", "float64", "festgesetzte Gebühr in Euro (bei Ablehnung die Hälfte, bei Rücknahme ein "
               "Viertel; Annahme)", min=0),
        Column("organisationseinheit", "string", "bearbeitendes Amt"),
        Column("behoerde", "string", "zuständige Behörde (Stadt- oder Gemeindeverwaltung, Landratsamt)"),
        Column("sachbearbeitung_id", "string", "pseudonyme Kennung der Sachbearbeitung; leer bei vollautomatischer Bearbeitung",
               nullable=True, pattern=r"^SB-\d{5}$", example="SB-00042"),
    ),
)


def _service(b: Nachfrage, svc: int) -> list[dict[str, np.ndarray]]:
    """Applications of one service, by the kind of occasion it has."""
    row = b.cat.iloc[svc]
    anlass = row.anlass
    if anlass == "":
        return [b.persons(svc) if row.antragsteller == "Person" else b.firms(svc)]
    if anlass in ("Zuzug/Umzug", "Wegzug"):
        return [b.moves(svc, ("Zuzug", "Umzug") if anlass == "Zuzug/Umzug" else ("Wegzug",), before=anlass == "Wegzug")]
    if anlass == "Eheschließung":
        return [b.marriages(svc)]
    if anlass in ("Gewerbeanmeldung", "Gewerbeabmeldung"):
        return [b.firm_notices(svc, closing=anlass == "Gewerbeabmeldung")]
    return benefits(b, svc, anlass)


def demand(b: Nachfrage) -> dict[str, np.ndarray]:
    """All applications before channel and outcome, service by service (see :mod:`antragsteller`).

    Each service draws from its own random stream, so two threads can build
    them side by side and the result stays the same.
    """
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        parts = list(pool.map(lambda svc: _service(b, svc), range(len(b.cat))))
    return join([p for service in parts for p in service])


def _channels(rng: np.random.Generator, cat: pd.DataFrame, svc: np.ndarray, year: np.ndarray, ref_year: int) -> np.ndarray:
    growth = annahme("online_zuwachs_je_jahr")
    online = np.where(cat.online_verfuegbar.to_numpy()[svc], cat.online_anteil.to_numpy()[svc], 0.0)
    online = online * (1.0 - growth) ** (ref_year - year)
    post, email = cat.anteil_post.to_numpy()[svc], cat.anteil_email.to_numpy()[svc]
    u, v = rng.random(len(svc)), rng.random(len(svc))
    offline = np.where(v < post, POST, np.where(v < post + email, EMAIL, VOR_ORT))
    return np.where(u < online, ONLINE, offline)


def _place_on_workdays(rng: np.random.Generator, apps: dict[str, np.ndarray], kanal: np.ndarray, cal: Arbeitskalender,
                       fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counter visits fall on a working day of the same week, letters on the next working day.

    Online applications arrive on weekends less often than on weekdays
    (``online_wochenende_anteil``): the others wait until Monday. Days fixed
    by an appointment stay. Returns the new days and which applications still
    lie in their applicant's span (the few others are dropped).
    """
    day = apps["tag"]
    first, last = apps["frueheste"], apps["spaeteste"]
    same_week = cal.roll(day - weekday(day) + rng.integers(0, 5, len(day)))
    choices = (np.where(kanal == VOR_ORT, same_week, cal.roll(day)), cal.roll(day), cal.roll(day, forward=False))
    moved = choices[-1]
    for option in reversed(choices[:-1]):
        moved = np.where((option >= first) & (option <= last), option, moved)
    weekend = weekday(day) >= 5
    later = 1.0 - annahme("online_wochenende_anteil") / (2.0 / 7.0)
    monday = day + 7 - weekday(day)
    online_later = (kanal == ONLINE) & weekend & (rng.random(len(day)) < later) & (monday <= last)
    day = np.where(((kanal == VOR_ORT) | (kanal == POST)) & ~cal.is_workday(day) & ~fixed, moved, day)
    day = np.where(online_later, monday, day)
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
    varies = np.flatnonzero(spread > 0)  # fees after construction costs: log-normal, rounded to 10 EUR
    sigma = spread[varies]
    fee[varies] = np.round(fee[varies] * np.exp(sigma * rng.standard_normal(len(varies)) - sigma**2 / 2) / 10) * 10
    factor = np.select([result == 1, result == 2], [annahme("ablehnung_gebuehr_anteil"), annahme("rueckzug_gebuehr_anteil")], 1.0)
    return np.round(fee * factor, 2)


def _ordered(day: np.ndarray, svc: np.ndarray, start: int) -> np.ndarray:
    """Order of applications by day and service; ties keep their (deterministic) drawing order."""
    key = (day - start) * 32 + svc
    if key.max(initial=0) < 1 << 16:
        key = key.astype(np.uint16)  # numpy sorts 16-bit keys stably by radix, in linear time
    return np.argsort(key, kind="stable")


def categorical(codes: np.ndarray, vocabulary: Sequence[str]) -> pd.Categorical:
    """Text column from codes into a small vocabulary (-1 = missing); written as plain text."""
    return pd.Categorical.from_codes(np.asarray(codes, np.int32), categories=list(vocabulary))


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    b = Nachfrage(ctx, TABLE.name)
    cat, reg = b.cat, b.reg
    apps = demand(b)
    cal = Arbeitskalender(int(b.years[0]), int(b.years[-1]))
    kanal = _channels(rng, cat, apps["svc"], b.year_of(apps["tag"]), int(b.years[-1]))
    apps, kanal, fixed = with_appointments(b, ctx.rng(TABLE.name, "termine"), apps, kanal, VOR_ORT, ctx.table("termine"),
                                           ctx.table("gemeinden")["ags"])
    apps["tag"], keep = _place_on_workdays(rng, apps, kanal, cal, fixed)
    apps["kanal"] = kanal
    kept = np.flatnonzero(keep)
    order = kept[_ordered(apps["tag"][kept], apps["svc"][kept], reg.start)]
    apps = {name: apps[name][order] for name in ("svc", "tag", "person", "firm", "gem", "berechtigt", "kanal")}
    svc, kanal, day, person, firm = apps["svc"], apps["kanal"], apps["tag"], apps["person"], apps["firm"]
    n = len(day)

    gemeinden = ctx.table("gemeinden")
    office = offices(gemeinden, cat, svc, apps["gem"])
    plan = staff_plan(office, reg.years)
    clerk, speed = assign(ctx.rng(TABLE.name, "personal"), plan, office.pool)
    loops = _loops(rng, cat, svc, kanal)
    result = _outcome(rng, cat, svc, loops, apps["berechtigt"])
    load = _workload(office.pool, day, reg.start)
    days = _durations(rng, cat, svc, kanal, loops, load, speed)
    days = np.where(result == 2, np.floor(days * rng.uniform(0.1, 0.9, n)).astype(np.int64), days)
    automatic = cat.online_automatisiert.to_numpy()[svc] & (kanal == ONLINE) & (loops == 0)
    decided = np.where(automatic, day, cal.roll(np.minimum(day + days, reg.ref + 1)))  # the system decides at once

    is_open = decided > reg.ref
    elapsed = reg.ref - day
    progress = np.clip(elapsed / np.maximum(days, 1), 0.0, 1.0)
    working = is_open & (elapsed >= 7) & (progress >= 0.15)
    loops_so_far = np.minimum(np.floor(loops * progress + rng.random(n)).astype(np.int64), loops)
    loops = np.where(is_open, np.where(working, loops_so_far, 0), loops)
    status = np.where(is_open, np.where(working, 1, 0), np.where(result == 2, 3, 2))
    age = np.where(person >= 0, (day - reg.birth[np.maximum(person, 0)]) / YEAR, 99.0)
    fee = _fees(rng, cat, svc, age, np.where(is_open, 0, result))

    return pd.DataFrame({
        "antrag_id": np.arange(1, n + 1, dtype=np.int64),
        "aktenzeichen": file_numbers(office.amt, office.kuerzel_names, b.year_of(day)),
        "leika_schluessel": categorical(svc, cat.leika_schluessel),
        "einwohner_id": nullable_int(reg.ids[np.maximum(person, 0)] if len(reg.ids) else person, person < 0),
        "betrieb_id": nullable_int(reg.firm_ids[np.maximum(firm, 0)] if len(reg.firm_ids) else firm, firm < 0),
        "ags": categorical(apps["gem"], gemeinden["ags"]),
        "kanal": categorical(kanal, ANTRAGSKANAELE),
        "eingangsdatum": to_dates(day),
        "bescheiddatum": nullable_dates(decided, is_open),
        "status": categorical(status, ANTRAGSSTATUS),
        "ergebnis": categorical(np.where(is_open, -1, result), ANTRAGSERGEBNISSE),
        "nachforderungen": loops.astype(np.int64),
        "gebuehr_eur": fee,
        "organisationseinheit": categorical(office.amt, office.amt_names),
        "behoerde": categorical(office.authority, office.authority_names),
        "sachbearbeitung_id": plan.ids(np.where(automatic, -1, clerk)),
    }, copy=False)
