"""Offices and clerks: which authority handles an application, and who works on it.

An application goes to an office (``amt``) of an authority: the municipality
for municipal tasks, the Landratsamt (or the kreisfreie Stadt itself) for
district tasks (``ebene`` in ``reference/aemter.csv``). Each office has staff
in proportion to its yearly cases (``faelle_je_sachbearbeitung``), at least
one person, plus a head who signs decisions that need a second pair of eyes.

Staff numbers are pseudonymous and contiguous per office: the head first,
then the clerks, offices in the order of (authority, office) names. The plan
depends only on the applications, so `vorgangsereignisse` rebuilds exactly
the same plan from `antraege` to name the head who signed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.synth.processes.katalog import annahme

__all__ = ["Offices", "StaffPlan", "offices", "staff_plan", "assign"]


@dataclass(frozen=True)
class Offices:
    """Per application: its office pool, authority and office (codes into the name tuples)."""

    pool: np.ndarray  # index into the plan's offices, ordered by (authority, office) names
    authority: np.ndarray
    authority_names: tuple[str, ...]
    amt: np.ndarray
    amt_names: tuple[str, ...]
    kuerzel_names: tuple[str, ...]  # file-number prefix per office name
    pool_faelle_je_sb: np.ndarray  # per pool


@dataclass(frozen=True)
class StaffPlan:
    """Staff numbers per office pool: the head at ``first``, clerks ``first+1 .. first+size``."""

    first: np.ndarray
    size: np.ndarray

    @property
    def total(self) -> int:
        return int((self.first + self.size).max()) if len(self.first) else 0

    def head(self, pool: np.ndarray) -> np.ndarray:
        return self.first[pool]

    def clerk(self, pool: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A clerk of the pool chosen by ``u`` in [0, 1) (uniformly)."""
        return self.first[pool] + 1 + np.minimum((u * self.size[pool]).astype(np.int64), self.size[pool] - 1)

    def ids(self, number: np.ndarray, zero: str = "SB-00000") -> pd.Categorical:
        """Staff numbers as ``SB-00042`` texts (null where the number is -1; number 0 reads ``zero``)."""
        vocab = [zero] + [f"SB-{i:05d}" for i in range(1, self.total + 1)]
        return pd.Categorical.from_codes(np.asarray(number, np.int32), categories=vocab)


def _authority_names(gemeinden: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per municipality: its own administration, and the district authority above it."""
    typ = gemeinden["gemeindetyp"].to_numpy()
    name = gemeinden["name"].to_numpy(dtype=object)
    kreis = gemeinden["kreis_name"].to_numpy(dtype=object)
    city = typ == "Kreisfreie Stadt"
    local = np.where(typ == "Gemeinde", "Gemeinde " + name, "Stadt " + name)
    district = np.where(city, "Stadt " + name, "Landratsamt " + kreis)
    return local.astype(object), district.astype(object)


def offices(gemeinden: pd.DataFrame, cat: pd.DataFrame, svc: np.ndarray, gem: np.ndarray) -> Offices:
    """The office pool of every application (service ``svc`` from municipality row ``gem``)."""
    local, district = _authority_names(gemeinden)
    names = np.unique(np.concatenate([local, district]).astype(str))
    local_code = np.searchsorted(names, local.astype(str))
    district_code = np.searchsorted(names, district.astype(str))
    amt_names = np.unique(cat["amt"].to_numpy(dtype=str))
    svc_amt = np.searchsorted(amt_names, cat["amt"].to_numpy(dtype=str))
    svc_kreis = (cat["ebene"] == "Kreis").to_numpy()
    authority = np.where(svc_kreis[svc], district_code[gem], local_code[gem])
    amt = svc_amt[svc]
    key = authority * len(amt_names) + amt
    present = np.bincount(key, minlength=len(names) * len(amt_names)) > 0
    pool = (np.cumsum(present) - 1)[key]  # pools in order of (authority, office) names
    per_amt = cat.drop_duplicates("amt").set_index("amt").reindex(amt_names)
    faelle = per_amt["faelle_je_sachbearbeitung"].to_numpy(float)[np.flatnonzero(present) % len(amt_names)]
    return Offices(pool=pool.astype(np.int64), authority=authority, authority_names=tuple(names), amt=amt,
                   amt_names=tuple(amt_names), kuerzel_names=tuple(per_amt["kuerzel"]), pool_faelle_je_sb=faelle)


def staff_plan(office: Offices, years: int) -> StaffPlan:
    """Staff per office: yearly cases over cases per clerk, at least one clerk, plus the head."""
    cases = np.bincount(office.pool, minlength=len(office.pool_faelle_je_sb)) / max(years, 1)
    size = np.maximum(1, np.round(cases / office.pool_faelle_je_sb)).astype(np.int64)
    first = np.cumsum(size + 1) - size  # numbers start at 1 with the first head
    return StaffPlan(first=first.astype(np.int64), size=size)


def assign(rng: np.random.Generator, plan: StaffPlan, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A clerk for every application, by unequal workloads, and the speed factor of clerk and authority."""
    workers = plan.total + 1
    weight = rng.gamma(4.0, 0.25, workers)  # part-time and full-time staff
    pace = rng.lognormal(0.0, annahme("sachbearbeitung_streuung"), workers)
    office_pace = rng.lognormal(0.0, annahme("stellenstreuung"), len(plan.first))
    is_clerk = np.ones(workers, bool)
    is_clerk[0] = False  # numbers start at 1
    is_clerk[plan.first] = False  # heads take no cases of their own
    cum = np.cumsum(np.where(is_clerk, weight, 0.0))
    lo = cum[plan.first[pool]]  # cumulative weight up to and including the head (weight 0)
    hi = cum[plan.first[pool] + plan.size[pool]]
    target = lo + rng.random(len(pool)) * (hi - lo)
    clerk = np.clip(np.searchsorted(cum, target, side="right"), plan.first[pool] + 1, plan.first[pool] + plan.size[pool])
    return clerk.astype(np.int64), pace[clerk] * office_pace[pool]
