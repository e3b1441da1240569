"""Table `gewerbe`: businesses as the Gewerbeanzeige (GewA 1) records them.

Businesses per municipality follow the profile's density per 1,000
residents; the mix of WZ 2008 sections and legal forms follows the profile,
the class inside a section the weights in ``wz2008_klassen.csv``. The holder
is an adult registered in the same municipality; the premises are often the
holder's home for sole proprietors, another address of the municipality
otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.sampling import days_before, nullable_dates, take_strings, to_dates, weighted_choice
from sandbox.synth.schema import After, Column, Table, PAST
from sandbox.synth.kalender import YEAR

__all__ = ["TABLE", "generate"]

ANMELDEGRUENDE = {"Neuerrichtung": 0.78, "Übernahme": 0.10, "Zuzug": 0.07, "Wechsel der Rechtsform": 0.03, "Gesellschaftereintritt": 0.02}
NIEDERLASSUNGEN = {"Hauptniederlassung": 0.90, "Zweigniederlassung": 0.07, "unselbständige Zweigstelle": 0.03}
ABGEMELDET_ANTEIL = 0.18  # assumption: share of recorded businesses deregistered by the reference day

TABLE = Table(
    name="gewerbe",
    description="Gewerbebetriebe nach Gewerbeanzeige (GewA 1): Name, Rechtsform, Tätigkeit nach WZ 2008, An- und Abmeldung, Beschäftigte, Inhaber und Betriebsstätte.",
    primary_key="betrieb_id",
    method="Betriebsdichte, WZ-Abschnitte und Rechtsformen aus dem Profil; Inhaber aus den gemeldeten Erwachsenen der Gemeinde.",
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
        Column("anmeldegrund", "string", "Grund der Anmeldung", allowed=tuple(ANMELDEGRUENDE)),
        Column("niederlassungsart", "string", "Art der Niederlassung", allowed=tuple(NIEDERLASSUNGEN)),
        Column("beschaeftigte_vollzeit", "int64", "Beschäftigte in Vollzeit", min=0),
        Column("beschaeftigte_teilzeit", "int64", "Beschäftigte in Teilzeit", min=0),
        Column("inhaber_einwohner_id", "int64", "Inhaberin oder Inhaber bzw. vertretungsberechtigte Person", references="einwohner.einwohner_id"),
        Column("betriebsstaette_anschrift_id", "int64", "Anschrift der Betriebsstätte", references="anschriften.anschrift_id"),
    ),
)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    profile = ctx.profile
    people = ctx.table("einwohner")
    anschriften = ctx.table("anschriften")
    ref = days_before(profile.stichtag)
    birth = (people["geburtsdatum"].to_numpy(dtype="datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    age = (ref - birth) / YEAR
    ort = anschriften.set_index("anschrift_id")["ags"]
    people_ags = ort.reindex(people["anschrift_id"]).to_numpy()
    eligible = (people["meldestatus"].to_numpy() == "gemeldet") & (age >= 20) & (age < 75)
    cand = np.flatnonzero(eligible)
    cand = cand[np.argsort(people_ags[cand], kind="stable")]
    cand_ags = people_ags[cand]
    gemeinden = ctx.table("gemeinden")
    density = float(profile.values("gewerbe_je_1000")) / 1000.0
    counts = rng.poisson(gemeinden["einwohnerzahl"].to_numpy() * density)
    lo = np.searchsorted(cand_ags, gemeinden["ags"].to_numpy(), side="left")
    hi = np.searchsorted(cand_ags, gemeinden["ags"].to_numpy(), side="right")
    counts = np.where(hi > lo, counts, 0)
    g_idx = np.repeat(np.arange(len(gemeinden)), counts)
    n = len(g_idx)
    owner_pos = lo[g_idx] + np.floor(rng.random(n) * (hi - lo)[g_idx]).astype(np.int64)
    owner = cand[owner_pos]

    klassen = reference.load("wz2008_klassen")
    section = weighted_choice(rng, profile.values("wirtschaftsabschnitte"), n)
    klasse = np.empty(n, dtype=np.int64)
    for sec in np.unique(section):
        rows = np.flatnonzero(klassen.abschnitt.to_numpy() == sec)
        mask = section == sec
        w = klassen.gewicht.astype(float).to_numpy()[rows]
        klasse[mask] = rows[rng.choice(len(rows), size=int(mask.sum()), p=w / w.sum())]
    form = weighted_choice(rng, profile.values("rechtsformen"), n)
    sole = np.isin(form, ["Einzelunternehmen", "e.K."])
    scale = np.where(sole, 0.6, np.where(np.isin(form, ["AG", "GmbH & Co. KG", "eG"]), 12.0, 4.0))
    full = rng.poisson(scale * rng.lognormal(0.0, 0.9, n))
    part = rng.poisson(0.5 * scale * rng.lognormal(0.0, 0.9, n))

    adult_day = birth[owner] + int(20 * YEAR)
    founded = np.maximum(ref - (rng.exponential(9.0, n) * YEAR).astype(np.int64), adult_day)
    closed = (rng.random(n) < ABGEMELDET_ANTEIL) & (founded < ref - 60)
    closed_day = np.minimum(founded + 30 + (rng.exponential(5.0, n) * YEAR).astype(np.int64), ref)

    home = people["anschrift_id"].to_numpy()[owner]
    by_ags = anschriften.groupby("ags")["anschrift_id"].agg(["min", "max"]).reindex(gemeinden["ags"])
    amin, amax = by_ags["min"].to_numpy()[g_idx], by_ags["max"].to_numpy()[g_idx]
    elsewhere = amin + np.floor(rng.random(n) * (amax - amin + 1)).astype(np.int64)
    premises = np.where(sole & (rng.random(n) < 0.4), home, elsewhere)

    short = take_strings(klassen.kurzname, klasse)
    owner_name = people["familienname"].iloc[owner].reset_index(drop=True)
    owner_first = people["vornamen"].iloc[owner].reset_index(drop=True).str.split(" ").str[0]
    suffix = pd.Series(form, dtype="str")
    name = (short + " " + owner_name).where(sole & ~(form == "e.K."), owner_name + " " + short + " " + suffix)
    name = name.where(~((form == "Einzelunternehmen") & (rng.random(n) < 0.35)), owner_first + " " + owner_name + " " + short)
    return pd.DataFrame({
        "betrieb_id": np.arange(1, n + 1, dtype=np.int64),
        "ags": gemeinden["ags"].to_numpy()[g_idx],
        "name": name,
        "rechtsform": form,
        "wz_code": take_strings(klassen.wz_code, klasse),
        "wz_abschnitt": take_strings(klassen.abschnitt, klasse),
        "taetigkeit": take_strings(klassen.bezeichnung, klasse),
        "anmeldedatum": to_dates(founded),
        "abmeldedatum": nullable_dates(closed_day, ~closed),
        "anmeldegrund": weighted_choice(rng, ANMELDEGRUENDE, n),
        "niederlassungsart": weighted_choice(rng, NIEDERLASSUNGEN, n),
        "beschaeftigte_vollzeit": full.astype(np.int64),
        "beschaeftigte_teilzeit": part.astype(np.int64),
        "inhaber_einwohner_id": people["einwohner_id"].to_numpy()[owner],
        "betriebsstaette_anschrift_id": premises,
    })
