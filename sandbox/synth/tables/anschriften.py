"""Table `anschriften`: buildings with street, house number, postcode and Ort.

The number of addresses follows the expected number of households and how
many households live in one building (many in the kreisfreien Städte, one or
two in villages); about a tenth more buildings than needed leaves room for
vacancy and business premises. Street names come from common German street
names and Faker's family and first names; each street lies in one postcode of
its municipality's block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.sampling import take_strings
from sandbox.synth.schema import Column, Table, QUASI_IDENTIFIER

__all__ = ["TABLE", "generate", "expected_households"]

TABLE = Table(
    name="anschriften",
    description="Anschriften (Gebäude) mit Straße, Hausnummer, Postleitzahl und Ort; Wohn- und Betriebsstätten verweisen darauf.",
    primary_key="anschrift_id",
    method=(
        "Zahl der Gebäude aus erwarteter Haushaltszahl und Haushalten je Anschrift (Profil); Straßennamen aus "
        "häufigen Straßennamen und Faker-de_DE-Namen; Hausnummern fortlaufend je Straße."
    ),
    columns=(
        Column("anschrift_id", "int64", "Schlüssel der Anschrift", unique=True, min=1),
        Column("ags", "string", "Gemeinde der Anschrift", references="gemeinden.ags", pattern=r"^14\d{6}$"),
        Column("plz", "string", "Postleitzahl; liegt im Bereich plz_von bis plz_bis der Gemeinde", pattern=r"^0[1-9]\d{3}$",
               roles={QUASI_IDENTIFIER}),
        Column("ort", "string", "Ort (Name der Gemeinde)"),
        Column("strasse", "string", "Straßenname"),
        Column("hausnummer", "string", "Hausnummer, ggf. mit Buchstabe", pattern=r"^\d+[a-z]?$"),
    ),
)

SPARE_BUILDINGS = 1.1  # assumption: 10 % more buildings than households need
ADDRESSES_PER_STREET = {"Kreisfreie Stadt": 28.0, "Stadt": 20.0, "Gemeinde": 12.0}  # assumption


def expected_households(population: int, sizes: dict) -> float:
    """Households a population forms at the profile's mean household size."""
    mean = sum(float(k) * float(v) for k, v in sizes.items()) / sum(float(v) for v in sizes.values())
    return population / mean


def _street_names(rng: np.random.Generator, count: int, common: list[str], last: list[str], first: list[str], endings: list[str], end_w: np.ndarray) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        kind = rng.choice(3, size=2 * count + 8, p=[0.3, 0.5, 0.2])
        for k in kind:
            if k == 0:
                name = common[rng.integers(len(common))]
            elif k == 1:
                name = last[rng.integers(len(last))] + endings[rng.choice(len(endings), p=end_w)]
            else:
                name = f"{first[rng.integers(len(first))]}-{last[rng.integers(len(last))]}-Straße"
            if name not in seen:
                seen.add(name)
                names.append(name)
                if len(names) == count:
                    break
    return names


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    gemeinden = ctx.table("gemeinden")
    per_building = ctx.profile.values("haushalte_je_anschrift")
    sizes = ctx.profile.values("haushaltsgroessen")
    common = reference.load("strassennamen")["strassenname"].tolist()
    last = reference.load("familiennamen")["familienname"].tolist()
    first = reference.load("vornamen")["vorname"].tolist()
    bausteine = reference.load("strassen_bausteine")
    endings = bausteine["endung"].tolist()
    end_w = bausteine["gewicht"].astype(float).to_numpy()
    end_w = end_w / end_w.sum()

    parts: dict[str, list[np.ndarray]] = {"gemeinde": [], "plz": [], "strasse": [], "nummer": [], "buchstabe": []}
    street_names: list[str] = []
    for gi, g in enumerate(gemeinden.itertuples(index=False)):
        households = expected_households(int(g.einwohnerzahl), sizes)
        n_addr = int(np.ceil(households / float(per_building[g.gemeindetyp]) * SPARE_BUILDINGS)) + 1
        n_streets = max(2, int(np.ceil(n_addr / ADDRESSES_PER_STREET[g.gemeindetyp])))
        first_street = len(street_names)
        street_names += _street_names(rng, n_streets, common, last, first, endings, end_w)
        street_plz = rng.integers(int(g.plz_von), int(g.plz_bis) + 1, size=n_streets)
        length = rng.lognormal(0.0, 0.8, size=n_streets)
        street = np.sort(rng.choice(n_streets, size=n_addr, p=length / length.sum()))
        start = np.r_[0, np.flatnonzero(np.diff(street)) + 1]
        run = np.diff(np.r_[start, n_addr])
        rank = np.arange(n_addr) - np.repeat(start, run)
        letter = (rng.random(n_addr) < 0.05) & (rank > 0)
        letter[1:] &= ~letter[:-1]
        before = np.cumsum(letter) - letter
        parts["gemeinde"].append(np.full(n_addr, gi))
        parts["plz"].append(street_plz[street])
        parts["strasse"].append(first_street + street)
        parts["nummer"].append(rank + 1 - (before - np.repeat(before[start], run)) - letter)
        parts["buchstabe"].append(letter)
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    codes, code_idx = np.unique(cols["plz"], return_inverse=True)
    numbers, number_idx = np.unique(cols["nummer"], return_inverse=True)
    nummer = take_strings([str(x) for x in numbers], number_idx)
    frame = pd.DataFrame({
        "ags": take_strings(gemeinden["ags"], cols["gemeinde"]),
        "plz": take_strings([f"{c:05d}" for c in codes], code_idx),
        "ort": take_strings(gemeinden["name"], cols["gemeinde"]),
        "strasse": take_strings(street_names, cols["strasse"]),
        "hausnummer": nummer.where(~cols["buchstabe"], nummer + "a"),
    })
    frame.insert(0, "anschrift_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame
