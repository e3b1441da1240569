"""Applications for benefits (Elterngeld, Kita-Platz, Wohngeld), drawn from `ansprueche`.

Entitled households apply with the service's take-up rate
(``inanspruchnahme`` in ``reference/leistungen_prozess.csv``, below 100 %),
so a proactive-administration experiment finds entitled households that
never applied. A few people without entitlement apply as well (share
``nicht_berechtigt_anteil`` in ``reference/prozessannahmen.csv``); they are
marked ``berechtigt`` false and refused by `antraege`.

- Elterngeld: the mother (or the first parent) applies weeks after the
  birth, the other parent with the fathers' participation share, any time in
  the first year.
- Kita-Platz: a parent applies two to eight months before the wanted start,
  which lies after the first birthday, often on 1 August; some children get
  a second application (Krippe to Kindergarten).
- Wohngeld: the Bezugsperson applies soon after the entitlement begins and
  again about every twelve months (Weiterleistungsantrag, WoGG § 25).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.processes.antragsteller import Nachfrage, Register, part
from sandbox.synth.sampling import codes
from sandbox.synth.kalender import MISSING, add_months, days_of, from_year_month_day, year_month_day
from sandbox.synth.processes.katalog import annahme

__all__ = ["benefits", "ANLAESSE"]

#: occasion in leistungen_prozess.csv -> benefit name in `ansprueche`
ANLAESSE = {"Elterngeldanspruch": "Elterngeld", "Kita-Anspruch": "Kita-Platz", "Wohngeldanspruch": "Wohngeld"}
RENEWAL_DAYS = 365


def benefits(b: Nachfrage, svc: int, anlass: str) -> list[dict[str, np.ndarray]]:
    """Entitled applications of one benefit plus a few applications without entitlement."""
    claims = b.ctx.table("ansprueche")
    claims = claims.iloc[np.flatnonzero(codes(claims["leistung"], [ANLAESSE[anlass]]) == 0)]
    take_up = float(b.cat.inanspruchnahme[svc])
    build = {"Elterngeldanspruch": _elterngeld, "Kita-Anspruch": _kita, "Wohngeldanspruch": _wohngeld}[anlass]
    entitled = build(b, svc, claims, take_up)
    reg = b.reg
    claimant = np.zeros(len(reg.ids), bool)
    claimant[reg.pos(claims["einwohner_id"].to_numpy())] = True
    if anlass == "Wohngeldanspruch":
        allowed = reg.is_role("Bezugsperson") & ~claimant
    else:  # parents who live with children but hold no such claim
        allowed = reg.has_child & reg.is_role("Bezugsperson", "Partner/in") & ~claimant
    count = b.rngs[svc].poisson(annahme("nicht_berechtigt_anteil") * len(entitled["tag"]))
    return [entitled, b.persons(svc, count=count, allowed=allowed, entitled=False)]


def _claims(reg: Register, claims: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    person = reg.pos(claims["einwohner_id"].to_numpy())
    return person, days_of(claims["anspruch_ab"]), days_of(claims["anspruch_bis"])


def _elterngeld(b: Nachfrage, svc: int, claims: pd.DataFrame, take_up: float) -> dict[str, np.ndarray]:
    reg, rng = b.reg, b.rngs[svc]
    person, ab, bis = _claims(reg, claims)
    household = claims["haushalt_id"].to_numpy(np.int64)
    order = np.lexsort((reg.ids[person], ~reg.female[person], bis, household))  # per child: mother first
    person, ab, bis, household = person[order], ab[order], bis[order], household[order]
    primary = np.r_[True, (household[1:] != household[:-1]) | (bis[1:] != bis[:-1])]
    share = np.where(primary, take_up, annahme("zweiter_elternteil_anteil"))
    apply = rng.random(len(person)) < share
    lag = np.where(primary, np.minimum(np.round(rng.lognormal(np.log(40.0), 0.5, len(person))), 88),
                   rng.integers(20, 381, len(person))).astype(np.int64)
    first, last = reg.bounds(person)
    return part(reg, svc, (ab + lag)[apply], first[apply], np.minimum(last, bis)[apply], person=person[apply])


def _first_of_month(days: np.ndarray) -> np.ndarray:
    year, month, _ = year_month_day(days)
    return from_year_month_day(year, month, np.ones_like(month))


def _kita(b: Nachfrage, svc: int, claims: pd.DataFrame, take_up: float) -> dict[str, np.ndarray]:
    reg, rng = b.reg, b.rngs[svc]
    child, ab, bis = _claims(reg, claims)
    parent = reg.head_of(claims["haushalt_id"].to_numpy())
    ok = (parent >= 0) & (rng.random(len(child)) < take_up)
    child, ab, bis, parent = child[ok], ab[ok], bis[ok], parent[ok]
    wanted = _first_of_month(add_months(ab, np.floor(rng.gamma(1.5, 5.0, len(ab))).astype(np.int64) + 1))
    year, month, _ = year_month_day(ab)
    august = from_year_month_day(year + (month >= 8), np.full_like(year, 8), np.ones_like(year))
    wanted = np.where(rng.random(len(ab)) < 0.45, august, wanted)  # the Kita year starts in August
    second = rng.random(len(ab)) < annahme("kita_zweitantrag_anteil")
    later = _first_of_month(add_months(wanted, rng.integers(12, 31, len(ab))))
    start = np.concatenate([wanted, later[second]])
    who = np.concatenate([parent, parent[second]])
    end = np.where(bis == MISSING, reg.ref, bis)
    valid = start <= np.concatenate([end, end[second]])
    day = start - rng.integers(60, 241, len(start))
    first, last = reg.bounds(who)
    return part(reg, svc, day[valid], first[valid], last[valid], person=who[valid])


def _wohngeld(b: Nachfrage, svc: int, claims: pd.DataFrame, take_up: float) -> dict[str, np.ndarray]:
    reg, rng = b.reg, b.rngs[svc]
    head, ab, _ = _claims(reg, claims)
    apply = rng.random(len(head)) < take_up
    head, ab = head[apply], ab[apply]
    first_day = ab + np.round(rng.lognormal(np.log(20.0), 0.6, len(ab))).astype(np.int64)
    k0 = np.maximum(0, -((first_day - (reg.start + 1)) // RENEWAL_DAYS))  # first renewal inside the window
    k1 = (reg.ref - first_day) // RENEWAL_DAYS
    count = np.clip(k1 - k0 + 1, 0, None)
    rep = np.repeat(np.arange(len(head)), count)
    k = k0[rep] + np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    day = first_day[rep] + RENEWAL_DAYS * k - np.where(k > 0, rng.integers(0, 46, len(rep)), 0)
    first, last = reg.bounds(head[rep])
    return part(reg, svc, day, first, last, person=head[rep])
