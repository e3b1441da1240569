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

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from sandbox.synth.processes import bedarf, gewerbeleben, katalog
from sandbox.synth.population.bevoelkerung import ROLLEN
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, MISSING, days_of, year_month_day
from sandbox.synth.sampling import days_before, codes

__all__ = ["Register", "Nachfrage", "Positions", "part", "join", "age_band", "YEAR", "COLUMNS"]

NEVER = np.iinfo(np.int64).max // 4  # "not deregistered" as a far-future day
ROUNDS = 25  # rejection-sampling rounds; the acceptance rate is far above 1/2
COLUMNS = ("svc", "tag", "person", "firm", "gem", "berechtigt", "frueheste", "spaeteste")


class Positions:
    """Row positions of integer keys (-1 where a key is unknown)."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.asarray(keys, np.int64)
        self.dense = bool(len(self.keys)) and bool(np.all(np.diff(self.keys) == 1))  # 1, 2, 3, ...: arithmetic
        self.order = None if self.dense or np.all(np.diff(self.keys) > 0) else np.argsort(self.keys, kind="stable")
        self.sorted = self.keys if self.order is None else self.keys[self.order]

    def __call__(self, query: np.ndarray) -> np.ndarray:
        query = np.asarray(query, np.int64)
        if self.dense:
            pos = query - self.keys[0]
            return np.where((pos >= 0) & (pos < len(self.keys)), pos, -1)
        at = np.minimum(np.searchsorted(self.sorted, query), max(len(self.sorted) - 1, 0))
        hit = (self.sorted[at] == query) if len(self.sorted) else np.zeros(len(query), bool)
        pos = at if self.order is None else self.order[at]
        return np.where(hit, pos, -1)


class Register:
    """Person and business arrays the applicant rules need, indexed by row position."""

    def __init__(self, ctx: Context) -> None:
        people = ctx.table("einwohner")
        self.ref = days_before(ctx.profile.stichtag)
        self.years = katalog.antragsjahre(ctx.profile)
        self.start = self.ref - int(self.years * YEAR)  # exclusive, as the event window of meldeereignisse
        self.ids = people["einwohner_id"].to_numpy(np.int64)
        self.pos = Positions(self.ids)
        self.birth = days_of(people["geburtsdatum"])
        self.einzug = days_of(people["einzugsdatum"])
        gone = days_of(people["abmeldedatum"])
        self.abmelde = np.where(gone == MISSING, NEVER, gone)
        self.female = codes(people["geschlecht"], ["weiblich"]) == 0
        self.household = people["haushalt_id"].fillna(-1).to_numpy(np.int64)
        self.role = codes(people["stellung_im_haushalt"], ROLLEN)
        self.spouse = people["ehegatte_id"].fillna(-1).to_numpy(np.int64)
        gemeinden = ctx.table("gemeinden")["ags"]
        anschriften = ctx.table("anschriften")
        address_gem = codes(anschriften["ags"], gemeinden)
        self.gem = address_gem[Positions(anschriften["anschrift_id"].to_numpy())(people["anschrift_id"].to_numpy())]
        firms = ctx.table("gewerbe")
        self.firm_ids = firms["betrieb_id"].to_numpy(np.int64)
        self.firm_gem = codes(firms["ags"], gemeinden)
        self.firm_start = days_of(firms["anmeldedatum"])
        closed = days_of(firms["abmeldedatum"])
        self.firm_end = np.where(closed == MISSING, NEVER, closed)
        slots = np.full(int(self.household.max(initial=0)) + 2, -1, np.int64)  # index household + 1
        heads = np.flatnonzero(self.role == ROLLEN.index("Bezugsperson"))
        slots[self.household[heads] + 1] = heads
        slots[0] = -1
        self.head_by_household = slots
        with_child = np.zeros(len(slots), bool)
        with_child[self.household[self.role == ROLLEN.index("Kind")] + 1] = True
        with_child[0] = False
        self.has_child = with_child[self.household + 1]

    def head_of(self, household: np.ndarray) -> np.ndarray:
        """Row of each household's Bezugsperson (-1 if unknown)."""
        household = np.asarray(household, np.int64)
        inside = (household >= 0) & (household + 1 < len(self.head_by_household))
        return np.where(inside, self.head_by_household[np.where(inside, household + 1, 0)], -1)

    def is_role(self, *roles: str) -> np.ndarray:
        return np.isin(self.role, [ROLLEN.index(r) for r in roles])

    def bounds(self, person: np.ndarray, min_age: np.ndarray | float = 18.0) -> tuple[np.ndarray, np.ndarray]:
        """First and last day a person could apply: registered here and old enough, inside the window."""
        adult = self.birth[person] + np.ceil(np.asarray(min_age) * YEAR).astype(np.int64)
        first = np.maximum(np.maximum(self.einzug[person], adult), self.start + 1)
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


def part(reg: Register, svc: int, day: np.ndarray, first: np.ndarray, last: np.ndarray, person: np.ndarray | None = None,
         firm: np.ndarray | None = None, entitled: bool = True) -> dict[str, np.ndarray]:
    """Applications of one service as arrays; rows whose day lies outside [first, last] are dropped."""
    n = len(day)
    person = np.full(n, -1, np.int64) if person is None else person
    firm = np.full(n, -1, np.int64) if firm is None else firm
    gem = np.full(n, -1, np.int64)
    gem[person >= 0] = reg.gem[person[person >= 0]]
    gem[firm >= 0] = reg.firm_gem[firm[firm >= 0]]
    keep = (day >= first) & (day <= last)
    columns = (np.full(n, svc, np.int64), day, person, firm, gem, np.full(n, entitled), first, last)
    return {name: np.asarray(values)[keep] for name, values in zip(COLUMNS, columns)}


def join(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate applications of several services."""
    return {name: np.concatenate([p[name] for p in parts]) for name in COLUMNS}


class Nachfrage:
    """Applications of every service, one method per kind of occasion."""

    def __init__(self, ctx: Context, table: str) -> None:
        self.ctx = ctx
        self.reg = Register(ctx)
        self.cat = katalog.katalog()
        self.window = np.arange(self.reg.start + 1, self.reg.ref + 1)
        year, self.month, _ = year_month_day(self.window)
        self.years = np.arange(year[0], year[-1] + 1)
        self.year_index = year - year[0]
        self.season = katalog.saison(self.cat["saisonmuster"])
        self.effects = katalog.jahreseffekte(self.cat["leika_schluessel"], self.years)
        self.population = ctx.profile.population
        #: cases per 1,000 and year: identity documents from the residents' ages, others from the catalogue
        self.rates = bedarf.rates(self.cat, bedarf.ages_on_reference_day(ctx.table("einwohner"), ctx.profile.stichtag))
        #: one random stream per service: services can be drawn in any order, or at the same time
        self.rngs = [ctx.rng(table, f"nachfrage/{key}") for key in self.cat["leika_schluessel"]]

    def year_of(self, days: np.ndarray) -> np.ndarray:
        """Calendar year of days inside the window."""
        return self.years[self.year_index[np.clip(days - self.window[0], 0, len(self.window) - 1)]]

    def _weights(self, svc: int) -> np.ndarray:
        return self.season[svc][self.month - 1] * self.effects[svc][self.year_index]

    def expected(self, svc: int) -> float:
        """Expected applications in the window: cases per 1,000 residents and year, seasons and year effects."""
        return float(self.rates[svc]) / 1000.0 * self.population * self._weights(svc).sum() / YEAR

    def draw_days(self, svc: int, count: int) -> np.ndarray:
        """``count`` days of the window, weighted by the service's month pattern and year effects."""
        w = self._weights(svc)
        return self.rngs[svc].choice(self.window, size=count, p=w / w.sum())

    def persons(self, svc: int, count: int | None = None, allowed: np.ndarray | None = None, entitled: bool = True) -> dict[str, np.ndarray]:
        """Applicants drawn from everyone registered on the day, within the age band (and ``allowed``)."""
        reg, row = self.reg, self.cat.iloc[svc]
        n = self.rngs[svc].poisson(self.expected(svc)) if count is None else count
        day = self.draw_days(svc, n)
        lo, hi = age_band(row)
        pool = np.flatnonzero(allowed) if allowed is not None else np.arange(len(reg.ids))
        rng, key = self.rngs[svc], [row.leika_schluessel]

        def accept(c: np.ndarray, i: np.ndarray) -> np.ndarray:
            weight = bedarf.renewal_weight(key, np.zeros(len(c), np.int64), (day[i] - reg.birth[pool[c]]) / YEAR)
            return reg.eligible(pool[c], day[i], lo, hi) & (rng.random(len(c)) < weight)

        who = _pick(rng, len(pool), n, accept)
        ok = who >= 0
        person = pool[who[ok]]
        return part(reg, svc, day[ok], *reg.bounds(person, lo), person=person, entitled=entitled)

    def firms(self, svc: int) -> dict[str, np.ndarray]:
        reg = self.reg
        day = self.draw_days(svc, self.rngs[svc].poisson(self.expected(svc)))
        who = _pick(self.rngs[svc], len(reg.firm_ids), len(day), lambda c, i: (reg.firm_start[c] <= day[i]) & (reg.firm_end[c] > day[i]))
        ok = who >= 0
        firm = who[ok]
        first = np.maximum(reg.firm_start[firm], reg.start + 1)
        return part(reg, svc, day[ok], first, np.minimum(reg.firm_end[firm] - 1, reg.ref), firm=firm)

    def firm_notices(self, svc: int, closing: bool) -> dict[str, np.ndarray]:
        """Gewerbe an- or abmelden: one notice per business starting or ending in the window, near that day.

        A business is announced from ten days before until three weeks after it
        starts; a closure is notified with it (GewO § 14) or within
        ``abmeldung_frist_tage``, never after the reference day, so every
        registration and closure of the window has its notice.
        """
        reg, rng = self.reg, self.rngs[svc]
        when = np.where(reg.firm_end == NEVER, MISSING, reg.firm_end) if closing else reg.firm_start
        firm = np.flatnonzero((when > reg.start) & (when <= reg.ref))
        if closing:
            delay = rng.integers(0, int(gewerbeleben.dynamik()["abmeldung_frist_tage"]) + 1, len(firm))
        else:
            delay = np.round(rng.triangular(-10, 0, 20, len(firm))).astype(np.int64)
        first = np.maximum(when[firm] - (3 if closing else 10), reg.start + 1)  # a weekend closure: the Friday before
        last = np.minimum(when[firm] + 31, reg.ref)
        return part(reg, svc, np.clip(when[firm] + delay, first, last), first, last, firm=firm)

    def moves(self, svc: int, kinds: tuple[str, ...], before: bool) -> dict[str, np.ndarray]:
        """One application per household moving (same address, day and kind), by its first adult."""
        reg, row = self.reg, self.cat.iloc[svc]
        events = self.ctx.table("meldeereignisse")
        kind = codes(events["ereignisart"], kinds)
        rows = np.flatnonzero(kind >= 0)
        person = reg.pos(events["einwohner_id"].to_numpy()[rows])
        day = days_of(events["ereignisdatum"])[rows]
        adult = day - reg.birth[person] >= 18 * YEAR
        address = events["anschrift_id"].to_numpy()[rows][adult]
        person, day, kind = person[adult], day[adult], kind[rows][adult]
        order = np.lexsort((person, kind, day, address))  # one per address, day and kind: its first adult
        first = np.r_[True, (np.diff(address[order]) != 0) | (np.diff(day[order]) != 0) | (np.diff(kind[order]) != 0)]
        chosen = np.sort(order[first])
        chosen = chosen[self.rngs[svc].random(len(chosen)) < float(row.anlass_anteil)]
        person, day = person[chosen], day[chosen]
        lag = np.minimum(np.round(self.rngs[svc].lognormal(np.log(5.0), 0.9, len(person))), 120).astype(np.int64)
        day = day + (-np.minimum(lag, 14) if before else lag)
        return part(reg, svc, day, *reg.bounds(person), person=person)

    def marriages(self, svc: int) -> dict[str, np.ndarray]:
        """Eheschließung anmelden: one per couple, 2 weeks to 6 months before the wedding."""
        reg = self.reg
        events = self.ctx.table("meldeereignisse")
        rows = np.flatnonzero(codes(events["ereignisart"], ["Eheschließung"]) == 0)
        person = reg.pos(events["einwohner_id"].to_numpy()[rows])
        couple = np.where(reg.spouse[person] >= 0, np.minimum(reg.ids[person], reg.spouse[person]), reg.ids[person])
        _, first = np.unique(couple, return_index=True)
        first = np.sort(first)
        person, wedding = person[first], days_of(events["ereignisdatum"])[rows][first]
        day = wedding - self.rngs[svc].integers(14, 181, len(person))
        lo, hi = reg.bounds(person)
        spouse = reg.pos(reg.spouse[person])
        swap = ((day < lo) | (day > hi)) & (spouse >= 0)
        person = np.where(swap, spouse, person)  # the partner registered here applies
        lo, hi = reg.bounds(person)
        return part(reg, svc, day, np.maximum(lo, wedding - 180), np.minimum(hi, wedding - 1), person=person)


def age_band(row: pd.Series) -> tuple[float, float]:
    lo = 18.0 if np.isnan(row.alter_von) else max(float(row.alter_von), 18.0)
    return lo, 120.0 if np.isnan(row.alter_bis) else float(row.alter_bis)
