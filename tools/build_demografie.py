"""Build the demographic reference tables of synthetic_data/reference/ (maintainer script).

    python tools/build_demografie.py

Writes three files, each row with its `quelle`:

- ``geburten_sachsen.csv``: live births per year on today's territory of Saxony
  (anchor years, linear in between; from 1990 the official series, rounded);
- ``sterbetafel_sachsen.csv``: death probabilities q(x) by single year of age
  and sex, a Gompertz-Makeham law fitted to the official life expectancy at
  birth (Sterbetafel Sachsen 2021/23: men 77.3, women 83.5 years);
- ``bevoelkerung_alter.csv``: residents by single year of age and sex:
  birth cohort x survival x a smooth migration factor, fitted so that the
  age groups and the share of women by age group of the official population
  statistics (31.12.2023) are met.

The generator reads these files; it never runs this script.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "synthetic_data" / "reference"
STICHTAG_YEAR = 2024
MAX_AGE = 110
E0 = {"maennlich": 77.3, "weiblich": 83.5}
MAKEHAM = {"maennlich": 0.0003, "weiblich": 0.00012}
GOMPERTZ_SLOPE = {"maennlich": 0.100, "weiblich": 0.125}
INFANT_Q = {"maennlich": 0.0030, "weiblich": 0.0025}
BOYS_PER_GIRL = 1.054
CENTENARIANS = 0.0003  # Annahme: about 1,200 residents aged 100+ (Zensus 2022: about 200 per million in Germany, Saxony older)

# (year, births, kind): kind "amtlich" = Statistisches Landesamt Sachsen, rounded; "Annahme" = reconstructed
BIRTH_ANCHORS = [
    (1910, 120000, "Annahme"), (1915, 70000, "Annahme"), (1918, 60000, "Annahme"), (1920, 100000, "Annahme"),
    (1924, 85000, "Annahme"), (1930, 72000, "Annahme"), (1933, 60000, "Annahme"), (1936, 78000, "Annahme"),
    (1939, 86000, "Annahme"), (1942, 66000, "Annahme"), (1945, 45000, "Annahme"), (1946, 50000, "Annahme"),
    (1947, 70000, "Annahme"), (1950, 82000, "Annahme"), (1955, 78000, "Annahme"), (1960, 80000, "Annahme"),
    (1964, 88000, "Annahme"), (1968, 75000, "Annahme"), (1971, 62000, "Annahme"), (1974, 50000, "Annahme"),
    (1978, 58000, "Annahme"), (1980, 66000, "Annahme"), (1985, 60000, "Annahme"), (1988, 57000, "Annahme"),
    (1989, 53000, "Annahme"), (1990, 49500, "amtlich"), (1991, 31000, "amtlich"), (1992, 26000, "amtlich"),
    (1993, 24000, "amtlich"), (1994, 22700, "amtlich"), (1995, 23000, "amtlich"), (1996, 25500, "amtlich"),
    (1997, 27700, "amtlich"), (1998, 29000, "amtlich"), (1999, 30300, "amtlich"), (2000, 32500, "amtlich"),
    (2003, 32300, "amtlich"), (2006, 33200, "amtlich"), (2008, 34500, "amtlich"), (2010, 34600, "amtlich"),
    (2012, 34800, "amtlich"), (2014, 36500, "amtlich"), (2016, 37900, "amtlich"), (2017, 36800, "amtlich"),
    (2018, 35900, "amtlich"), (2019, 34300, "amtlich"), (2020, 33300, "amtlich"), (2021, 33800, "amtlich"),
    (2022, 29300, "amtlich"), (2023, 27100, "amtlich"), (2024, 26000, "amtlich"),
]
BIRTH_SOURCE = {
    "amtlich": "Statistisches Landesamt Sachsen, Lebendgeborene im Land Sachsen, gerundet",
    "Annahme": "Annahme: rekonstruiert aus den Geburten der DDR-Bezirke Dresden, Leipzig, Karl-Marx-Stadt "
               "bzw. des Landes Sachsen vor 1952, gerundet; Jahre zwischen den Stützjahren linear",
}


def births() -> tuple[np.ndarray, np.ndarray, list[str]]:
    years = np.arange(STICHTAG_YEAR - MAX_AGE, STICHTAG_YEAR + 1)
    ax = np.array([a[0] for a in BIRTH_ANCHORS])
    counts = np.interp(years, ax, [a[1] for a in BIRTH_ANCHORS])
    kinds = ["amtlich" if y >= 1990 else "Annahme" for y in years]
    return years, np.round(counts, -2), kinds


def death_probabilities(sex: str) -> np.ndarray:
    """q(x) for x = 0..MAX_AGE whose life expectancy at birth is E0[sex] (bisection on the Gompertz level)."""
    ages = np.arange(MAX_AGE + 1)

    def table(level: float) -> np.ndarray:
        hazard = MAKEHAM[sex] + level * np.exp(GOMPERTZ_SLOPE[sex] * ages)
        q = 1 - np.exp(-hazard)
        q[0] = INFANT_Q[sex]
        q[-1] = 1.0
        return np.minimum(q, 1.0)

    def e0(q: np.ndarray) -> float:
        alive = np.r_[1.0, np.cumprod(1 - q)[:-1]]
        return float((alive - alive * q / 2).sum())

    lo, hi = 1e-7, 1e-3
    for _ in range(80):
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if e0(table(mid)) > E0[sex] else (lo, mid)
    return table(lo)


def population(q: dict[str, np.ndarray], profile: dict) -> dict[str, np.ndarray]:
    """Residents by age and sex: cohort x survival x smooth factor, fitted to the official age groups."""
    years, counts, _ = births()
    ages = STICHTAG_YEAR - years[::-1]  # 0..MAX_AGE
    cohort = counts[::-1]
    survive = {s: np.r_[1.0, np.cumprod(1 - q[s])[:-1]] for s in q}
    men = cohort * BOYS_PER_GIRL / (1 + BOYS_PER_GIRL) * survive["maennlich"]
    women = cohort / (1 + BOYS_PER_GIRL) * survive["weiblich"]
    params = profile["parameter"]
    bands = [(tuple(int(x) for x in k.split("-")), float(v)) for k, v in params["altersstruktur"]["werte"].items()]
    bands.append(((100, MAX_AGE), CENTENARIANS))
    factor = np.ones(len(ages))
    for _ in range(30):  # fit a piecewise-linear factor through the band midpoints
        total = (men + women) * factor
        mids, ratios = [], []
        for (lo, hi), share in bands:
            mids.append((lo + hi) / 2)
            ratios.append(share / (total[lo:hi + 1].sum() / total.sum()))
        factor *= np.interp(ages, mids, ratios)
    women_share = {tuple(int(x) for x in k.split("-")): float(v) for k, v in params["frauenanteil"]["werte"].items()}
    male_factor = np.ones(len(ages))
    for (lo, hi), target in women_share.items():
        hi = MAX_AGE if hi == max(h for _, h in women_share) else hi
        w, m = (women * factor)[lo:hi + 1].sum(), (men * factor)[lo:hi + 1].sum()
        male_factor[lo:hi + 1] = w * (1 - target) / target / m
    kernel = np.ones(5) / 5
    male_factor = np.convolve(np.pad(male_factor, 2, mode="edge"), kernel, mode="valid")
    total = 4_090_000 / ((men * male_factor + women) * factor).sum()
    return {"maennlich": np.round(men * male_factor * factor * total), "weiblich": np.round(women * factor * total)}


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(REFERENCE / name, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def main() -> None:
    profile = yaml.safe_load((ROOT / "synthetic_data" / "profiles" / "sachsen.yaml").read_text(encoding="utf-8"))
    years, counts, kinds = births()
    write("geburten_sachsen.csv", ["jahr", "geburten", "art", "quelle"],
          [[int(y), int(c), k, BIRTH_SOURCE[k]] for y, c, k in zip(years, counts, kinds)])
    q = {s: death_probabilities(s) for s in E0}
    source = ("Annahme: Gompertz-Makeham-Sterbegesetz, angepasst an die amtliche Lebenserwartung bei Geburt "
              "(Statistisches Landesamt Sachsen, Sterbetafel 2021/23: Männer 77,3, Frauen 83,5 Jahre)")
    write("sterbetafel_sachsen.csv", ["alter", "qx_maennlich", "qx_weiblich", "quelle"],
          [[a, f"{q['maennlich'][a]:.6f}", f"{q['weiblich'][a]:.6f}", source] for a in range(MAX_AGE + 1)])
    pop = population(q, profile)
    source = ("Annahme: Geburtsjahrgänge (geburten_sachsen.csv) mal Überleben (sterbetafel_sachsen.csv) mal geglätteter "
              "Wanderungsfaktor, angepasst an die amtlichen Altersgruppen und Frauenanteile (Statistisches Landesamt "
              "Sachsen, Bevölkerung am 31.12.2023)")
    write("bevoelkerung_alter.csv", ["alter", "maennlich", "weiblich", "quelle"],
          [[a, int(pop["maennlich"][a]), int(pop["weiblich"][a]), source] for a in range(MAX_AGE + 1)])


if __name__ == "__main__":
    main()
