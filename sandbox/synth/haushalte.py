"""Table `haushalte`: households, each living at one address.

The people of every municipality are synthesised first (see
:mod:`sandbox.synth.bevoelkerung`); their grouping into households is what
this table publishes. The person-level result is handed on to `einwohner`
through ``ctx.extras`` so both tables describe the same people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.bevoelkerung import HAUSHALTSTYPEN, synthesize
from sandbox.synth.context import Context
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate", "PERSONS"]

PERSONS = "haushalte.personen"  # key of the person skeleton in ctx.extras

TABLE = Table(
    name="haushalte",
    description="Privathaushalte: wer zusammen wohnt, an welcher Anschrift und in welcher Konstellation.",
    primary_key="haushalt_id",
    method=(
        "Personen nach Altersaufbau gezogen, Minderjährige zu Geschwistergruppen gebündelt und Eltern passenden "
        "Alters zugeordnet, übrige Erwachsene nach Haushaltsgrößenverteilung allein lebend oder als Paar; "
        "Haushalte zufällig auf die Anschriften ihrer Gemeinde verteilt."
    ),
    columns=(
        Column("haushalt_id", "int64", "Schlüssel des Haushalts", unique=True, min=1),
        Column("anschrift_id", "int64", "Anschrift, an der der Haushalt wohnt", references="anschriften.anschrift_id"),
        Column("haushaltstyp", "string", "Konstellation des Haushalts", allowed=HAUSHALTSTYPEN),
        Column("anzahl_personen", "int64", "Zahl der gemeldeten Personen im Haushalt", min=1),
    ),
)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    gemeinden = ctx.table("gemeinden")
    anschriften = ctx.table("anschriften")
    addr_ids = anschriften["anschrift_id"].to_numpy()
    addr_bounds = np.r_[0, np.cumsum(anschriften.groupby("ags", sort=False).size().reindex(gemeinden["ags"]).fillna(0).to_numpy(np.int64))]
    # anschriften are generated municipality by municipality in gemeinden order
    people, households = [], []
    hh_offset, person_offset = 0, 0
    for gi, g in enumerate(gemeinden.itertuples(index=False)):
        pop = synthesize(rng, int(g.einwohnerzahl), ctx.profile)
        n_hh = len(pop.household_type)
        lo, hi = addr_bounds[gi], addr_bounds[gi + 1]
        address = addr_ids[lo + rng.integers(0, max(hi - lo, 1), size=n_hh)] if n_hh else np.empty(0, np.int64)
        hh_ids = hh_offset + 1 + np.arange(n_hh)
        households.append(pd.DataFrame({
            "haushalt_id": hh_ids,
            "anschrift_id": address,
            "haushaltstyp": np.asarray(HAUSHALTSTYPEN, dtype=object)[pop.household_type],
            "anzahl_personen": np.bincount(pop.household, minlength=n_hh),
        }))
        spouse = np.where(pop.spouse >= 0, pop.spouse + person_offset, -1)
        people.append(pd.DataFrame({
            "gemeinde": gi,
            "alter": pop.age,
            "geschlecht": pop.sex,
            "haushalt_id": hh_ids[pop.household] if n_hh else np.empty(0, np.int64),
            "anschrift_id": address[pop.household] if n_hh else np.empty(0, np.int64),
            "rolle": pop.role,
            "ehegatte": spouse,
        }))
        hh_offset += n_hh
        person_offset += len(pop.age)
    ctx.extras[PERSONS] = pd.concat(people, ignore_index=True)
    return pd.concat(households, ignore_index=True)
