"""Who comes to an appointment: a person from the register who fits the day and the service.

Services whose catalogue entry names an occasion (``anlass`` in
`leistungen`, e.g. ``Zuzug/Umzug``, ``Wegzug``, ``Eheschließung``) take a
person whose register event of that kind lies in the window that
``reference/termine_anlaesse.csv`` gives around the appointment: a mover up to
two weeks after moving in, a bride or groom weeks to months before the
wedding. All other services take a resident of the location's municipality.
Either way the person must be registered in the municipality on the day
(since birth or the Zuzug, until death or Wegzug) and within the service's
age band. Persons are drawn by rejection sampling in a few vectorised rounds;
a share of visitors from elsewhere, and appointments without a fitting
person, get none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth import reference
from sandbox.synth.processes import bedarf
from sandbox.synth.sampling import codes, positions
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, MISSING, days_of
from sandbox.synth.codes import EREIGNISARTEN

__all__ = ["persons_for"]

ROUNDS = 10  # rejection-sampling rounds; most rows succeed in the first
NEVER = np.iinfo(np.int64).max // 4


class _Register:
    """Person arrays (row positions of `einwohner`) and register events with their municipality."""

    def __init__(self, ctx: Context) -> None:
        people = ctx.table("einwohner")
        anschriften = ctx.table("anschriften")
        address_ids = anschriften["anschrift_id"].to_numpy(np.int64)
        address_gem = codes(anschriften["ags"], ctx.table("gemeinden")["ags"])
        self.ids = people["einwohner_id"].to_numpy(np.int64)
        self.gem = address_gem[positions(address_ids, people["anschrift_id"].to_numpy(np.int64))]
        self.birth = days_of(people["geburtsdatum"])
        gone = days_of(people["abmeldedatum"])
        self.until = np.where(gone == MISSING, NEVER, gone)
        events = ctx.table("meldeereignisse")
        self.ev_kind = codes(events["ereignisart"], EREIGNISARTEN)
        self.ev_person = positions(self.ids, events["einwohner_id"].to_numpy(np.int64))
        self.ev_day = days_of(events["ereignisdatum"])
        self.ev_gem = address_gem[positions(address_ids, events["anschrift_id"].to_numpy(np.int64))]
        self.last_day = int(self.ev_day.max(initial=0))
        self.single = (people["familienstand"] != "verheiratet").to_numpy(dtype=bool, na_value=True)
        zuzug = self.ev_kind == EREIGNISARTEN.index("Zuzug")
        self.since = self.birth.copy()
        self.since[self.ev_person[zuzug]] = self.ev_day[zuzug]


def _windows() -> dict[str, tuple[int, int]]:
    table = reference.load("termine_anlaesse")
    return {row.ereignisart: (int(row.von_tage), int(row.bis_tage)) for row in table.itertuples(index=False)}


def persons_for(ctx: Context, rng: np.random.Generator, gemeinde: np.ndarray, day: np.ndarray,
                services: pd.DataFrame, service: np.ndarray, outsider_share: float) -> np.ndarray:
    """An `einwohner_id` per appointment (municipality index, day, row of ``services``), -1 where nobody fits."""
    reg = _Register(ctx)
    n = len(day)
    lo, hi = np.zeros(n, np.int64), np.zeros(n, np.int64)
    pools: list[np.ndarray] = []
    used = 0

    def add_pool(members: np.ndarray, member_key: np.ndarray, rows: np.ndarray, key_lo: np.ndarray, key_hi: np.ndarray) -> None:
        nonlocal used
        order = np.argsort(member_key, kind="stable")
        pools.append(members[order])
        lo[rows] = used + np.searchsorted(member_key[order], key_lo, side="left")
        hi[rows] = used + np.searchsorted(member_key[order], key_hi, side="right")
        used += len(order)

    windows = _windows()
    occasion = services["anlass"].fillna("").to_numpy(dtype=object)
    generic = np.ones(n, bool)
    unmarried = (occasion == "Eheschließung")[service]  # who notifies a marriage is not married yet
    base = int(min(reg.ev_day.min(initial=0), day.min(initial=0))) - 1000
    span = int(max(reg.ev_day.max(initial=0), day.max(initial=0))) - base + 1000
    for anlass in sorted(set(occasion) - {""}):
        kinds = [k for k in anlass.split("/") if k in windows and k in EREIGNISARTEN]
        if not kinds:
            continue  # an occasion outside the register (businesses, entitlements): any resident
        rows = np.flatnonzero(np.isin(service, np.flatnonzero(occasion == anlass)))
        events = np.isin(reg.ev_kind, [EREIGNISARTEN.index(k) for k in kinds]) & (reg.ev_person >= 0)
        before, after = min(windows[k][0] for k in kinds), max(windows[k][1] for k in kinds)
        # an event that follows the visit after the register's last day (a wedding next spring) is not recorded: any fitting resident
        beyond = np.clip((day[rows] + after - reg.last_day) / max(after - before, 1), 0.0, 1.0) * (before >= 0)
        rows = rows[rng.random(len(rows)) >= beyond]
        generic[rows] = False
        unmarried[rows] = False
        key = reg.ev_gem[events] * span + (reg.ev_day[events] - base)
        target = gemeinde[rows] * span + (day[rows] - base)
        add_pool(reg.ev_person[events], key, rows, target + before, target + after)
    rows = np.flatnonzero(generic)
    everyone = np.arange(len(reg.ids))
    add_pool(everyone, reg.gem, rows, gemeinde[rows], gemeinde[rows])

    candidates = np.concatenate(pools)
    min_age = services["alter_von"].fillna(0).to_numpy(float)[service]
    max_age = services["alter_bis"].fillna(200).to_numpy(float)[service]
    keys = services["leika_schluessel"].tolist()
    result = np.full(n, -1, np.int64)
    pending = np.flatnonzero((rng.random(n) >= outsider_share) & (hi > lo))
    for _ in range(ROUNDS):
        if not len(pending):
            break
        pick = candidates[lo[pending] + np.floor(rng.random(len(pending)) * (hi - lo)[pending]).astype(np.int64)]
        when = day[pending]
        age = np.floor((when - reg.birth[pick]) / YEAR)
        renews = rng.random(len(pending)) < bedarf.renewal_weight(keys, service[pending], (when - reg.birth[pick]) / YEAR)
        ok = (reg.since[pick] <= when) & (when <= reg.until[pick]) & (age >= min_age[pending]) & (age <= max_age[pending]) & renews
        ok &= ~unmarried[pending] | reg.single[pick]
        result[pending[ok]] = reg.ids[pick[ok]]
        pending = pending[~ok]
    return result
