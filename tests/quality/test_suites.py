"""Suites are derived from the synth schemas: every rule of every column becomes an expectation."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sandbox.quality.crosschecks import foreign_key_checks
from sandbox.quality.rules import named_checks
from sandbox.quality.loading import Loaded
from sandbox.quality.suites import column_expectations, table_expectations
from sandbox.synth.dtypes import TYPES
from sandbox.synth import TABLES
from sandbox.synth.schema import Column


def kinds(expectations, column: str) -> set[str]:
    return {e.kind for e in expectations if e.column == column}


@pytest.mark.parametrize("name", list(TABLES))
def test_every_declared_rule_of_every_table_becomes_an_expectation(name: str) -> None:
    table = TABLES[name].TABLE
    suite = table_expectations(table)
    table_level = [e for e in suite if e.column is None]
    assert {e.kind for e in table_level} == {"ExpectTableColumnsToMatchSet", "ExpectTableRowCountToBeBetween"}
    assert table_level[0].kwargs["column_set"] == table.column_names
    for col in table.columns:
        found = kinds(suite, col.name)
        assert TYPES[col.dtype].gx_check[0] in found, col.name
        assert ("ExpectColumnValuesToNotBeNull" in found) == (not col.nullable), col.name
        assert ("ExpectColumnValuesToBeUnique" in found) == col.unique, col.name
        assert ("ExpectColumnValuesToBeInSet" in found) == bool(col.allowed), col.name
        assert ("ExpectColumnValuesToMatchRegex" in found) == bool(col.pattern and col.dtype == "string"), col.name
        ranged = col.min is not None or col.max is not None or col.dtype in ("date", "timestamp")
        assert ("ExpectColumnValuesToBeBetween" in found) == ranged, col.name


def test_a_column_added_to_a_schema_gets_its_checks_without_code() -> None:
    table = TABLES["einwohner"].TABLE
    added = Column("lieblingsfarbe", "string", "Testspalte", nullable=False, allowed=("rot", "grün"),
                   pattern=r"^\w+$")
    grown = dataclasses.replace(table, columns=(*table.columns, added))
    before, after = table_expectations(table), table_expectations(grown)
    new = [e for e in after if e.column == "lieblingsfarbe"]
    assert len(after) == len(before) + len(new)
    assert {e.kind for e in new} == {"ExpectColumnTypeToBe", "ExpectColumnValuesToNotBeNull",
                                     "ExpectColumnValuesToBeInSet", "ExpectColumnValuesToMatchRegex"}
    assert next(e for e in new if e.kind == "ExpectColumnValuesToBeInSet").kwargs["value_set"] == ["rot", "grün"]
    assert "lieblingsfarbe" in after[0].kwargs["column_set"]


def test_bounds_come_from_the_schema_dates_as_timestamps() -> None:
    birth = TABLES["einwohner"].TABLE.column("geburtsdatum")
    between = next(e for e in column_expectations(birth) if e.kind == "ExpectColumnValuesToBeBetween")
    assert between.kwargs["min_value"] == pd.Timestamp(str(birth.min))
    share = Column("anteil", "float64", "x", min=0, max=1)
    between = next(e for e in column_expectations(share) if e.kind == "ExpectColumnValuesToBeBetween")
    assert (between.kwargs["min_value"], between.kwargs["max_value"]) == (0, 1)
    assert between.label == "anteil: zwischen 0 und 1"


def test_a_column_of_the_wrong_type_keeps_only_type_and_format_checks() -> None:
    col = TABLES["einwohner"].TABLE.column("einwohner_id")
    assert [e.kind for e in column_expectations(col, type_ok=False)] == [TYPES["int64"].gx_check[0]]
    suite = column_expectations(col, type_ok=False, found="Text (string)")  # text: show what does not read as a number
    assert [e.kind for e in suite] == [TYPES["int64"].gx_check[0], "ExpectColumnValuesToMatchRegex"]
    suite = table_expectations(TABLES["einwohner"].TABLE, present=["einwohner_id"], bad_types={"einwohner_id": "string"})
    assert {e.column for e in suite} == {None, "einwohner_id"}


def test_foreign_keys_come_from_references_and_mark_orphans() -> None:
    loaded = Loaded(frames={
        "haushalte": pd.DataFrame({"haushalt_id": [1, 2, 3], "anschrift_id": [10, 11, 99]}),
        "anschriften": pd.DataFrame({"anschrift_id": [10, 11, 12]}),
    })
    checks, notes = foreign_key_checks(loaded)
    assert [c.name for c in checks] == ["fk_haushalte_anschrift_id"]
    frame = checks[0].data()
    assert frame["anschrift_id"].tolist() == [10, 11, 99]
    assert frame["anschriften.anschrift_id"].isna().tolist() == [False, False, True]
    assert checks[0].index == ["haushalt_id"]
    assert checks[0].expectations[0].kind == "ExpectColumnPairValuesToBeEqual"
    assert notes == []


def test_foreign_keys_to_absent_tables_are_named_in_a_note() -> None:
    loaded = Loaded(frames={"haushalte": pd.DataFrame({"haushalt_id": [1], "anschrift_id": [10]})})
    checks, notes = foreign_key_checks(loaded)
    assert checks == [] and len(notes) == 1 and "haushalte.anschrift_id" in notes[0] and "anschriften" in notes[0]


def test_named_rules_are_skipped_with_a_note_when_a_column_is_missing() -> None:
    people = pd.DataFrame({"einwohner_id": [1, 2], "haushalt_id": [1, 1], "geburtsdatum": pd.to_datetime(["1980-01-01", "2010-01-01"])})
    checks, notes = named_checks(Loaded(frames={"einwohner": people}))
    assert not any(c.name == "kinder_juenger_als_eltern" for c in checks)
    assert any("Kinder sind jünger" in n and "einwohner.stellung_im_haushalt" in n for n in notes)


def test_validated_frames_are_not_kept_after_their_check() -> None:
    """GX caches every batch it validated in the data source; the gate needs that memory for the next report
    (sachsen: 48 frames, 1.3 GiB). Once its check has run, a frame built for it is gone."""
    import gc
    import weakref

    from sandbox.quality.runner import run_checks
    from sandbox.quality.suites import Check, Expect

    built: list[weakref.ref] = []

    def frame(n: int) -> pd.DataFrame:
        out = pd.DataFrame({"wert": range(n)})
        built.append(weakref.ref(out))
        return out

    checks = [Check(f"probe_{n}", "probe", lambda n=n: frame(n),
                    [Expect("ExpectColumnValuesToNotBeNull", {"column": "wert"}, "wert gefüllt")])
              for n in (10, 20, 30)]
    findings = run_checks(checks)
    gc.collect()
    assert len(built) == 3 and len(findings) == 3 and all(f.success for f in findings)
    assert [ref() for ref in built] == [None, None, None]
