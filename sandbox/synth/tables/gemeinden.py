"""Table `gemeinden`: the municipalities of the profile's area.

Kreisfreie Städte keep their real name and key. Landkreise get as many
municipalities as the real Kreis has, with a realistic spread of sizes (a
Kreisstadt, some small towns, many villages), keys numbered alphabetically as
the official AGS are, and invented names flagged in `name_synthetisch`. Each
municipality owns a block of postcodes inside its Kreis's real leading range;
blocks never overlap, so a PLZ always belongs to exactly one Ort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate"]

GEMEINDETYPEN = ("Kreisfreie Stadt", "Stadt", "Gemeinde")
STADT_AB = 4000  # assumption: from this size a municipality is modelled as a town

TABLE = Table(
    name="gemeinden",
    description="Gemeinden des Gebiets mit amtlichem Gemeindeschlüssel (AGS), Kreis, Einwohnerzahl und Postleitzahlbereich.",
    primary_key="ags",
    method=(
        "Kreise und Einwohnerzahlen aus reference/kreise.csv; Größenverteilung der Gemeinden eines "
        "Landkreises log-normal (Annahme), Namen der Landkreisgemeinden aus Namensbausteinen erfunden."
    ),
    columns=(
        Column("ags", "string", "Amtlicher Gemeindeschlüssel, 8 Stellen (14 = Sachsen, dann Kreis, dann Gemeinde)", unique=True, pattern=r"^14\d{6}$", example="14522990"),
        Column("name", "string", "Name der Gemeinde", unique=True),
        Column("name_synthetisch", "bool", "wahr, wenn der Name erfunden ist (alle außer den kreisfreien Städten)"),
        Column("gemeindetyp", "string", "Kreisfreie Stadt, Stadt oder Gemeinde", allowed=GEMEINDETYPEN),
        Column("kreis_ags", "string", "Kreisschlüssel, 5 Stellen", pattern=r"^14\d{3}$"),
        Column("kreis_name", "string", "Name des Kreises"),
        Column("einwohnerzahl", "int64", "gemeldete Einwohnerinnen und Einwohner am Stichtag (Haupt- und Nebenwohnung)", min=0),
        Column("plz_von", "string", "kleinste Postleitzahl der Gemeinde", pattern=r"^0[1-9]\d{3}$"),
        Column("plz_bis", "string", "größte Postleitzahl der Gemeinde; der Bereich gehört nur dieser Gemeinde", pattern=r"^0[1-9]\d{3}$"),
    ),
)


def _invent_names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    parts = reference.load("ortsnamen_bausteine")
    prefixes = parts.loc[parts.art == "vorsilbe", "teil"].tolist()
    stems = parts.loc[parts.art == "stamm", "teil"].tolist()
    endings = parts.loc[parts.art == "endung", "teil"].tolist()
    names: list[str] = []
    while len(names) < count:
        stem = stems[rng.integers(len(stems))]
        name = stem + endings[rng.integers(len(endings))]
        if rng.random() < 0.2:
            name = prefixes[rng.integers(len(prefixes))] + name.lower()
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _sizes(rng: np.random.Generator, count: int, total: int) -> np.ndarray:
    """Municipality sizes of one Landkreis: log-normal spread, the largest a Kreisstadt."""
    weights = np.sort(rng.lognormal(mean=0.0, sigma=0.85, size=count))[::-1]
    weights[0] *= 2.5
    sizes = np.floor(weights / weights.sum() * total).astype(np.int64)
    sizes[: total - sizes.sum()] += 1
    return sizes


def _plz_blocks(lo: int, hi: int, sizes: np.ndarray) -> list[tuple[int, int]]:
    """Disjoint postcode blocks inside [lo, hi], about one code per 10,000 residents."""
    need = np.maximum(1, np.round(sizes / 10_000)).astype(np.int64)
    slots = hi - lo + 1
    while need.sum() > slots:
        need[np.argmax(need)] -= 1
    gap = (slots - need.sum()) / len(need)
    blocks, start = [], float(lo)
    for k in need:
        first = int(start)
        blocks.append((first, first + int(k) - 1))
        start += k + gap
    return blocks


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    profile = ctx.profile
    kreise = reference.kreise().set_index("kreis_ags")
    rows: list[dict[str, object]] = []
    taken: set[str] = set(kreise.loc[kreise.typ == "Kreisfreie Stadt", "name"])
    own_by_kreis: dict[str, list[dict]] = {}
    for g in profile.gemeinden:
        own_by_kreis.setdefault(str(g["ags"])[:5], []).append(g)
        taken.add(str(g["name"]))
    for kreis_ags in sorted(set(profile.kreise) | set(own_by_kreis)):
        kreis = kreise.loc[kreis_ags]
        members: list[dict[str, object]] = []
        if kreis_ags in profile.kreise:
            if kreis.typ == "Kreisfreie Stadt":
                members.append({"ags": kreis_ags + "000", "name": kreis["name"], "name_synthetisch": False,
                                "gemeindetyp": "Kreisfreie Stadt", "basis": int(kreis.einwohner)})
            else:
                count = int(kreis.anzahl_gemeinden)
                sizes = _sizes(rng, count, int(kreis.einwohner))
                names = _invent_names(rng, count, taken)
                order = np.argsort(names, kind="stable")  # AGS are numbered alphabetically
                for number, i in enumerate(order, start=1):
                    members.append({"ags": f"{kreis_ags}{number * 10:03d}", "name": names[i], "name_synthetisch": True,
                                    "gemeindetyp": "Stadt" if sizes[i] >= STADT_AB else "Gemeinde", "basis": int(sizes[i])})
        for g in own_by_kreis.get(kreis_ags, []):
            members.append({"ags": str(g["ags"]), "name": str(g["name"]), "name_synthetisch": bool(g.get("name_synthetisch", True)),
                            "gemeindetyp": str(g.get("gemeindetyp") or ("Stadt" if g["einwohner"] >= STADT_AB else "Gemeinde")),
                            "basis": int(g["einwohner"])})
        members.sort(key=lambda m: str(m["ags"]))
        blocks = _plz_blocks(int(kreis.plz_von), int(kreis.plz_bis), np.array([m["basis"] for m in members]))
        for member, (lo, hi) in zip(members, blocks):
            rows.append({**member, "kreis_ags": kreis_ags, "kreis_name": kreis["name"], "plz_von": f"{lo:05d}", "plz_bis": f"{hi:05d}"})
    frame = pd.DataFrame(rows)
    frame["einwohnerzahl"] = _rescale(frame["basis"].to_numpy(), profile.population)
    return frame[TABLE.column_names].sort_values("ags", ignore_index=True)


def _rescale(base: np.ndarray, population: int) -> np.ndarray:
    """Integer sizes proportional to ``base`` that add up to exactly ``population``."""
    exact = base / base.sum() * population
    sizes = np.floor(exact).astype(np.int64)
    remainder = population - sizes.sum()
    sizes[np.argsort(-(exact - sizes), kind="stable")[:remainder]] += 1
    return sizes
