"""Appointments that lead to applications: the counter applications of services booked in `termine`.

A Bürgerbüro or Standesamt visit with an appointment produces the
application on the appointment's day, by the person who booked it, for the
booked service; missed and cancelled appointments produce none. Visitors
without an appointment (walk-ins) remain where the office allows them: in
Bürgerbüros the share of visits without an appointment
(``1 - termin_anteil`` in ``reference/termine_annahmen.csv``), in
Standesämtern ``1 - termin_anteil_standesamt``. The demand model's other
counter applications of these services are replaced by the appointments, so
the volumes stay those of the catalogue while the two tables now join.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.kalender import days_of
from sandbox.synth.processes.antragsteller import COLUMNS, Nachfrage
from sandbox.synth.processes.buergerbueros import annahmen
from sandbox.synth.sampling import codes

__all__ = ["with_appointments"]


def _walk_in_share(cat: pd.DataFrame, svc: np.ndarray) -> np.ndarray:
    a = annahmen()
    standesamt = cat["amt"].to_numpy(dtype=object)[svc] == "Standesamt"
    return np.where(standesamt, 1.0 - a["termin_anteil_standesamt"], 1.0 - a["termin_anteil"])


def with_appointments(b: Nachfrage, rng: np.random.Generator, apps: dict[str, np.ndarray], kanal: np.ndarray,
                      counter: int, termine: pd.DataFrame, gemeinden: pd.Series) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Applications with the attended appointments in place of the booked counter visits.

    Returns the applications, their channels and a mask of rows whose day is
    fixed by an appointment (not to be moved off a Saturday).
    """
    reg, cat = b.reg, b.cat
    booked = np.isin(cat["leika_schluessel"].to_numpy(dtype=object), termine["leika_schluessel"].unique())
    day = days_of(termine["termin_datum"])
    first_day = int(day.min(initial=reg.ref + 1))
    svc, in_person = apps["svc"], kanal == counter
    replaced = in_person & booked[svc] & (apps["tag"] >= first_day) & (rng.random(len(svc)) >= _walk_in_share(cat, svc))
    keep = ~replaced
    attended = (termine["status"] == "wahrgenommen").to_numpy(dtype=bool, na_value=False) & termine["einwohner_id"].notna().to_numpy() & (day > reg.start) & (day <= reg.ref)
    person = reg.pos(termine["einwohner_id"].fillna(-1).to_numpy(np.int64)[attended])
    t_svc = pd.Index(cat["leika_schluessel"]).get_indexer(termine["leika_schluessel"].to_numpy(dtype=object)[attended])
    ok = (person >= 0) & (t_svc >= 0)
    t_day = day[attended][ok]
    n = int(ok.sum())
    extra = {
        "svc": t_svc[ok].astype(np.int64), "tag": t_day, "person": person[ok], "firm": np.full(n, -1, np.int64),
        "gem": codes(termine["ags"], gemeinden)[attended][ok], "berechtigt": np.ones(n, bool),
        "frueheste": t_day, "spaeteste": t_day,
    }
    out = {name: np.concatenate([apps[name][keep], extra[name]]) for name in COLUMNS}
    fixed = np.r_[np.zeros(int(keep.sum()), bool), np.ones(n, bool)]
    return out, np.r_[kanal[keep], np.full(n, counter, kanal.dtype)], fixed
