"""Table `meldeereignisse`: register events of the last years, read off `einwohner`.

Births are the residents who lived here from birth during the event years
(registered in their parents' household); moves in are the residents whose
moving-in day falls in that window, a Zuzug from elsewhere or an Umzug inside
the municipality in the proportion of the profile's rates, decided once for
everybody who moved in at one address on one day (a household moves
together); marriages are the people married today whose marriage day falls
in it (the partnership process of :mod:`~sandbox.synth.population.partnerschaft`),
divorces likewise the people divorced today whose divorce day falls in it;
deaths and moves away are the deregistered entries, so every deregistration
is an event. Moves away are households or parts of them leaving from one
address on one day (:mod:`~sandbox.synth.population.fortzuege`), and nobody
moves in on the day they leave. Events are therefore consistent with the
register by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.codes import EREIGNISARTEN
from sandbox.synth.context import Context
from sandbox.synth.sampling import days_before
from sandbox.synth.schema import Column, Table, EVENT_WINDOW, PAST
from sandbox.synth.kalender import YEAR

__all__ = ["TABLE", "generate"]

TABLE = Table(
    name="meldeereignisse",
    description="Meldeereignisse der letzten Jahre (Geburt, Zuzug, Wegzug, Umzug, Eheschließung, Ehescheidung, Sterbefall) je Person.",
    primary_key="ereignis_id",
    method=(
        "Aus den Registereinträgen abgeleitet: Geburts-, Einzugs-, Eheschließungs-, Scheidungs- und Abmeldedaten im "
        "Ereigniszeitraum; "
        "jede Abmeldung ist ein Ereignis. Wer an einer Anschrift am selben Tag einzieht, zieht gemeinsam zu (Zuzug oder "
        "Umzug nach den Raten des Profils); Fortzüge sind ganze Haushalte oder Teile davon (Paare, Familien mit ihren "
        "Kindern, junge Erwachsene aus dem Elternhaus oder der Wohngemeinschaft) an einem Tag von einer Anschrift, mit "
        "Fortzugsraten je 1.000 nach Alter (reference/fortzuege_alter.csv); niemand zieht am Tag seines Wegzugs oder "
        "Todes ein."
    ),
    columns=(
        Column("ereignis_id", "int64", "Schlüssel des Ereignisses", unique=True, min=1),
        Column("einwohner_id", "int64", "betroffene Person", references="einwohner.einwohner_id"),
        Column("ereignisart", "string", "Art des Ereignisses", allowed=EREIGNISARTEN),
        Column("ereignisdatum", "date", "Tag des Ereignisses", roles={PAST, EVENT_WINDOW}),
        Column("anschrift_id", "int64", "Anschrift, an der das Ereignis gemeldet wurde", references="anschriften.anschrift_id"),
    ),
)


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    people = ctx.table("einwohner")
    ref = days_before(ctx.profile.stichtag)
    start = ref - int(ctx.profile.ereignisjahre * YEAR)
    epoch = np.datetime64("1970-01-01", "D")

    def days(column: str) -> np.ndarray:
        values = people[column].to_numpy(dtype="datetime64[D]")
        return np.where(np.isnat(values), np.iinfo(np.int64).min, (values - epoch).astype(np.int64))

    birth, moved_in, status_day, left = days("geburtsdatum"), days("einzugsdatum"), days("familienstand_datum"), days("abmeldedatum")
    in_window = lambda d: (d > start) & (d <= ref)  # noqa: E731
    status = people["meldestatus"].to_numpy()
    ids = people["einwohner_id"].to_numpy()
    address = people["anschrift_id"].to_numpy()

    birth_ev = in_window(birth) & (moved_in == birth)  # registered at the parents' home, wherever the hospital was
    move_ev = in_window(moved_in) & ~birth_ev & (moved_in != birth)
    rates = ctx.profile.values("ereignisraten")
    zuzug_share = float(rates["zuzug"]) / (float(rates["zuzug"]) + float(rates["umzug"]))
    # who moved in together (one address, one day) came from the same place: from elsewhere or from inside
    _, unit_idx = np.unique(address * (1 << 20) + np.where(moved_in > 0, moved_in, 0), return_inverse=True)
    is_zuzug = (rng.random(unit_idx.max() + 1) < zuzug_share)[unit_idx]
    family_status = people["familienstand"].to_numpy()
    marriage_ev = in_window(status_day) & (family_status == "verheiratet")
    divorce_ev = in_window(status_day) & (family_status == "geschieden")
    death_ev = status == "verstorben"
    away_ev = status == "weggezogen"

    parts = [
        (birth_ev, "Geburt", birth),
        (move_ev & is_zuzug, "Zuzug", moved_in),
        (move_ev & ~is_zuzug, "Umzug", moved_in),
        (marriage_ev, "Eheschließung", status_day),
        (divorce_ev, "Ehescheidung", status_day),
        (death_ev, "Sterbefall", left),
        (away_ev, "Wegzug", left),
    ]
    frame = pd.concat([
        pd.DataFrame({"einwohner_id": ids[mask], "ereignisart": kind, "tag": day[mask], "anschrift_id": address[mask]})
        for mask, kind, day in parts
    ], ignore_index=True)
    frame = frame.sort_values(["tag", "einwohner_id", "ereignisart"], kind="stable", ignore_index=True)
    frame.insert(0, "ereignis_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    frame["ereignisdatum"] = frame.pop("tag").to_numpy().astype("datetime64[D]")
    return frame[TABLE.column_names]
