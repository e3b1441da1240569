"""Table `haushalte`: households, each living at one address.

The people of every municipality are synthesised first (see
:mod:`sandbox.synth.population.bevoelkerung`); their grouping into households is what
this table publishes. The person-level result is shared with `einwohner`
(:class:`~sandbox.synth.population.residents.Residents`) so both tables
describe the same people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.population.bevoelkerung import HAUSHALTSTYPEN, synthesize
from sandbox.synth.population.residents import Residents
from sandbox.synth.context import Context
from sandbox.synth.sampling import take_strings
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate"]

TABLE = Table(
    name="haushalte",
    description="Privathaushalte: wer zusammen wohnt, an welcher Anschrift und in welcher Konstellation.",
    primary_key="haushalt_id",
    method=(
        "Personen nach Einzelaltersjahren und Geschlecht aus dem Altersaufbau ihres Kreises gezogen, Minderjährige zu "
        "Geschwistergruppen gebündelt und Eltern passenden Alters zugeordnet; übrige Erwachsene leben nach Alter und "
        "Geschlecht als Paar (Altersabstand etwa drei Jahre), in Wohngemeinschaften (Großstädte), im Haushalt eines "
        "Kindes (Mehrgenerationenhaushalt) oder allein; Haushalte zufällig auf die Anschriften ihrer Gemeinde verteilt."
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
    pop = synthesize(rng, gemeinden["einwohnerzahl"].to_numpy(np.int64), ctx.profile, gemeinden["kreis_ags"].to_numpy(),
                     (gemeinden["gemeindetyp"] == "Kreisfreie Stadt").to_numpy())
    # anschriften are numbered municipality by municipality in gemeinden order
    per_gemeinde = anschriften.groupby("ags", sort=False).size().reindex(gemeinden["ags"]).fillna(0).to_numpy(np.int64)
    first_address = anschriften["anschrift_id"].to_numpy()[0] + np.cumsum(per_gemeinde) - per_gemeinde
    g = pop.household_gemeinde
    address = first_address[g] + (rng.random(len(g)) * per_gemeinde[g]).astype(np.int64)
    hh_ids = 1 + np.arange(len(g), dtype=np.int64)
    ctx.share(TABLE.name, Residents(population=pop, haushalt_id=hh_ids[pop.household], anschrift_id=address[pop.household]))
    return pd.DataFrame({
        "haushalt_id": hh_ids,
        "anschrift_id": address,
        "haushaltstyp": take_strings(HAUSHALTSTYPEN, pop.household_type),
        "anzahl_personen": np.bincount(pop.household, minlength=len(g)),
    })
