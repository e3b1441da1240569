"""Table `gewerbe`: businesses as the Gewerbeanzeige (GewA 1) records them.

Every business alive on some day of the event years, with its registration
and (if it closed by the reference day) its closure: registrations, survival
and closures at Saxony's rates come from
:mod:`sandbox.synth.processes.gewerbeleben`, registration and closure
reasons and legal forms from the Gewerbeanzeigenstatistik. The WZ 2008
section follows the profile, the class inside a section the weights in
``wz2008_klassen.csv``. The holder is a resident of the municipality on the
registration day, by founders' age and sex; the premises are often the
holder's home for sole proprietors, another address of the municipality
otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.kalender import MISSING, YEAR, days_of
from sandbox.synth.processes import gewerbeleben
from sandbox.synth.sampling import codes, days_before, positions, nullable_dates, take_strings, to_dates, weighted_choice
from sandbox.synth.schema import After, Column, Table, PAST

__all__ = ["TABLE", "generate"]

ANMELDEGRUENDE = ("Neuerrichtung", "Übernahme", "Zuzug", "Wechsel der Rechtsform", "Gesellschaftereintritt")
ABMELDEGRUENDE = ("Aufgabe", "Fortzug", "Übergabe")
NIEDERLASSUNGEN = {"Hauptniederlassung": 0.90, "Zweigniederlassung": 0.07, "unselbständige Zweigstelle": 0.03}

TABLE = Table(
    name="gewerbe",
    description="Gewerbebetriebe nach Gewerbeanzeige (GewA 1): Name, Rechtsform, Tätigkeit nach WZ 2008, An- und Abmeldung, Beschäftigte, Inhaber und Betriebsstätte.",
    primary_key="betrieb_id",
    method=("Anmeldungen je 1.000 Einwohner und Jahr, Rechtsformen und Gründe nach der Gewerbeanzeigenstatistik Sachsen "
            "(reference/gewerbe_dynamik.csv, gewerbe_rechtsformen.csv, gewerbe_gruende.csv); Lebensdauer Weibull-verteilt, "
            "so dass der Bestand am Stichtag der Betriebsdichte des Profils entspricht; enthalten sind alle Betriebe, die in "
            "den Ereignisjahren bestanden. WZ-Abschnitte aus dem Profil; Inhaber am Anmeldetag in der Gemeinde gemeldet, "
            "nach Gründungsalter (reference/gruender_alter.csv) und Frauenanteil."),
    columns=(
        Column("betrieb_id", "int64", "Schlüssel des Betriebs", unique=True, min=1),
        Column("ags", "string", "Gemeinde der Betriebsstätte", references="gemeinden.ags", pattern=r"^14\d{6}$"),
        Column("name", "string", "Name des Betriebs"),
        Column("rechtsform", "string", "Rechtsform"),
        Column("wz_code", "string", "Wirtschaftszweig nach WZ 2008 (Klasse)", pattern=r"^\d{2}\.\d{2}$"),
        Column("wz_abschnitt", "string", "Abschnitt der WZ 2008 (A bis U)", pattern=r"^[A-U]$"),
        Column("taetigkeit", "string", "angemeldete Tätigkeit (Bezeichnung der WZ-Klasse)"),
        Column("anmeldedatum", "date", "Beginn der angemeldeten Tätigkeit", roles={PAST}),
        Column("abmeldedatum", "date", "Aufgabe des Betriebs, leer wenn aktiv", nullable=True,
               roles={PAST}, after=After("anmeldedatum", "Abmeldung nicht vor der Anmeldung")),
        Column("anmeldegrund", "string", "Grund der Anmeldung", allowed=ANMELDEGRUENDE),
        Column("abmeldegrund", "string", "Grund der Abmeldung, leer wenn aktiv", nullable=True, allowed=ABMELDEGRUENDE),
        Column("nebenerwerb", "bool", "wahr, wenn das Gewerbe im Nebenerwerb betrieben wird"),
        Column("niederlassungsart", "string", "Art der Niederlassung", allowed=tuple(NIEDERLASSUNGEN)),
        Column("beschaeftigte_vollzeit", "int64", "Beschäftigte in Vollzeit", min=0),
        Column("beschaeftigte_teilzeit", "int64", "Beschäftigte in Teilzeit", min=0),
        Column("inhaber_einwohner_id", "int64", "Inhaberin oder Inhaber bzw. vertretungsberechtigte Person", references="einwohner.einwohner_id"),
        Column("betriebsstaette_anschrift_id", "int64", "Anschrift der Betriebsstätte", references="anschriften.anschrift_id"),
    ),
)


def _owners(ctx: Context, rng: np.random.Generator, life: gewerbeleben.Leben) -> np.ndarray:
    """Owner row in `einwohner` per business (-1 where the municipality has nobody)."""
    people = ctx.table("einwohner")
    anschriften = ctx.table("anschriften")
    gem_of_address = codes(anschriften["ags"], ctx.table("gemeinden")["ags"])
    person_gem = gem_of_address[positions(anschriften["anschrift_id"].to_numpy(), people["anschrift_id"].to_numpy())]
    pool = np.argsort(person_gem, kind="stable")
    birth = days_of(people["geburtsdatum"])
    since = days_of(people["einzugsdatum"])
    since = np.where(since == MISSING, birth, since)
    until = days_of(people["abmeldedatum"])
    until = np.where(until == MISSING, gewerbeleben.NEVER, until)
    female = (people["geschlecht"] == "weiblich").to_numpy(dtype=bool, na_value=False)
    last = np.minimum(life.end, days_before(ctx.profile.stichtag))
    return gewerbeleben.owners(rng, pool, person_gem[pool], life.gemeinde, life.start, last, birth, since, until, female)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    profile = ctx.profile
    people = ctx.table("einwohner")
    anschriften = ctx.table("anschriften")
    gemeinden = ctx.table("gemeinden")
    ref = days_before(profile.stichtag)
    density = float(profile.values("gewerbe_je_1000")) / 1000.0
    window_start = ref - int(profile.ereignisjahre * YEAR)
    life = gewerbeleben.lives(rng, gemeinden["einwohnerzahl"].to_numpy(float), density, ref, window_start)
    owner = _owners(ctx, rng, life)
    kept = np.flatnonzero(owner >= 0)
    life = gewerbeleben.Leben(*(x[kept] for x in (life.gemeinde, life.form, life.side, life.start, life.end)))
    owner, g_idx, form, n = owner[kept], life.gemeinde, life.form, len(kept)
    closed = life.end < gewerbeleben.NEVER

    klassen = reference.load("wz2008_klassen")
    section = weighted_choice(rng, profile.values("wirtschaftsabschnitte"), n)
    klasse = np.empty(n, dtype=np.int64)
    for sec in np.unique(section):
        rows = np.flatnonzero(klassen.abschnitt.to_numpy() == sec)
        mask = section == sec
        w = klassen.gewicht.astype(float).to_numpy()[rows]
        klasse[mask] = rows[rng.choice(len(rows), size=int(mask.sum()), p=w / w.sum())]
    sole = np.isin(form, gewerbeleben.SOLE)
    scale = np.where(sole, np.where(life.side, 0.1, 0.6), np.where(np.isin(form, ["AG", "GmbH & Co. KG", "eG"]), 12.0, 4.0))
    full = rng.poisson(scale * rng.lognormal(0.0, 0.9, n))
    part = rng.poisson(0.5 * scale * rng.lognormal(0.0, 0.9, n))

    home = people["anschrift_id"].to_numpy()[owner]
    by_ags = anschriften.groupby("ags")["anschrift_id"].agg(["min", "max"]).reindex(gemeinden["ags"])
    amin, amax = by_ags["min"].to_numpy()[g_idx], by_ags["max"].to_numpy()[g_idx]
    elsewhere = amin + np.floor(rng.random(n) * (amax - amin + 1)).astype(np.int64)
    premises = np.where(sole & (rng.random(n) < np.where(life.side, 0.8, 0.4)), home, elsewhere)

    short = take_strings(klassen.kurzname, klasse)
    owner_name = people["familienname"].iloc[owner].reset_index(drop=True)
    owner_first = people["vornamen"].iloc[owner].reset_index(drop=True).str.split(" ").str[0]
    suffix = pd.Series(form, dtype="str")
    name = (short + " " + owner_name).where(sole & ~(form == "e.K."), owner_name + " " + short + " " + suffix)
    name = name.where(~((form == "Einzelunternehmen") & (rng.random(n) < 0.35)), owner_first + " " + owner_name + " " + short)
    order = np.lexsort((np.arange(n), life.start))  # ids in order of registration
    frame = pd.DataFrame({
        "ags": gemeinden["ags"].to_numpy()[g_idx],
        "name": name,
        "rechtsform": form,
        "wz_code": take_strings(klassen.wz_code, klasse),
        "wz_abschnitt": take_strings(klassen.abschnitt, klasse),
        "taetigkeit": take_strings(klassen.bezeichnung, klasse),
        "anmeldedatum": to_dates(life.start),
        "abmeldedatum": nullable_dates(np.where(closed, life.end, ref), ~closed),
        "anmeldegrund": gewerbeleben.reasons(rng, n, "Anmeldung"),
        "abmeldegrund": pd.Series(gewerbeleben.reasons(rng, n, "Abmeldung"), dtype="str").where(closed),
        "nebenerwerb": life.side,
        "niederlassungsart": weighted_choice(rng, NIEDERLASSUNGEN, n),
        "beschaeftigte_vollzeit": full.astype(np.int64),
        "beschaeftigte_teilzeit": part.astype(np.int64),
        "inhaber_einwohner_id": people["einwohner_id"].to_numpy()[owner],
        "betriebsstaette_anschrift_id": premises,
    }).iloc[order].reset_index(drop=True)
    frame.insert(0, "betrieb_id", np.arange(1, n + 1, dtype=np.int64))
    return frame
