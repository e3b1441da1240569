"""The supply side of appointments: Bürgerbüro locations, opening hours and appointment contingents.

Every municipality has somewhere to go: villages their Gemeindeverwaltung
(which also acts as Standesamt), towns a Bürgerbüro and a Standesamt, the
Kreisfreie Städte several Bürgerbüros named after districts, one per
``einwohner_je_buergerbuero`` residents. Opening hours per kind of location
and weekday come from ``reference/buergerbuero_oeffnungszeiten.csv`` and are
cut into slots of ``slot_minuten``; the appointments offered per slot are
sized to the expected demand, so that capacity binds at seasonal peaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.synth import reference

__all__ = ["STANDORTTYPEN", "WOCHENTAGE", "Standorte", "standorte", "opening_slots", "annahmen", "contingent"]

STANDORTTYPEN = ("Bürgerbüro Großstadt", "Bürgerbüro", "Standesamt", "Gemeindeverwaltung")
WOCHENTAGE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
#: which office's services a kind of location offers (the `amt` column of `leistungen`)
AEMTER = {
    "Bürgerbüro Großstadt": ("Bürgerbüro",),
    "Bürgerbüro": ("Bürgerbüro",),
    "Standesamt": ("Standesamt",),
    "Gemeindeverwaltung": ("Bürgerbüro", "Standesamt"),
}


@dataclass(frozen=True)
class Standorte:
    """One entry per location: its name, municipality (index into `gemeinden`), kind and catchment share."""

    name: tuple[str, ...]
    gemeinde: np.ndarray
    typ: np.ndarray  # index into STANDORTTYPEN
    anteil: np.ndarray  # share of the municipality's residents who go there

    def serves(self, aemter: np.ndarray) -> np.ndarray:
        """Boolean matrix (location x service): does the location offer a service of that office?"""
        offered = np.array([[amt in AEMTER[t] for amt in aemter] for t in STANDORTTYPEN], dtype=bool)
        return offered[self.typ]


def annahmen() -> dict[str, float]:
    """The appointment assumptions of ``reference/termine_annahmen.csv`` by parameter name."""
    table = reference.load("termine_annahmen")
    return dict(zip(table["parameter"], table["wert"].astype(float)))


def standorte(gemeinden: pd.DataFrame, residents_per_office: float) -> Standorte:
    """The locations of all municipalities, in `gemeinden` order."""
    districts = reference.load("buergerbuero_standorte").sort_values("reihenfolge", key=lambda s: s.astype(int))
    district_names = districts["bezeichnung"].tolist()
    district_weights = districts["gewicht"].astype(float).to_numpy()
    names: list[str] = []
    gemeinde: list[int] = []
    typ: list[int] = []
    anteil: list[float] = []

    def add(name: str, g: int, kind: str, share: float) -> None:
        names.append(name)
        gemeinde.append(g)
        typ.append(STANDORTTYPEN.index(kind))
        anteil.append(share)

    for g, row in enumerate(gemeinden.itertuples(index=False)):  # a few hundred municipalities at most
        if row.gemeindetyp == "Gemeinde":
            add(f"Gemeindeverwaltung {row.name}", g, "Gemeindeverwaltung", 1.0)
            continue
        big = row.gemeindetyp == "Kreisfreie Stadt"
        count = int(np.clip(round(row.einwohnerzahl / residents_per_office), 2 if big else 1, len(district_names)))
        kind = "Bürgerbüro Großstadt" if big else "Bürgerbüro"
        if count == 1:
            add(f"Bürgerbüro {row.name}", g, kind, 1.0)
        else:
            weights = district_weights[:count] / district_weights[:count].sum()
            for label, share in zip(district_names[:count], weights):
                add(f"Bürgerbüro {label}", g, kind, float(share))
        add(f"Standesamt {row.name}", g, "Standesamt", 1.0)
    return Standorte(tuple(names), np.array(gemeinde, np.int64), np.array(typ, np.int64), np.array(anteil))


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def opening_slots(slot_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Slots per kind of location and weekday, and each slot's start (minutes after midnight).

    Returns ``count[typ, weekday]`` and ``start[typ, weekday, slot]`` (padded with -1).
    """
    hours = reference.load("buergerbuero_oeffnungszeiten")
    unknown = sorted(set(hours["standorttyp"]) - set(STANDORTTYPEN)) + sorted(set(hours["wochentag"]) - set(WOCHENTAGE))
    if unknown:
        raise ValueError(f"reference/buergerbuero_oeffnungszeiten.csv: unknown value {unknown[0]!r}")
    starts: dict[tuple[int, int], list[int]] = {}
    for row in hours.itertuples(index=False):
        key = (STANDORTTYPEN.index(row.standorttyp), WOCHENTAGE.index(row.wochentag))
        starts.setdefault(key, []).extend(range(_minutes(row.von), _minutes(row.bis) - slot_minutes + 1, slot_minutes))
    width = max((len(v) for v in starts.values()), default=1)
    count = np.zeros((len(STANDORTTYPEN), 7), np.int64)
    start = np.full((len(STANDORTTYPEN), 7, width), -1, np.int64)
    for (t, w), values in starts.items():
        values = sorted(values)
        count[t, w] = len(values)
        start[t, w, : len(values)] = values
    return count, start


def contingent(mean_demand: np.ndarray, mean_slots: np.ndarray, utilisation: float) -> np.ndarray:
    """Appointments offered per opening slot and location (the counters' share for booked visits).

    Sized so that the mean demand of an open day fills ``utilisation`` of the
    offer; counter time beyond it serves visitors without an appointment.
    """
    return mean_demand / np.maximum(mean_slots * utilisation, 1e-9)
