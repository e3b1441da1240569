"""The named rules across tables and columns, each a frame builder and its expectations.

What the schemas cannot say column by column: children are younger than the
adults of their household, spouses point at each other and live together,
registration events lie between birth and deregistration, an application's
events lie between its receipt and its decision, a household's size is the
number of people registered in it, and dates of one record come in order.

Each rule names the columns it needs; :func:`named_checks` skips it with a
note when one is missing. That a date of a record comes after another (a
decision after the receipt, a move-out after the move-in) is declared on the
schema's columns (``After``) and turned into rules here. Frames are built vectorised (array
lookups instead of merges where a key is unique), so the sachsen dataset's
twenty million process events cost seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sandbox.quality.crosschecks import CrossCheck, Frames, lookup, pair_after, pair_equal, without_na
from sandbox.quality.loading import Loaded
from sandbox.quality.suites import Check

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NAMED", "date_orders", "named_checks"]


def _side_by_side(left: "pd.DataFrame", right: "pd.DataFrame") -> "pd.DataFrame":
    import pandas as pd

    return pd.concat([left, right], axis=1)


def _children(frames: Frames) -> "pd.DataFrame":
    people = frames["einwohner"][["einwohner_id", "haushalt_id", "stellung_im_haushalt", "geburtsdatum"]]
    people = people[people["haushalt_id"].notna()]
    role = people["stellung_im_haushalt"].astype("object")
    kids = people[role == "Kind"]
    adults = people[role.isin(["Bezugsperson", "Partner/in"])]
    pairs = kids.merge(adults, on="haushalt_id", suffixes=("", "_elternteil"))
    frame = pairs.rename(columns={"einwohner_id_elternteil": "elternteil_id", "geburtsdatum": "geburtsdatum_kind"})
    return frame[["einwohner_id", "elternteil_id", "geburtsdatum_kind", "geburtsdatum_elternteil"]]


def _spouses(frames: Frames) -> "pd.DataFrame":
    people = frames["einwohner"]
    married = people.loc[people["ehegatte_id"].notna(), ["einwohner_id", "ehegatte_id", "haushalt_id"]]
    married = married[married["ehegatte_id"].isin(people["einwohner_id"])]  # an unknown spouse is the FK check's
    spouse = lookup(people, "einwohner_id", married["ehegatte_id"], {"ehegatte_id": "ehegatte_des_ehegatten",
                                                                     "haushalt_id": "haushalt_des_ehegatten"})
    return _side_by_side(married, spouse)


def _life_course(frames: Frames) -> "pd.DataFrame":
    return frames["einwohner"][["einwohner_id", "geburtsdatum", "einzugsdatum", "abmeldedatum"]]


def _registration_events(frames: Frames) -> "pd.DataFrame":
    events = frames["meldeereignisse"][["ereignis_id", "einwohner_id", "ereignisdatum"]]
    person = lookup(frames["einwohner"], "einwohner_id", events["einwohner_id"],
                    {"geburtsdatum": "geburtsdatum", "abmeldedatum": "abmeldedatum"})
    return _side_by_side(events, person)


def _household_sizes(frames: Frames) -> "pd.DataFrame":
    households = frames["haushalte"][["haushalt_id", "anzahl_personen"]]
    counted = frames["einwohner"]["haushalt_id"].dropna().astype("int64").value_counts()
    return households.assign(gemeldete_personen=households["haushalt_id"].map(counted).fillna(0).astype("int64"))


def _process_events(frames: Frames) -> "pd.DataFrame":
    """Per application its first and last event, and its span (millions of events become one row each)."""
    import pandas as pd

    events = frames["vorgangsereignisse"]
    span = events.groupby("antrag_id", sort=True)["zeitstempel"].agg(["min"])
    if "teilprozess" in events:  # the objection follows the notice: the application ends with its last step before
        events = events[(events["teilprozess"] != "Widerspruchsverfahren").to_numpy()]
    span["max"] = events.groupby("antrag_id", sort=True)["zeitstempel"].max().reindex(span.index)
    keys = pd.Series(span.index.to_numpy(), name="antrag_id")
    case = lookup(frames["antraege"], "antrag_id", keys, {"eingangsdatum": "antrag_beginn",
                                                          "bescheiddatum": "antrag_ende"})
    return pd.DataFrame({"antrag_id": keys, "erstes_ereignis": span["min"].to_numpy(),
                         "letztes_ereignis": span["max"].to_numpy(),
                         "antrag_beginn": case["antrag_beginn"].dt.normalize(),
                         "antrag_ende": case["antrag_ende"].dt.normalize() + pd.Timedelta(days=1)})


def _order(table: str, key: str, earlier: str, later: str, label: str) -> CrossCheck:
    """A rule within one table: ``later`` is never before ``earlier`` (an empty end is open)."""
    return CrossCheck(f"reihenfolge_{table}_{later}", table, f"{table}: {label}", {table: (key, earlier, later)},
                      (pair_after(later, earlier, label),), (key,), lambda frames: frames[table][[key, earlier, later]])


def date_orders() -> tuple[CrossCheck, ...]:
    """One rule per date the schema declares ``after`` another date of the same record."""
    from sandbox.synth import TABLES

    return tuple(_order(name, module.TABLE.primary_key, col.after.column, col.name, col.after.label)
                 for name, module in TABLES.items() for col in module.TABLE.columns
                 if col.after is not None and module.TABLE.primary_key)


NAMED: tuple[CrossCheck, ...] = (
    CrossCheck("kinder_juenger_als_eltern", "einwohner", "Kinder sind jünger als die Erwachsenen ihres Haushalts",
               {"einwohner": ("einwohner_id", "haushalt_id", "stellung_im_haushalt", "geburtsdatum")},
               (pair_after("geburtsdatum_kind", "geburtsdatum_elternteil",
                           "Kind jünger als Bezugsperson und Partner/in im Haushalt", or_equal=False),),
               ("einwohner_id",), _children),
    CrossCheck("ehegatten", "einwohner", "Ehegatten verweisen aufeinander und wohnen im selben Haushalt",
               {"einwohner": ("einwohner_id", "ehegatte_id", "haushalt_id")},
               (pair_equal("einwohner_id", "ehegatte_des_ehegatten", "Ehegatte verweist zurück"),
                pair_equal("haushalt_id", "haushalt_des_ehegatten", "Ehegatten im selben Haushalt",
                           "both_values_are_missing")),
               ("einwohner_id",), _spouses),
    CrossCheck("meldeereignisse_im_leben", "meldeereignisse", "Meldeereignisse zwischen Geburt und Abmeldung",
               {"meldeereignisse": ("ereignis_id", "einwohner_id", "ereignisdatum"),
                "einwohner": ("einwohner_id", "geburtsdatum", "abmeldedatum")},
               (pair_after("ereignisdatum", "geburtsdatum", "Meldeereignis nicht vor der Geburt"),
                pair_after("abmeldedatum", "ereignisdatum", "Meldeereignis nicht nach Tod oder Wegzug")),
               ("ereignis_id",), _registration_events),
    CrossCheck("haushaltsgroesse", "haushalte", "anzahl_personen stimmt mit den gemeldeten Personen überein",
               {"haushalte": ("haushalt_id", "anzahl_personen"), "einwohner": ("haushalt_id",)},
               (pair_equal("anzahl_personen", "gemeldete_personen", "anzahl_personen = Personen mit diesem Haushalt"),),
               ("haushalt_id",), _household_sizes),
    CrossCheck("vorgangsereignisse_im_antrag", "vorgangsereignisse",
               "Zeitstempel der Vorgangsereignisse liegen in der Laufzeit ihres Antrags",
               {"vorgangsereignisse": ("antrag_id", "zeitstempel", "teilprozess"),
                "antraege": ("antrag_id", "eingangsdatum", "bescheiddatum")},
               (pair_after("erstes_ereignis", "antrag_beginn", "erstes Ereignis nicht vor dem Eingangstag des Antrags"),
                pair_after("antrag_ende", "letztes_ereignis", "letztes Ereignis vor dem Widerspruch nicht nach dem Tag des Bescheids",
                           or_equal=False)),
               ("antrag_id",), _process_events),
)


def named_checks(loaded: Loaded, registry: tuple[CrossCheck, ...] | None = None) -> tuple[list[Check], list[str]]:
    """The named rules (``NAMED`` and the schema's date orders) whose tables and columns were read, and a
    note for each one skipped."""
    checks: list[Check] = []
    notes: list[str] = []
    for rule in (NAMED + date_orders()) if registry is None else registry:
        absent = [f"{t}.{c}" for t, cols in rule.needs.items() for c in cols if not loaded.usable(t, c)]
        if absent:
            tables = sorted({a.split(".")[0] for a in absent if a.split(".")[0] not in loaded.frames})
            reason = f"Tabelle {', '.join(tables)} fehlt" if tables else f"nicht lesbar: {', '.join(absent)}"
            if tables and all(t not in loaded.frames and t not in loaded.errors for t in rule.needs):
                continue  # none of its tables is part of this data: nothing to say
            notes.append(f"nicht geprüft: {rule.title} ({reason})")
            continue
        checks.append(Check(name=rule.name, table=rule.table, frame=_builder(rule, loaded.frames),
                            expectations=list(rule.expectations), index=list(rule.index), title=rule.title))
    return checks, notes


def _builder(rule: CrossCheck, frames: Frames) -> Callable[[], "pd.DataFrame"]:
    return lambda: without_na(rule.build(frames).reset_index(drop=True))
