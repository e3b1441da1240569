"""Who applies for which service, and on which day: the demand side of `antraege`.

Services without an occasion draw their volume from the catalogue's cases per
1,000 residents and year, spread over the event years by the service's
seasonal pattern and year effects, and pick an applicant who was registered
(or a business that was active) that day and fits the service's age band.
Services with an occasion take their applications from the register instead:

- ``Zuzug/Umzug`` and ``Wegzug``: one application per household moving in,
  within or (for a share) away, from `meldeereignisse`;
- ``Eheschließung``: one per couple, weeks to six months before the wedding;
- ``Gewerbeanmeldung`` / ``Gewerbeabmeldung``: one per `gewerbe` row that
  started or ended in the window, near that day;
- ``Elterngeldanspruch``, ``Kita-Anspruch``, ``Wohngeldanspruch``: from the
  entitlements in `ansprueche` with a take-up below 100 %, plus a few
  applicants without entitlement (``berechtigt`` false; they are refused).

Every row carries the earliest and latest day its applicant could have
applied, so `antraege` can move a counter visit off a weekend without
breaking the register's story.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from sandbox.synth import leistungen
from sandbox.synth.context import Context
from sandbox.synth.kalender import MISSING, days_of, year_month_day
from sandbox.synth.sampling import days_before

__all__ = ["Register", "Nachfrage", "part", "age_band", "YEAR"]

YEAR = 365.2425
NEVER = np.iinfo(np.int64).max // 4  # "not deregistered" as a far-future day
ROUNDS = 25  # rejection-sampling rounds; the acceptance rate is far above 1/2


class Register:
    """Person and business arrays the applicant rules need, indexed by row position."""

    def __init__(self, ctx: Context) -> None:
        people = ctx.table("einwohner")
        self.ref = days_before(ctx.profile.stichtag)
        self.start = self.ref - int(ctx.profile.ereignisjahre * YEAR)  # exclusive, as in meldeereignisse
        self.ids = people["einwohner_id"].to_numpy(np.int64)
        self.index = pd.Index(self.ids)
        self.birth = days_of(people["geburtsdatum"])
        self.einzug = days_of(people["einzugsdatum"])
        gone = days_of(people["abmeldedatum"])
        self.abmelde = np.where(gone == MISSING, NEVER, gone)
        self.female = people["geschlecht"].to_numpy() == "weiblich"
        self.household = people["haushalt_id"].fillna(-1).to_numpy(np.int64)
        self.role = people["stellung_im_haushalt"].fillna("").to_numpy()
        self.spouse = people["ehegatte_id"].fillna(-1).to_numpy(np.int64)
        municipalities = pd.Index(ctx.table("gemeinden")["ags"])
        ort = ctx.table("anschriften").set_index("anschrift_id")["ags"]
        self.gem = municipalities.get_indexer(ort.reindex(people["anschrift_id"].to_numpy()))
        firms = ctx.table("gewerbe")
        self.firm_ids = firms["betrieb_id"].to_numpy(np.int64)
        self.firm_gem = municipalities.get_indexer(firms["ags"])
        self.firm_start = days_of(firms["anmeldedatum"])
        closed = days_of(firms["abmeldedatum"])
        self.firm_end = np.where(closed == MISSING, NEVER, closed)
        heads = self.role == "Bezugsperson"
        self.head_of = pd.Series(np.flatnonzero(heads), index=self.household[heads])
        with_child = np.unique(self.household[(self.role == "Kind") & (self.household >= 0)])
        self.has_child = np.isin(self.household, with_child)

    def bounds(self, person: np.ndarray, min_age: np.ndarray | float = 18.0) -> tuple[np.ndarray, np.ndarray]:
        """First and last day a person could apply: registered here and old enough, inside the window."""
        adult = self.birth[person] + np.ceil(np.asarray(min_age) * YEAR).astype(np.int64)
        first = np.maximum.reduce([self.einzug[person], adult, np.full(len(person), self.start + 1)])
        return first, np.minimum(self.abmelde[person], self.ref)

    def eligible(self, person: np.ndarray, day: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        age = (day - self.birth[person]) / YEAR
        return (self.einzug[person] <= day) & (self.abmelde[person] >= day) & (age >= lo) & (age < hi + 1)


def _pick(rng: np.random.Generator, size: int, count: int, accept: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """For each of ``count`` slots a random index below ``size`` that ``accept(index, slot)`` allows (-1 if none)."""
    chosen = np.full(count, -1, np.int64)
    todo = np.arange(count)
    for _ in range(ROUNDS):
        if not len(todo) or size == 0:
            break
        cand = rng.integers(0, size, len(todo))
        ok = accept(cand, todo)
        chosen[todo[ok]] = cand[ok]
        todo = todo[~ok]
    return chosen


def _days(rng: np.random.Generator, reg: Register, season: np.ndarray, years: np.ndarray, count: int) -> np.ndarray:
    """``count`` days of the window, weighted by month pattern and year effect."""
    days = np.arange(reg.start + 1, reg.ref + 1)
    year, month, _ = year_month_day(days)
    w = season[month - 1] * years[year - year.min()]
    return rng.choice(days, size=count, p=w / w.sum())


def part(reg: Register, svc: int, day: np.ndarray, first: np.ndarray, last: np.ndarray, person: np.ndarray | None = None,
         firm: np.ndarray | None = None, entitled: bool = True) -> pd.DataFrame:
    """Applications of one service as a frame; rows whose day lies outside [first, last] are dropped."""
    n = len(day)
    person = np.full(n, -1, np.int64) if person is None else person
    firm = np.full(n, -1, np.int64) if firm is None else firm
    gem = np.full(n, -1, np.int64)
    gem[person >= 0] = reg.gem[person[person >= 0]]
    gem[firm >= 0] = reg.firm_gem[firm[firm >= 0]]
    keep = (day >= first) & (day <= last)
    return pd.DataFrame({
        "svc": np.full(n, svc, np.int64), "tag": day, "person": person, "firm": firm, "gem": gem,
        "berechtigt": np.full(n, entitled), "frueheste": first, "spaeteste": last,
    })[keep]


class Nachfrage:
    """Applications of every service, one method per kind of occasion."""

    def __init__(self, ctx: Context, rng: np.random.Generator) -> None:
        self.ctx, self.rng = ctx, rng
        self.reg = Register(ctx)
        self.cat = leistungen.katalog()
        first_year = int(year_month_day(np.array([self.reg.start + 1]))[0][0])
        last_year = int(year_month_day(np.array([self.reg.ref]))[0][0])
        self.years = np.arange(first_year, last_year + 1)
        self.season = leistungen.saison(self.cat["saisonmuster"])
        self.effects = leistungen.jahreseffekte(self.cat["leika_schluessel"], self.years)
        self.population = ctx.profile.population

    def expected(self, svc: int) -> float:
        days = np.arange(self.reg.start + 1, self.reg.ref + 1)
        year, month, _ = year_month_day(days)
        weight = (self.season[svc][month - 1] * self.effects[svc][year - self.years[0]]).sum()
        return float(self.cat.jaehrliche_faelle_je_1000[svc]) / 1000.0 * self.population * weight / YEAR

    def draw_days(self, svc: int, count: int) -> np.ndarray:
        return _days(self.rng, self.reg, self.season[svc], self.effects[svc], count)

    def persons(self, svc: int, count: int | None = None, allowed: np.ndarray | None = None, entitled: bool = True) -> pd.DataFrame:
        """Applicants drawn from everyone registered on the day, within the age band (and ``allowed``)."""
        reg, row = self.reg, self.cat.iloc[svc]
        n = self.rng.poisson(self.expected(svc)) if count is None else count
        day = self.draw_days(svc, n)
        lo, hi = age_band(row)
        pool = np.flatnonzero(allowed) if allowed is not None else np.arange(len(reg.ids))
        who = _pick(self.rng, len(pool), n, lambda c, i: reg.eligible(pool[c], day[i], lo, hi))
        ok = who >= 0
        person = pool[who[ok]]
        return part(reg, svc, day[ok], *reg.bounds(person, lo), person=person, entitled=entitled)

    def firms(self, svc: int) -> pd.DataFrame:
        reg = self.reg
        day = self.draw_days(svc, self.rng.poisson(self.expected(svc)))
        who = _pick(self.rng, len(reg.firm_ids), len(day), lambda c, i: (reg.firm_start[c] <= day[i]) & (reg.firm_end[c] > day[i]))
        ok = who >= 0
        firm = who[ok]
        first = np.maximum(reg.firm_start[firm], reg.start + 1)
        return part(reg, svc, day[ok], first, np.minimum(reg.firm_end[firm] - 1, reg.ref), firm=firm)

    def firm_notices(self, svc: int, closing: bool) -> pd.DataFrame:
        """Gewerbe an- or abmelden: one notice per business starting or ending in the window, near that day."""
        reg = self.reg
        when = np.where(reg.firm_end == NEVER, MISSING, reg.firm_end) if closing else reg.firm_start
        firm = np.flatnonzero((when > reg.start) & (when <= reg.ref))
        delay = self.rng.integers(0, 22, len(firm)) if closing else np.round(self.rng.triangular(-10, 0, 20, len(firm))).astype(np.int64)
        day = when[firm] + delay
        span = np.full(len(firm), reg.start + 1), np.full(len(firm), reg.ref)
        return part(reg, svc, day, *span, firm=firm)

    def moves(self, svc: int, kinds: tuple[str, ...], before: bool) -> pd.DataFrame:
        """One application per household moving (same address, day and kind), by its first adult."""
        reg, row = self.reg, self.cat.iloc[svc]
        events = self.ctx.table("meldeereignisse")
        events = events[events["ereignisart"].isin(kinds)]
        person = reg.index.get_indexer(events["einwohner_id"].to_numpy())
        day = days_of(events["ereignisdatum"])
        adult = day - reg.birth[person] >= 18 * YEAR
        frame = pd.DataFrame({"a": events["anschrift_id"].to_numpy()[adult], "d": day[adult], "k": events["ereignisart"].to_numpy()[adult],
                              "p": person[adult]}).drop_duplicates(["a", "d", "k"], keep="first")
        frame = frame[self.rng.random(len(frame)) < float(row.anlass_anteil)]
        person = frame["p"].to_numpy()
        lag = np.minimum(np.round(self.rng.lognormal(np.log(5.0), 0.9, len(frame))), 120).astype(np.int64)
        day = frame["d"].to_numpy() + (-np.minimum(lag, 14) if before else lag)
        return part(reg, svc, day, *reg.bounds(person), person=person)

    def marriages(self, svc: int) -> pd.DataFrame:
        """Eheschließung anmelden: one per couple, 2 weeks to 6 months before the wedding."""
        reg = self.reg
        events = self.ctx.table("meldeereignisse")
        events = events[events["ereignisart"] == "Eheschließung"]
        person = reg.index.get_indexer(events["einwohner_id"].to_numpy())
        couple = np.where(reg.spouse[person] >= 0, np.minimum(reg.ids[person], reg.spouse[person]), reg.ids[person])
        first = ~pd.Series(couple).duplicated().to_numpy()
        person, wedding = person[first], days_of(events["ereignisdatum"])[first]
        day = wedding - self.rng.integers(14, 181, len(person))
        lo, hi = reg.bounds(person)
        spouse = reg.index.get_indexer(reg.spouse[person])
        swap = ((day < lo) | (day > hi)) & (spouse >= 0)
        person = np.where(swap, spouse, person)  # the partner registered here applies
        lo, hi = reg.bounds(person)
        return part(reg, svc, day, lo, np.minimum(hi, wedding - 1), person=person)


def age_band(row: pd.Series) -> tuple[float, float]:
    lo = 18.0 if np.isnan(row.alter_von) else max(float(row.alter_von), 18.0)
    return lo, 120.0 if np.isnan(row.alter_bis) else float(row.alter_bis)
