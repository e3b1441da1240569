"""The schema: one record per logical type, column roles and date orders checked at declaration."""

from __future__ import annotations

import pyarrow as pa
import pytest

from sandbox.synth import TABLES
from sandbox.synth.dtypes import TYPES
from sandbox.synth.schema import PAST, After, Column, Table


def test_every_logical_type_names_each_system() -> None:
    assert set(TYPES) == {"string", "int64", "float64", "bool", "date", "timestamp"}
    assert TYPES["date"].arrow() == pa.date32() and TYPES["timestamp"].arrow() == pa.timestamp("s")
    assert TYPES["float64"].duckdb == "DOUBLE" and TYPES["float64"].postgres == "double precision"
    assert "int64" in TYPES["float64"].readable_from and "float64" not in TYPES["int64"].readable_from
    for logical in TYPES.values():
        assert logical.label and logical.gx_check[0].startswith("Expect")
        assert (logical.text_pattern is None) == (logical.name == "string")


def test_every_declared_column_uses_a_known_type_and_writes_it() -> None:
    for module in TABLES.values():
        for col in module.TABLE.columns:
            assert col.arrow_type() == TYPES[col.dtype].arrow()
            assert col.type_label == TYPES[col.dtype].label


def test_roles_and_orders_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        Column("x", "date", "x", roles={"geheim"})
    with pytest.raises(ValueError, match="after ende"):
        Table("t", "t", (Column("anfang", "date", "a", after=After("ende", "nie")),))
    col = Column("tag", "date", "Tag", roles={PAST})
    assert col.roles == frozenset({PAST}) and hash(col)  # held as a frozenset: the column stays hashable


def test_past_dates_and_orders_are_declared_on_the_tables_that_record_them() -> None:
    past = {(name, c.name) for name, m in TABLES.items() for c in m.TABLE.with_role(PAST)}
    assert {("einwohner", "geburtsdatum"), ("meldeereignisse", "ereignisdatum"), ("antraege", "bescheiddatum"),
            ("vorgangsereignisse", "zeitstempel"), ("gewerbe", "abmeldedatum")} <= past
    assert ("termine", "termin_datum") not in past  # booked appointments lie in the future
    orders = {(name, c.name, c.after.column) for name, m in TABLES.items() for c in m.TABLE.columns if c.after}
    assert ("einwohner", "abmeldedatum", "einzugsdatum") in orders and ("termine", "termin_datum", "gebucht_am") in orders
