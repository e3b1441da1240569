"""Where a twin's domain comes from: the standard schema, or a proposal read off the data.

:func:`domain_from_schema` builds the domain of ``--as TABLE`` from the
schema's code lists and ranges alone. :func:`propose_domain` serves
``sandbox twin domain``: it takes what the schema knows and reads the rest
from the extract, marking each such column :data:`~sandbox.twin.domain.DERIVED`.
Direct identifiers (names, addresses, ID numbers, keys) never enter a twin:
:func:`identifier_reason` names why a column is one, and the caller refuses
the extract unless the column is dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Sequence

from sandbox.errors import SandboxError
from sandbox.synth.schema import FAMILY_NAME, GIVEN_NAMES, Column, Table
from sandbox.twin.domain import DERIVED, SCHEMA, Domain, DomainColumn
from sandbox.twin.extract import Extract, logical_type

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["identifier_reason", "check_identifiers", "domain_from_schema", "propose_domain", "FIRST_DAY",
           "MAX_CATEGORIES"]

#: parts of a column name that mark a direct identifier (Annahme: the usual names in German registers)
_IDENTIFYING_PARTS = ("name", "vorname", "strasse", "straße", "hausnummer", "anschrift", "adresse", "telefon",
                      "mobil", "email", "e_mail", "iban", "steuer", "ausweis", "pass_nr", "aktenzeichen",
                      "kennzeichen", "versicherungsnummer")
#: first day of a date column whose schema names none (Annahme: registers start after 1900)
FIRST_DAY = dt.date(1900, 1, 1)
#: more distinct values than this are not a category but (nearly) an identifier (Annahme)
MAX_CATEGORIES = 200
_BINS = 10  # equal-width bins proposed for a number column (Annahme)


def identifier_reason(name: str, column: Column | None = None) -> str | None:
    """Why ``name`` is a direct identifier (German), or None."""
    if column is not None:
        if column.roles & {GIVEN_NAMES, FAMILY_NAME}:
            return "ein Name"
        if column.unique or column.references:
            return "ein Schlüssel oder eine Kennnummer"
    if name.endswith("_id") or name in ("id", "nr", "nummer"):
        return "ein Schlüssel oder eine Kennnummer"
    if any(part in name for part in _IDENTIFYING_PARTS):
        return "ein Name, eine Anschrift oder eine Kennnummer"
    return None


def check_identifiers(names: Sequence[str], schema: Table | None) -> None:
    """Refuse the extract if a column is a direct identifier."""
    found = []
    for name in names:
        column = schema.column(name) if schema is not None and name in schema.column_names else None
        reason = identifier_reason(name, column)
        if reason:
            found.append(f"{name} ({reason})")
    if found:
        raise SandboxError(f"direkte Kennungen im Auszug: {', '.join(found)}; ein Zwilling darf sie nicht "
                           f"enthalten, lassen Sie sie mit --drop {','.join(f.split(' ')[0] for f in found)} weg")


def _end_of_year() -> dt.date:
    return dt.date(dt.date.today().year, 12, 31)


def _from_column(col: Column) -> DomainColumn | None:
    """The public domain of a schema column, or None if the schema does not declare one."""
    if col.allowed:
        return DomainColumn(col.name, "kategorie", col.dtype, values=tuple(col.allowed), nullable=col.nullable,
                            origin=SCHEMA)
    if col.dtype == "bool":
        return DomainColumn(col.name, "kategorie", "bool", values=("FALSCH", "WAHR"), nullable=col.nullable,
                            origin=SCHEMA)
    if col.dtype in ("date", "timestamp"):
        start = dt.date.fromisoformat(str(col.min)[:10]) if col.min is not None else FIRST_DAY
        end = dt.date.fromisoformat(str(col.max)[:10]) if col.max is not None else _end_of_year()
        return DomainColumn(col.name, "datum", "date", period="jahr", start=start, end=end, nullable=col.nullable,
                            origin=SCHEMA)
    if col.dtype in ("int64", "float64") and col.min is not None and col.max is not None:
        return DomainColumn(col.name, "zahl", col.dtype, edges=_edges(float(col.min), float(col.max)),
                            nullable=col.nullable, origin=SCHEMA)
    return None


def _edges(low: float, high: float) -> tuple[float, ...]:
    """About ten equal bins from ``low`` to ``high``, with round edges."""
    if high <= low:
        return (math.floor(low), math.floor(low) + 1)
    raw = (high - low) / _BINS
    step = 10 ** math.floor(math.log10(raw))
    step = next(s * step for s in (1, 2, 2.5, 5, 10) if s * step >= raw)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(edges[-1] + step)
    return tuple(float(round(e, 10)) for e in edges)


def domain_from_schema(schema: Table, names: Sequence[str]) -> Domain:
    """The domain of the columns ``names`` from the standard schema ``schema`` alone."""
    unknown = [n for n in names if n not in schema.column_names]
    if unknown:
        raise SandboxError(f"Spalten, die die Tabelle {schema.name} nicht kennt: {', '.join(unknown)}; "
                           "benennen Sie sie wie im Standardschema (`sandbox data describe "
                           f"{schema.name}`) oder lassen Sie sie mit --drop weg")
    columns, missing = [], []
    for name in names:
        found = _from_column(schema.column(name))
        (columns.append(found) if found is not None else missing.append(name))
    if missing:
        raise SandboxError(f"das Standardschema deklariert für {', '.join(missing)} keine Werteliste; "
                           "legen Sie eine Domänendatei an (`sandbox twin domain AUSZUG --as "
                           f"{schema.name}`, prüfen) und nutzen Sie --domain, oder lassen Sie sie mit --drop weg")
    return Domain(columns=tuple(columns), table=schema.name)


def _derived(name: str, array: "pa.ChunkedArray") -> DomainColumn | None:
    import pyarrow.compute as pc

    dtype = logical_type(array.type)
    nullable = bool(array.null_count)
    present = array.drop_null()
    if len(present) == 0:
        return None
    if dtype in ("date", "timestamp"):
        low, high = pc.min(present).as_py(), pc.max(present).as_py()
        return DomainColumn(name, "datum", "date", period="jahr", start=dt.date(low.year, 1, 1),
                            end=dt.date(high.year, 12, 31), nullable=nullable, origin=DERIVED)
    if dtype in ("int64", "float64"):
        edges = _edges(float(pc.min(present).as_py()), float(pc.max(present).as_py()))
        return DomainColumn(name, "zahl", dtype, edges=edges, nullable=nullable, origin=DERIVED)
    values = pc.unique(pc.cast(present, "string"))
    if len(values) > MAX_CATEGORIES or len(values) > 0.5 * len(present):
        return None  # (nearly) one value per record: an identifier or free text
    labels = ("FALSCH", "WAHR") if dtype == "bool" else tuple(sorted(values.to_pylist()))
    return DomainColumn(name, "kategorie", dtype, values=labels, nullable=nullable, origin=DERIVED)


def propose_domain(extract: Extract, schema: Table | None) -> tuple[Domain, list[str]]:
    """A domain for every usable column, and German notes on the columns left out.

    Columns the schema declares keep its public domain; the others are read
    from the data and marked :data:`DERIVED`.
    """
    columns: list[DomainColumn] = []
    notes: list[str] = []
    for name in extract.names:
        known = schema.column(name) if schema is not None and name in schema.column_names else None
        reason = identifier_reason(name, known)
        if reason:
            notes.append(f"{name}: weggelassen, {reason} (direkte Kennung)")
            continue
        found = _from_column(known) if known is not None else None
        found = found or _derived(name, extract.data.column(name))
        if found is None:
            notes.append(f"{name}: weggelassen, fast jeder Wert ist einmalig (Kennung oder Freitext?)")
            continue
        columns.append(found)
    if len(columns) < 2:
        raise SandboxError("der Auszug hat weniger als zwei verwendbare Spalten; ein Zwilling braucht mindestens zwei")
    return Domain(columns=tuple(columns), table=schema.name if schema is not None else "zwilling"), notes
