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
in ``rules.NAMED`` and are skipped with a note when a table or column they
need is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from sandbox.quality.loading import Loaded
from sandbox.quality.suites import Check, Expect

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CrossCheck", "foreign_key_checks", "lookup", "pair_after", "pair_equal", "without_na", "Frames"]

Frames = dict[str, "pd.DataFrame"]


def _pair(kind: str, a: str, b: str, label: str, ignore: str = "either_value_is_missing", **extra: object) -> Expect:
    """A column-pair expectation; by default a row with an empty side (an open end) is not judged."""
    kwargs = {"column_A": a, "column_B": b, "ignore_row_if": ignore, **extra}
    return Expect(kind, kwargs, label)


def pair_equal(a: str, b: str, label: str, ignore: str = "neither") -> Expect:
    """A equals B in every row; an empty side counts as a difference unless ``ignore`` says otherwise."""
    return _pair("ExpectColumnPairValuesToBeEqual", a, b, label, ignore)


def pair_after(a: str, b: str, label: str, or_equal: bool = True) -> Expect:
    return _pair("ExpectColumnPairValuesAToBeGreaterThanB", a, b, label, or_equal=or_equal)


def without_na(frame: "pd.DataFrame") -> "pd.DataFrame":
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
    return without_na(pd.DataFrame(data).reset_index(drop=True))


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
            frame_fk = partial(_fk_frame, frame, col.name, loaded.frames[parent][key], target, index)
            label = f"{col.name} → {target}: Schlüssel vorhanden"
            checks.append(Check(name=f"fk_{name}_{col.name}", table=name, frame=frame_fk,
                                expectations=[pair_equal(col.name, target, label)], index=[index] if index else [],
                                title=f"Fremdschlüssel {name}.{col.name} verweist auf {target}"))
    notes = [f"Fremdschlüssel nicht geprüft, {what} nicht lesbar oder nicht vorhanden: {', '.join(cols)}"
             for what, cols in missing.items()]
    return checks, notes


@dataclass(frozen=True)
class CrossCheck:
    """A named rule across tables or columns: what it needs, what it expects, how to build its frame.

    The frame is built only when the check runs, so at the sachsen scale the
    derived frames (millions of rows each) do not all sit in memory at once.
    """

    name: str
    table: str  # where the report lists it
    title: str  # German, one line
    needs: dict[str, tuple[str, ...]]
    expectations: tuple[Expect, ...]
    index: tuple[str, ...]
    build: Callable[[Frames], "pd.DataFrame"]


def _positions(keys: "pd.Series", wanted: "pd.Series") -> "Any":
    """For each wanted key the row holding it in ``keys`` (its first, if repeated), -1 where none does."""
    import numpy as np
    import pandas as pd

    values = wanted.to_numpy(dtype="float64" if wanted.hasnans else None, na_value=np.nan) \
        if isinstance(wanted.dtype, pd.Int64Dtype) else wanted.to_numpy()
    first = ~keys.duplicated()
    index = pd.Index(keys[first].to_numpy())
    rows = np.flatnonzero(first.to_numpy())
    found = index.get_indexer(values)
    return np.where(found >= 0, rows[np.maximum(found, 0)], -1)


def lookup(parent: "pd.DataFrame", key: str, wanted: "pd.Series", columns: dict[str, str]) -> "pd.DataFrame":
    """Columns of ``parent`` (renamed old -> new) for each value of the foreign key ``wanted``.

    A vectorised left join aligned with ``wanted``'s index, empty where no
    parent row has the key; at millions of rows several times faster than
    ``DataFrame.merge``.
    """
    import pandas as pd

    position = _positions(parent[key], wanted)
    hit = pd.Series(position >= 0)
    taken = {new: parent[old].take(position.clip(min=0)).reset_index(drop=True).where(hit)
             for old, new in columns.items()}
    return pd.DataFrame(taken).set_axis(wanted.index)
