"""Between values and cells: the extract as cell numbers, and a twin's cells back as values.

The mechanism and every measure work on cell numbers (one small integer per
value: the category, the bin, the period). :func:`encode` maps the extract
onto the declared domain and refuses it when values fall outside: unknown
categories are reported (how many, per column, never which), not added.
:func:`decode` turns the twin's cells into values of the column's type, a
number or a day drawn uniformly inside its bin or period, so the twin's file
has the same types as the standard table.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError
from sandbox.german import integer
from sandbox.twin.domain import Domain, DomainColumn, PERIODS
from sandbox.twin.extract import logical_type

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["encode", "decode"]

_EPOCH = dt.date(1970, 1, 1)


def _category_codes(col: DomainColumn, array: "pa.ChunkedArray") -> tuple["np.ndarray", int]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_boolean(array.type):
        array = pc.if_else(array, "WAHR", "FALSCH")
    text = pc.cast(array, pa.string())
    index = pc.index_in(text, value_set=pa.array(list(col.values), pa.string())).to_numpy(zero_copy_only=False)
    missing = np.isnan(index) if index.dtype.kind == "f" else np.zeros(len(index), bool)
    empty = pc.is_null(text).to_numpy(zero_copy_only=False)
    codes = np.where(missing, -1, np.nan_to_num(index, nan=-1)).astype(np.int64)
    if col.nullable:
        codes[empty] = len(col.values)
    return codes, int(((codes < 0) & ~empty).sum()) + (0 if col.nullable else int(empty.sum()))


def _number_codes(col: DomainColumn, array: "pa.ChunkedArray") -> tuple["np.ndarray", int]:
    import numpy as np
    import pyarrow as pa

    if logical_type(array.type) not in ("int64", "float64"):
        raise SandboxError(f"Spalte {col.name}: Werte sind nicht als Zahlen lesbar (Dezimalkomma, Tausenderpunkte "
                           "prüfen); die Werte werden nicht angezeigt")
    values = array.cast(pa.float64()).to_numpy(zero_copy_only=False)
    edges = np.asarray(col.edges)
    codes = np.searchsorted(edges, values, side="right") - 1
    codes[values == edges[-1]] = len(edges) - 2
    empty = np.isnan(values)
    bad = (values < edges[0]) | (values > edges[-1])
    codes = np.where(bad | empty, -1, codes)
    if col.nullable:
        codes[empty] = len(edges) - 1
    return codes.astype(np.int64), int(bad.sum()) + (0 if col.nullable else int(empty.sum()))


def _date_codes(col: DomainColumn, array: "pa.ChunkedArray") -> tuple["np.ndarray", int]:
    import numpy as np
    import pyarrow as pa

    if logical_type(array.type) not in ("date", "timestamp"):
        raise SandboxError(f"Spalte {col.name}: Werte sind nicht als Datum lesbar (JJJJ-MM-TT oder TT.MM.JJJJ); "
                           "die Werte werden nicht angezeigt")
    days = array.cast(pa.timestamp("s")).cast(pa.int64()).to_numpy(zero_copy_only=False)
    empty = np.isnan(days) if days.dtype.kind == "f" else np.zeros(len(days), bool)
    stamps = np.where(empty, 0, days).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    assert col.start is not None and col.end is not None
    step = PERIODS[col.period]
    first = (col.start.year * 12 + col.start.month - 1)
    months = stamps + 1970 * 12
    codes = months // step - first // step
    lo = np.datetime64(col.start.isoformat(), "s").astype(np.int64)
    hi = np.datetime64((col.end + dt.timedelta(days=1)).isoformat(), "s").astype(np.int64)
    raw = np.where(empty, lo, days).astype(np.int64)
    bad = ~empty & ((raw < lo) | (raw >= hi))
    codes = np.where(bad | empty, -1, codes)
    if col.nullable:
        codes[empty] = col.periods
    return codes.astype(np.int64), int(bad.sum()) + (0 if col.nullable else int(empty.sum()))


def encode(data: "pa.Table", domain: Domain) -> "np.ndarray":
    """The extract as an (rows x columns) array of cell numbers; refuses values outside the domain."""
    import numpy as np

    columns, problems = [], []
    for col in domain.columns:
        if col.name not in data.column_names:
            raise SandboxError(f"Spalte {col.name} der Domäne fehlt im Auszug; nehmen Sie sie aus der Domäne "
                               "oder exportieren Sie den Auszug mit ihr")
        coder = {"kategorie": _category_codes, "zahl": _number_codes, "datum": _date_codes}[col.kind]
        codes, outside = coder(col, data.column(col.name))
        if outside:
            problems.append(f"{col.name}: {integer(outside)}")
        columns.append(codes)
    if problems:
        raise SandboxError("Werte außerhalb der Domäne (Anzahl je Spalte, die Werte werden nicht angezeigt): "
                           + "; ".join(problems) + "; ergänzen Sie die Domäne, wenn die Werte öffentlich bekannt "
                           "möglich sind, oder bereinigen Sie den Auszug")
    return np.column_stack(columns).astype(np.int32)


def _decode_number(col: DomainColumn, cells: "np.ndarray", rng: "np.random.Generator") -> "pa.Array":
    import numpy as np
    import pyarrow as pa

    edges = np.asarray(col.edges)
    inner = np.minimum(cells, len(edges) - 2)
    lo, hi = edges[inner], edges[inner + 1]
    if col.dtype == "int64":
        low, high = np.ceil(lo), np.where(inner == len(edges) - 2, np.floor(hi) + 1, np.ceil(hi))
        values: np.ndarray = np.floor(low + rng.random(len(cells)) * np.maximum(high - low, 1)).astype(np.int64)
    else:
        values = np.round(lo + rng.random(len(cells)) * (hi - lo), 2)
    return pa.array(values, mask=cells >= len(edges) - 1, type=pa.int64() if col.dtype == "int64" else pa.float64())


def _decode_date(col: DomainColumn, cells: "np.ndarray", rng: "np.random.Generator") -> "pa.Array":
    import numpy as np
    import pyarrow as pa

    assert col.start is not None and col.end is not None
    starts = np.array([(col.period_start(i) - _EPOCH).days for i in range(col.periods + 1)])
    starts[0] = (col.start - _EPOCH).days
    starts[-1] = (col.end - _EPOCH).days + 1
    inner = np.minimum(cells, col.periods - 1)
    lo, hi = starts[inner], starts[inner + 1]
    days = (lo + np.floor(rng.random(len(cells)) * (hi - lo))).astype(np.int32)
    array = pa.array(days, type=pa.int32(), mask=cells >= col.periods).cast(pa.date32())
    return array.cast(pa.timestamp("s")) if col.dtype == "timestamp" else array


def decode(cells: "np.ndarray", domain: Domain, seed: int) -> "pa.Table":
    """The twin's cells as a table of typed values (a value drawn inside its bin or period)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7717]))
    arrays = []
    for j, col in enumerate(domain.columns):
        column = cells[:, j].astype(np.int64)
        if col.kind == "kategorie":
            labels = pa.array(list(col.values) + [None], pa.string())
            array = labels.take(pa.array(np.minimum(column, len(col.values))))
            if col.dtype == "bool":
                array = pc.equal(array, "WAHR")
            elif col.dtype != "string":
                array = array.cast(pa.int64() if col.dtype == "int64" else pa.float64())
        elif col.kind == "zahl":
            array = _decode_number(col, column, rng)
        else:
            array = _decode_date(col, column, rng)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=domain.names)
