"""Hidden household net income: what keeps Wohngeld entitlement from being a function of the register alone.

Drawn log-normal by household type, size and the Bezugsperson's age
(``reference/haushaltseinkommen*.csv``) and never published. `ansprueche`
draws it and shares it as :class:`HouseholdIncome` with the tables after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.sampling import band_values, codes

__all__ = ["HouseholdIncome", "household_income"]


@dataclass(frozen=True)
class HouseholdIncome:
    """Monthly net income in EUR per household (index: haushalt_id)."""

    per_household: pd.Series


def household_income(rng: np.random.Generator, haushalte: pd.DataFrame, head_age: np.ndarray) -> np.ndarray:
    """Monthly net income (EUR) per household: log-normal by type, size and the Bezugsperson's age."""
    types = reference.load("haushaltseinkommen")
    typ = codes(haushalte["haushaltstyp"], types["haushaltstyp"])
    if (typ < 0).any():
        unknown = haushalte["haushaltstyp"].to_numpy()[np.argmax(typ < 0)]
        raise ValueError(f"reference/haushaltseinkommen.csv has no row for household type {unknown!r}")
    base = types["basis_personen"].astype(int).to_numpy()[typ]
    extra = np.maximum(haushalte["anzahl_personen"].to_numpy() - base, 0)
    median = types["median_eur"].astype(float).to_numpy()[typ] + extra * types["je_weitere_person_eur"].astype(float).to_numpy()[typ]
    ages = reference.load("haushaltseinkommen_alter")
    factor = band_values(head_age, {f"{a}-{b}": float(f) for a, b, f in zip(ages.alter_von, ages.alter_bis, ages.faktor)}, 1.0)
    sigma = types["streuung_log"].astype(float).to_numpy()[typ]
    return median * factor * np.exp(sigma * rng.standard_normal(len(typ)))
