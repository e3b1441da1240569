"""One record per logical column type: what it is called wherever a column is stored or checked.

A column declares a logical type (``"int64"``, ``"date"``, ...). Every place
that turns the declaration into something else reads it from one
:class:`LogicalType` here, as pandera keeps one DataType per logical type:
the data card's German label, the Arrow type of the written file, the DuckDB
and PostgreSQL types, the Great Expectations type check, which stored kinds
convert without loss, and what a value looks like in a CSV file.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pyarrow is imported lazily: `sandbox --help` must stay fast
    import pyarrow as pa

__all__ = ["LogicalType", "TYPES", "label"]


@dataclass(frozen=True)
class LogicalType:
    """A logical column type and its name in each system the sandbox writes to or checks with."""

    name: str
    label: str  # German, for data cards and messages
    arrow_factory: str  # pyarrow type: factory name and arguments, e.g. "timestamp:s"
    duckdb: str
    postgres: str
    #: the Great Expectations type check: expectation and its arguments. The loader gives ints and
    #: truth values without gaps numpy types and with gaps pandas' nullable types, so both are
    #: accepted; ExpectColumnTypeToBe matches "category" and a unit-less "datetime64" to every
    #: dtype of that family.
    gx_check: tuple[str, Mapping[str, Any]]
    #: kinds of stored values (see quality.loading) that convert to this type without loss
    readable_from: frozenset[str]
    #: what a value looks like in a CSV file (for the report of bad values); None for text
    text_pattern: str | None = None

    def arrow(self) -> "pa.DataType":
        """The pyarrow type of the written file."""
        import pyarrow as pa

        factory, _, argument = self.arrow_factory.partition(":")
        return getattr(pa, factory)(*([argument] if argument else []))


def _check(kind: str, **kwargs: Any) -> tuple[str, Mapping[str, Any]]:
    return kind, MappingProxyType(kwargs)


TYPES: Mapping[str, LogicalType] = MappingProxyType({t.name: t for t in (
    LogicalType("string", "Text", "string", "VARCHAR", "text",
                _check("ExpectColumnTypeToBe", type_="category"),  # or "str", see quality.suites
                frozenset({"string"})),
    LogicalType("int64", "Ganzzahl", "int64", "BIGINT", "bigint",
                _check("ExpectColumnValuesToBeInTypeList", type_list=["int64", "Int64Dtype"]),
                frozenset({"int64"}), r"^\s*[+-]?\d+([.,]0*)?\s*$"),  # "3,0" as Excel or pandas may write them
    LogicalType("float64", "Dezimalzahl", "float64", "DOUBLE", "double precision",
                _check("ExpectColumnTypeToBe", type_="float64"),
                frozenset({"float64", "int64"}), r"^\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*$"),
    LogicalType("bool", "Wahrheitswert", "bool_", "BOOLEAN", "boolean",
                _check("ExpectColumnValuesToBeInTypeList", type_list=["bool", "BooleanDtype"]),
                frozenset({"bool"}), r"^(?i:wahr|falsch|true|false|ja|nein|0|1)$"),
    LogicalType("date", "Datum", "date32", "DATE", "date",
                _check("ExpectColumnTypeToBe", type_="datetime64"),
                frozenset({"date"}), r"^(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})$"),
    LogicalType("timestamp", "Zeitstempel", "timestamp:s", "TIMESTAMP", "timestamp",
                _check("ExpectColumnTypeToBe", type_="datetime64"),
                frozenset({"date"}), r"^(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})([ T]\d{1,2}:\d{2}(:\d{2})?)?$"),
)})


def label(dtype: str) -> str:
    """The German label of a logical type ("Datum")."""
    return TYPES[dtype].label
