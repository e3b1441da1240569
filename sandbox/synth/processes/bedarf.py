"""Yearly cases per 1,000 residents from the people who need a service, not from a fixed planning figure.

Identity documents are renewed when they expire: a Personalausweis is valid
six years for people under 24 and ten years from 24 (PAuswG § 6), a
Reisepass likewise (PassG § 5). The yearly cases are therefore the holders
of each age divided by the validity of their document, plus lost or stolen
documents (``reference/ausweisdokumente.csv``), computed on the residents of
the generated municipality: an older town renews fewer documents per 1,000.
Whoever applies is drawn with the same weight (a 20-year-old renews every
six years, a 50-year-old every ten). Services without such a rule keep the
catalogue's ``jaehrliche_faelle_je_1000``; the occasion-driven ones (moves,
marriages, businesses, benefits) take their cases from the register, and
appointments for the notice of marriage follow the register's weddings.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.kalender import YEAR, days_of
from sandbox.synth.sampling import days_before

__all__ = ["rates", "renewal_weight", "ages_on_reference_day", "marriages_per_1000"]


def _documents() -> pd.DataFrame:
    table = reference.load("ausweisdokumente")
    for col in ("mindestalter", "gueltig_unter_24", "gueltig_ab_24", "besitzquote", "verlust_je_1000"):
        table[col] = table[col].astype(float)
    return table.set_index("leika_schluessel")


def _per_person(doc: pd.Series, age: np.ndarray) -> np.ndarray:
    """Expected renewals per person and year at each age (0 below the minimum age)."""
    validity = np.where(age < 24, doc.gueltig_unter_24, doc.gueltig_ab_24)
    return np.where(age >= doc.mindestalter, doc.besitzquote / validity, 0.0)


def ages_on_reference_day(people: pd.DataFrame, stichtag: object) -> np.ndarray:
    """Ages (years, fractional) of the residents registered on the reference day."""
    ref = days_before(stichtag)  # type: ignore[arg-type]
    now = (people["meldestatus"] == "gemeldet").to_numpy(dtype=bool, na_value=False)
    return (ref - days_of(people["geburtsdatum"])[now]) / YEAR


def marriages_per_1000(events: pd.DataFrame, residents: int, first_day: int, last_day: int) -> float:
    """Weddings (couples) per 1,000 residents and year in the register's marriage events between two days."""
    day = days_of(events["ereignisdatum"])
    inside = (events["ereignisart"] == "Eheschließung").to_numpy(dtype=bool, na_value=False) & (day > first_day) & (day <= last_day)
    years = max(last_day - first_day, 1) / YEAR
    return 1000.0 * int(inside.sum()) / 2.0 / max(residents, 1) / years  # one event per partner


def rates(catalogue: pd.DataFrame, ages: np.ndarray, weddings: float | None = None) -> np.ndarray:
    """Cases per 1,000 residents and year for each catalogue row.

    Documents follow the ages ``ages`` of the residents; the notice of
    marriage (occasion ``Eheschließung``) follows ``weddings`` per 1,000 when
    given (one notice per couple).
    """
    out = catalogue["jaehrliche_faelle_je_1000"].to_numpy(float).copy()
    if weddings is not None:
        out[(catalogue["anlass"] == "Eheschließung").to_numpy()] = weddings
    docs = _documents()
    for i, key in enumerate(catalogue["leika_schluessel"]):
        if key in docs.index and len(ages):
            doc = docs.loc[key]
            out[i] = 1000.0 * float(_per_person(doc, ages).mean()) + doc.verlust_je_1000
    return out


def renewal_weight(service_keys: Sequence[str], service: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Acceptance weight (0..1) of applicants of ``age`` for ``service`` (indices into ``service_keys``).

    1 for services without a renewal rule; for a document the renewals per
    year at that age relative to the most frequent (under 24).
    """
    service = np.asarray(service)
    age = np.asarray(age, dtype=float)
    weight = np.ones(len(age))
    docs = _documents()
    for index, key in enumerate(service_keys):
        if key in docs.index:
            rows = service == index
            doc = docs.loc[key]
            weight[rows] = _per_person(doc, age[rows]) / (doc.besitzquote / doc.gueltig_unter_24)
    return weight
