"""Expectation suites derived from the synth schemas: one table, one suite.

Nothing here is written per table. Each ``Column`` of a ``Table`` declares its
type, whether it may be empty, whether it is unique, its allowed values,
pattern and range; each declaration becomes a Great Expectations expectation.
A column added to a schema therefore gets its checks without a line here.

Suites are described as :class:`Expect` records (the GX class name and its
arguments) so they can be built, listed and tested without importing
great_expectations, which takes seconds; :mod:`sandbox.quality.runner` turns
them into GX objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from sandbox.synth.dtypes import TYPES
from sandbox.synth.schema import Column, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Expect", "Check", "column_expectations", "table_expectations", "table_checks", "TYPE_KINDS", "DATE_RANGE"]

TYPE_KINDS = frozenset(t.gx_check[0] for t in TYPES.values())  # the expectations that check a type

#: plausible range of a date or time without its own bounds in the schema
DATE_RANGE = ("1900-01-01", "2099-12-31")


@dataclass(frozen=True)
class Expect:
    """One expectation: GX class name, its arguments, and a German label for the report."""

    kind: str
    kwargs: dict[str, Any]
    label: str

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or self.kwargs.get("column_A")


@dataclass
class Check:
    """A frame and the expectations it must meet: a table's suite or a cross-table check.

    ``table`` groups the result in the report; ``name`` is the suite's name in
    GX and in the Data Docs. ``index`` names key columns shown beside offending
    values. ``frame`` may be a function that builds it, called only when the
    check runs (derived frames at the sachsen scale are large).
    """

    name: str
    table: str
    frame: "pd.DataFrame | Callable[[], pd.DataFrame]"
    expectations: list[Expect]
    index: list[str] = field(default_factory=list)
    title: str = ""

    def data(self) -> "pd.DataFrame":
        return self.frame() if callable(self.frame) else self.frame


def _bound(col: Column, value: float | str | None) -> Any:
    """A schema bound as GX compares it: dates as timestamps, numbers as numbers."""
    import pandas as pd

    if value is None:
        return None
    if col.dtype in ("date", "timestamp"):
        return pd.Timestamp(str(value))
    return value


def _range_label(col: Column, low: Any, high: Any) -> str:
    def show(value: Any) -> str:
        return str(value)[:10] if col.dtype in ("date", "timestamp") else f"{value:g}"

    if low is not None and high is not None:
        return f"{col.name}: zwischen {show(low)} und {show(high)}"
    return f"{col.name}: mindestens {show(low)}" if low is not None else f"{col.name}: höchstens {show(high)}"


def column_expectations(col: Column, type_ok: bool = True, found: str = "", text: str = "category") -> list[Expect]:
    """The expectations one column's declaration implies.

    With ``type_ok=False`` (its values are not of the declared type) only the
    type check remains, and for values ``found`` as text a format check that
    shows the ones that do not read as the type: comparing text with a range
    would only produce noise. A date without bounds of its own must lie
    in ``DATE_RANGE`` (dates that end after the Stichtag, like a claim's end or
    a booked appointment, are legitimate; which dates may not is a promise of
    the profile, see ``distribution``).
    """
    name = col.name
    logical = TYPES[col.dtype]
    kind, kwargs = logical.gx_check
    kwargs = {"type_": text} if col.dtype == "string" else dict(kwargs)
    out = [Expect(kind, {"column": name, **kwargs}, f"{name}: Typ {logical.label}")]
    if not type_ok:
        if logical.text_pattern and found.startswith(TYPES["string"].label):
            out.append(Expect("ExpectColumnValuesToMatchRegex", {"column": name, "regex": logical.text_pattern},
                              f"{name}: Werte als {logical.label} lesbar"))
        return out
    if not col.nullable:
        out.append(Expect("ExpectColumnValuesToNotBeNull", {"column": name}, f"{name}: nie leer"))
    if col.unique:
        out.append(Expect("ExpectColumnValuesToBeUnique", {"column": name}, f"{name}: eindeutig"))
    if col.allowed:
        out.append(Expect("ExpectColumnValuesToBeInSet", {"column": name, "value_set": list(col.allowed)},
                          f"{name}: erlaubte Werte"))
    if col.pattern and col.dtype == "string":
        out.append(Expect("ExpectColumnValuesToMatchRegex", {"column": name, "regex": col.pattern},
                          f"{name}: Muster {col.pattern}"))
    low, high = col.min, col.max
    if col.dtype in ("date", "timestamp"):
        low = DATE_RANGE[0] if low is None else low
        high = DATE_RANGE[1] if high is None else high
    if low is not None or high is not None:
        kwargs = {"column": name, "min_value": _bound(col, low), "max_value": _bound(col, high)}
        out.append(Expect("ExpectColumnValuesToBeBetween", kwargs, _range_label(col, low, high)))
    return out


def table_expectations(table: Table, present: list[str] | None = None, bad_types: dict[str, str] | None = None,
                       exact: bool = True, text_columns: frozenset[str] = frozenset()) -> list[Expect]:
    """The suite of a table: its columns (all of them, exactly when ``exact``), rows, and each column's rules.

    ``present`` are the columns the data actually has (default: all); rules of
    absent columns are left out, the column check names them. ``bad_types``
    are columns whose values are not of their declared type; ``text_columns``
    are text columns held as ``str`` rather than ``category``.
    """
    present = table.column_names if present is None else present
    bad_types = bad_types or {}
    out = [
        Expect("ExpectTableColumnsToMatchSet", {"column_set": table.column_names, "exact_match": exact},
               "Spalten wie im Schema" if exact else "alle Spalten des Schemas vorhanden"),
        Expect("ExpectTableRowCountToBeBetween", {"min_value": 1}, "mindestens eine Zeile"),
    ]
    for col in table.columns:
        if col.name in present:
            text = "str" if col.name in text_columns else "category"
            out.extend(column_expectations(col, col.name not in bad_types, bad_types.get(col.name, ""), text))
    return out


def table_checks(table: Table, frame: "pd.DataFrame", bad_types: dict[str, str] | None = None,
                 exact: bool = True) -> list[Check]:
    """The checks of one table's frame against its schema-derived suite.

    Rules on the values of columns that may be empty go into a second check
    on just those columns: GX leaves empty values out by copying the whole
    frame, which for a wide table of millions of rows costs a second per rule.
    """
    import pandas as pd

    text = frozenset(c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype))
    expectations = table_expectations(table, list(frame.columns), bad_types, exact, text)
    optional = [c.name for c in table.columns if c.nullable and c.name in frame.columns]
    later = [e for e in expectations if e.column in optional and e.kind not in TYPE_KINDS]
    checks = [Check(name=table.name, table=table.name, frame=frame,
                    expectations=[e for e in expectations if e not in later],
                    title=f"Tabelle {table.name}: Spalten, Typen und Regeln aus dem Schema")]
    if later:
        columns = [c for c in optional if any(e.column == c for e in later)]
        checks.append(Check(name=f"{table.name}_optional", table=table.name, frame=frame[columns],
                            expectations=later, title=f"Tabelle {table.name}: Regeln der Spalten, die leer sein dürfen"))
    return checks
