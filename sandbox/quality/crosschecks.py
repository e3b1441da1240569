"""Checks across tables: every foreign key resolves, plus a short list of named rules.

Foreign keys come from the schemas (``Column.references``), so a new table's
keys are checked without a line here. A foreign key is expressed as a GX
column-pair expectation on a two-column frame: the key as the child table
holds it and the same key where the parent table has it (empty where it does
not). Computing that frame is one vectorised ``isin``; listing millions of
parent keys inside an ``ExpectColumnValuesToBeInSet`` would be slow and would
copy every key into the results and the Data Docs.

The named rules (children younger than their parents, spouses in one
household, events inside a person's life or an application's span, ...) live
in ``NAMED`` and are skipped with a note when a table or column they need is
missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from sandbox.quality.loading import Loaded
from sandbox.quality.suites import Check, Expect

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CrossCheck", "NAMED", "foreign_key_checks", "named_checks"]

Frames = dict[str, "pd.DataFrame"]


def _pair(kind: str, a: str, b: str, label: str, ignore: str = "either_value_is_missing", **extra: object) -> Expect:
    """A column-pair expectation; by default a row with an empty side (an open end) is not judged."""
    kwargs = {"column_A": a, "column_B": b, "ignore_row_if": ignore, **extra}
    return Expect(kind, kwargs, label)


def _equal(a: str, b: str, label: str, ignore: str = "neither") -> Expect:
    """A equals B in every row; an empty side counts as a difference unless ``ignore`` says otherwise."""
    return _pair("ExpectColumnPairValuesToBeEqual", a, b, label, ignore)


def _after(a: str, b: str, label: str, or_equal: bool = True) -> Expect:
    return _pair("ExpectColumnPairValuesAToBeGreaterThanB", a, b, label, or_equal=or_equal)


def _without_na(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Nullable integer columns as floats: GX compares pairs with ``==``, and pandas' NA has no truth value."""
    import pandas as pd

    nullable = [c for c in frame.columns if isinstance(frame[c].dtype, pd.Int64Dtype)]
    return frame.astype({c: "float64" for c in nullable}) if nullable else frame


def _isin(values: "pd.Series", keys: "pd.Series") -> "Any":
    """Membership of each value in ``keys``; a lookup table for compact integer keys (ids)."""
    import numpy as np

    if values.dtype.kind == "i" and keys.dtype.kind == "i" and len(keys) and len(values):
        low, high = min(values.min(), keys.min()), max(values.max(), keys.max())
        if high - low <= 8 * (len(keys) + len(values)):
            return np.isin(values.to_numpy(), keys.to_numpy(), kind="table")
    return values.isin(keys).to_numpy()


def _fk_frame(child: "pd.DataFrame", column: str, parent_keys: "pd.Series", target: str,
              index: str | None) -> "pd.DataFrame":
    import pandas as pd

    values = child[column]
    present = values.notna()
    values = values[present]
    if isinstance(values.dtype, pd.Int64Dtype):
        values = values.astype("int64")
    keys = parent_keys.dropna()
    keys = keys.astype("int64") if isinstance(keys.dtype, pd.Int64Dtype) else keys
    data = {column: values, target: values.where(_isin(values, keys))}
    if index:
        data = {index: child.loc[present, index], **data}
    return _without_na(pd.DataFrame(data).reset_index(drop=True))


def foreign_key_checks(loaded: Loaded) -> tuple[list[Check], list[str]]:
    """One check per foreign key column whose tables were read, and notes on the rest."""
    from sandbox.synth import TABLES

    checks: list[Check] = []
    missing: dict[str, list[str]] = {}
    for name, frame in loaded.frames.items():
        schema = TABLES[name].TABLE
        for col in schema.columns:
            if not col.references or col.name not in frame.columns:
                continue
            parent, key = col.references.split(".", 1)
            if not (loaded.usable(name, col.name) and loaded.usable(parent, key)):
                missing.setdefault(parent if parent not in loaded.frames else col.references, []).append(
                    f"{name}.{col.name}")
                continue
            target = f"{parent}.{key}"
            index = schema.primary_key if schema.primary_key not in (None, col.name) else None
            index = index if index and loaded.usable(name, index) else None
            frame_fk = _fk_frame(frame, col.name, loaded.frames[parent][key], target, index)
            label = f"{col.name} → {target}: Schlüssel vorhanden"
            checks.append(Check(name=f"fk_{name}_{col.name}", table=name, frame=frame_fk,
                                expectations=[_equal(col.name, target, label)], index=[index] if index else [],
                                title=f"Fremdschlüssel {name}.{col.name} verweist auf {target}"))
    notes = [f"Fremdschlüssel nicht geprüft, {what} nicht lesbar oder nicht vorhanden: {', '.join(cols)}"
             for what, cols in missing.items()]
    return checks, notes


@dataclass(frozen=True)
class CrossCheck:
    """A named rule across tables or columns: what it needs, and how to build its frame."""

    name: str
    table: str  # where the report lists it
    title: str  # German, one line
    needs: dict[str, tuple[str, ...]]
    build: Callable[[Frames], tuple["pd.DataFrame", list[Expect], list[str]]]


def _children(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    people = frames["einwohner"][["einwohner_id", "haushalt_id", "stellung_im_haushalt", "geburtsdatum"]]
    people = people[people["haushalt_id"].notna()]
    role = people["stellung_im_haushalt"].astype("object")
    kids = people[role == "Kind"]
    adults = people[role.isin(["Bezugsperson", "Partner/in"])]
    pairs = kids.merge(adults, on="haushalt_id", suffixes=("", "_elternteil"))
    frame = pairs.rename(columns={"einwohner_id_elternteil": "elternteil_id", "geburtsdatum": "geburtsdatum_kind"})
    frame = frame[["einwohner_id", "elternteil_id", "geburtsdatum_kind", "geburtsdatum_elternteil"]]
    label = "Kind jünger als Bezugsperson und Partner/in im Haushalt"
    return frame, [_after("geburtsdatum_kind", "geburtsdatum_elternteil", label, or_equal=False)], ["einwohner_id"]


def _spouses(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    people = frames["einwohner"][["einwohner_id", "ehegatte_id", "haushalt_id"]]
    married = people[people["ehegatte_id"].notna()]
    other = people.rename(columns={"einwohner_id": "ehegatte_id", "ehegatte_id": "ehegatte_des_ehegatten",
                                   "haushalt_id": "haushalt_des_ehegatten"})
    frame = married.merge(other, on="ehegatte_id", how="inner")
    return frame, [
        _equal("einwohner_id", "ehegatte_des_ehegatten", "Ehegatte verweist zurück"),
        _equal("haushalt_id", "haushalt_des_ehegatten", "Ehegatten im selben Haushalt", "both_values_are_missing"),
    ], ["einwohner_id"]


def _life_course(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    frame = frames["einwohner"][["einwohner_id", "geburtsdatum", "einzugsdatum", "abmeldedatum"]]
    return frame, [
        _after("einzugsdatum", "geburtsdatum", "Einzug nicht vor der Geburt"),
        _after("abmeldedatum", "einzugsdatum", "Abmeldung nicht vor dem Einzug"),
    ], ["einwohner_id"]


def _registration_events(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    events = frames["meldeereignisse"][["ereignis_id", "einwohner_id", "ereignisdatum"]]
    people = frames["einwohner"][["einwohner_id", "geburtsdatum", "abmeldedatum"]]
    frame = events.merge(people, on="einwohner_id", how="inner")
    return frame, [
        _after("ereignisdatum", "geburtsdatum", "Meldeereignis nicht vor der Geburt"),
        _after("abmeldedatum", "ereignisdatum", "Meldeereignis nicht nach Tod oder Wegzug"),
    ], ["ereignis_id"]


def _household_sizes(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    households = frames["haushalte"][["haushalt_id", "anzahl_personen"]]
    counted = frames["einwohner"]["haushalt_id"].dropna().astype("int64").value_counts()
    frame = households.assign(gemeldete_personen=households["haushalt_id"].map(counted).fillna(0).astype("int64"))
    return frame, [_equal("anzahl_personen", "gemeldete_personen", "anzahl_personen = Personen mit diesem Haushalt")], \
        ["haushalt_id"]


def _process_events(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
    events = frames["vorgangsereignisse"][["event_id", "antrag_id", "zeitstempel"]]
    cases = frames["antraege"][["antrag_id", "eingangsdatum", "bescheiddatum"]]
    frame = events.merge(cases, on="antrag_id", how="inner")
    frame = frame.assign(antrag_beginn=frame["eingangsdatum"].dt.normalize(),
                         antrag_ende=frame["bescheiddatum"].dt.normalize() + _one_day())
    frame = frame[["event_id", "antrag_id", "zeitstempel", "antrag_beginn", "antrag_ende"]]
    return frame, [
        _after("zeitstempel", "antrag_beginn", "Ereignis nicht vor dem Eingangstag des Antrags"),
        _after("antrag_ende", "zeitstempel", "Ereignis nicht nach dem Tag des Bescheids", or_equal=False),
    ], ["event_id"]


def _order(table: str, key: str, earlier: str, later: str, label: str) -> CrossCheck:
    """A rule within one table: ``later`` is never before ``earlier`` (an empty end is open)."""

    def build(frames: Frames) -> tuple["pd.DataFrame", list[Expect], list[str]]:
        return frames[table][[key, earlier, later]], [_after(later, earlier, label)], [key]

    return CrossCheck(f"reihenfolge_{table}_{later}", table, f"{table}: {label}", {table: (key, earlier, later)}, build)


def _one_day() -> "pd.Timedelta":
    import pandas as pd

    return pd.Timedelta(days=1)


NAMED: tuple[CrossCheck, ...] = (
    CrossCheck("kinder_juenger_als_eltern", "einwohner", "Kinder sind jünger als die Erwachsenen ihres Haushalts",
               {"einwohner": ("einwohner_id", "haushalt_id", "stellung_im_haushalt", "geburtsdatum")}, _children),
    CrossCheck("ehegatten", "einwohner", "Ehegatten verweisen aufeinander und wohnen im selben Haushalt",
               {"einwohner": ("einwohner_id", "ehegatte_id", "haushalt_id")}, _spouses),
    CrossCheck("lebenslauf", "einwohner", "Einzug nach der Geburt, Abmeldung nach dem Einzug",
               {"einwohner": ("einwohner_id", "geburtsdatum", "einzugsdatum", "abmeldedatum")}, _life_course),
    CrossCheck("meldeereignisse_im_leben", "meldeereignisse", "Meldeereignisse zwischen Geburt und Abmeldung",
               {"meldeereignisse": ("ereignis_id", "einwohner_id", "ereignisdatum"),
                "einwohner": ("einwohner_id", "geburtsdatum", "abmeldedatum")}, _registration_events),
    CrossCheck("haushaltsgroesse", "haushalte", "anzahl_personen stimmt mit den gemeldeten Personen überein",
               {"haushalte": ("haushalt_id", "anzahl_personen"), "einwohner": ("haushalt_id",)}, _household_sizes),
    CrossCheck("vorgangsereignisse_im_antrag", "vorgangsereignisse",
               "Zeitstempel der Vorgangsereignisse liegen in der Laufzeit ihres Antrags",
               {"vorgangsereignisse": ("event_id", "antrag_id", "zeitstempel"),
                "antraege": ("antrag_id", "eingangsdatum", "bescheiddatum")}, _process_events),
    _order("antraege", "antrag_id", "eingangsdatum", "bescheiddatum", "Bescheid nicht vor dem Eingang"),
    _order("termine", "termin_id", "gebucht_am", "termin_datum", "Termin nicht vor der Buchung"),
    _order("ansprueche", "anspruch_id", "anspruch_ab", "anspruch_bis", "Ende des Anspruchs nicht vor dem Beginn"),
    _order("gewerbe", "betrieb_id", "anmeldedatum", "abmeldedatum", "Abmeldung nicht vor der Anmeldung"),
)


def named_checks(loaded: Loaded, registry: tuple[CrossCheck, ...] = NAMED) -> tuple[list[Check], list[str]]:
    """The named rules whose tables and columns were read, and a note for each one skipped."""
    checks: list[Check] = []
    notes: list[str] = []
    for rule in registry:
        absent = [f"{t}.{c}" for t, cols in rule.needs.items() for c in cols if not loaded.usable(t, c)]
        if absent:
            tables = sorted({a.split(".")[0] for a in absent if a.split(".")[0] not in loaded.frames})
            reason = f"Tabelle {', '.join(tables)} fehlt" if tables else f"nicht lesbar: {', '.join(absent)}"
            if tables and all(t not in loaded.frames and t not in loaded.errors for t in rule.needs):
                continue  # none of its tables is part of this data: nothing to say
            notes.append(f"nicht geprüft: {rule.title} ({reason})")
            continue
        frame, expectations, index = rule.build(loaded.frames)
        checks.append(Check(name=rule.name, table=rule.table, frame=_without_na(frame.reset_index(drop=True)),
                            expectations=expectations, index=index, title=rule.title))
    return checks, notes
