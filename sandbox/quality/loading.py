"""Read a dataset's tables, or a user's own extract, into frames the checks can trust.

Each column is converted to one canonical pandas type per schema type, so the
expectations behave the same for Parquet, German-Excel CSV and plain CSV:

=========  ==========================================================
int64      ``int64`` (``Int64`` when the column has gaps)
float64    ``float64``
bool       ``bool`` (``boolean`` when the column has gaps)
date,      ``datetime64[ns]``
timestamp
string     ``category`` (cheap to filter and compare at millions of rows),
           or ``str`` for mostly distinct text (names, file numbers, free text)
=========  ==========================================================

A column whose values cannot be read as its schema type is kept as it came
(its text, or its Parquet type) and listed in ``Loaded.bad_types``: the type
expectation then fails and names it. A file that cannot be read at all (missing,
empty, corrupted, wrong encoding) is listed in ``Loaded.errors`` with one line
saying why; the caller turns that into exit code 2.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from sandbox.errors import SandboxError
from sandbox.quality.textfiles import arrow_from_text, read_text_table
from sandbox.synth.dtypes import TYPES
from sandbox.synth.schema import Column, Table

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["Loaded", "load_dataset", "load_extract", "read_manifest", "TEXT_SAMPLE"]

TEXT_SAMPLE = 10_000  # values looked at to decide how a text column is held


@dataclass
class Loaded:
    """Frames of the tables that could be read, and what went wrong with the rest."""

    frames: dict[str, "pd.DataFrame"] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # table -> why it cannot be read
    bad_types: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> found type
    notes: list[str] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)  # table -> file

    def usable(self, table: str, *columns: str) -> bool:
        """True when ``table`` was read and each column is present with its schema type."""
        frame = self.frames.get(table)
        if frame is None:
            return False
        bad = self.bad_types.get(table, {})
        return all(c in frame.columns and c not in bad for c in columns)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SandboxError(f"{folder} hat keine manifest.json, ist also kein erzeugter Datensatz "
                           "(eine einzelne Datei prüfen: --table DATEI --as TABELLE)") from None
    except (OSError, ValueError) as exc:
        raise SandboxError(f"{path} lässt sich nicht lesen ({exc}); bitte den Datensatz neu erzeugen") from None
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or not tables or not all(isinstance(t, dict) for t in tables.values()):
        raise SandboxError(f"{path} nennt keine Tabellen; kein gültiger Datensatz, bitte neu erzeugen")
    return manifest


def _arrow_kind(dtype: "pa.DataType") -> str:
    """The schema type an Arrow type can be read as without loss ('' if none)."""
    import pyarrow as pa

    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_integer(dtype):
        return "int64"
    if pa.types.is_floating(dtype):
        return "float64"
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_date(dtype) or pa.types.is_timestamp(dtype):
        return "date"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    return ""


def _found(dtype: "pa.DataType", kind: str) -> str:
    """The type found, in the data card's words, with Arrow's name: 'Text (large_string)'."""
    return f"{TYPES[kind].label} ({dtype})" if kind else str(dtype)


def _from_arrow(array: "pa.ChunkedArray", col: Column) -> tuple["pd.Series", str | None]:
    """A pandas column of the canonical type, or the raw values and the type found."""
    import pyarrow as pa

    kind = _arrow_kind(array.type)
    if col.dtype == "int64" and kind == "float64":
        try:  # whole numbers stored as floats (pandas writes nullable ints so) convert without loss
            array = array.cast(pa.int64())
            kind = "int64"
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    if kind not in TYPES[col.dtype].readable_from:
        return array.to_pandas(), _found(array.type, kind)
    if col.dtype == "string":
        if pa.types.is_dictionary(array.type) or not _mostly_distinct(array):
            return (array if pa.types.is_dictionary(array.type) else array.dictionary_encode()).to_pandas(), None
        return array.to_pandas(), None  # names, file numbers, free text: a dictionary would cost more than it saves
    if col.dtype in ("int64", "bool", "float64"):
        target = {"int64": pa.int64(), "bool": pa.bool_(), "float64": pa.float64()}[col.dtype]
        try:
            cast = array.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. unsigned values beyond int64
            return array.to_pandas(), _found(array.type, kind)
        if cast.null_count and col.dtype != "float64":
            return cast.to_pandas(types_mapper={target: _nullable(col.dtype)}.get), None
        return cast.to_pandas(), None
    try:  # one conversion straight to nanoseconds, the unit GX compares dates in without a Python loop
        return array.cast(pa.timestamp("ns")).to_pandas(), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # beyond 1677-2262: keep a coarser unit
        return array.to_pandas(date_as_object=False), None


def _mostly_distinct(array: "pa.ChunkedArray") -> bool:
    """True when nearly all of the first values differ (judged on a fixed head, so deterministic).

    Such columns (file numbers, free text) are held as text: a dictionary of
    millions of distinct values costs seconds to build and saves nothing. Any
    repetition (given names, places, codes) makes a dictionary worth it,
    because GX copies whole frames when it leaves out empty values, and
    copying dictionary codes is cheap.
    """
    import pyarrow.compute as pc

    head = array.slice(0, TEXT_SAMPLE)
    present = len(head) - head.null_count
    return present > 0 and pc.count_distinct(head).as_py() >= 0.9 * present


def _nullable(dtype: str) -> Any:
    import pandas as pd

    return pd.Int64Dtype() if dtype == "int64" else pd.BooleanDtype()


def _frame_from_arrow(data: "pa.Table", schema: Table, loaded: Loaded) -> "pd.DataFrame":
    import pandas as pd

    columns: dict[str, pd.Series] = {}
    known = set(schema.column_names)
    for col in schema.columns:
        if col.name not in data.column_names:
            continue
        series, found = _from_arrow(data.column(col.name), col)
        if found is not None:
            loaded.bad_types.setdefault(schema.name, {})[col.name] = found
        columns[col.name] = series
    for name in data.column_names:  # columns the schema does not know stay as they are
        if name not in known:
            columns[name] = data.column(name).to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(data.num_rows), copy=False)  # no copy into 2-D blocks


def _read_parquet(path: Path, columns: list[str] | None = None, rows: int | None = None) -> "pa.Table":
    """The file's table (only ``columns`` if given, only the first ``rows`` if given)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.stat().st_size == 0:
        raise SandboxError(f"{path.name} ist leer (0 Bytes); bitte den Datensatz neu erzeugen oder die Datei neu exportieren")
    try:
        if columns is not None:
            columns = [c for c in pq.read_schema(path).names if c in columns]
        if rows is None:
            return pq.read_table(path, columns=columns)
        batch = next(pq.ParquetFile(path).iter_batches(batch_size=rows, columns=columns), None)
        return pa.Table.from_batches([batch]) if batch is not None else pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SandboxError(f"{path.name} ist keine lesbare Parquet-Datei ({first}); "
                           "bitte den Datensatz neu erzeugen oder die Datei neu exportieren") from None


def _read_file(path: Path, schema: Table, loaded: Loaded, columns: list[str] | None = None,
               rows: int | None = None) -> "pd.DataFrame":
    if not path.is_file():
        raise SandboxError(f"{path.name} fehlt; bitte den Datensatz neu erzeugen")
    if path.suffix.lower() == ".parquet":
        data = _read_parquet(path, columns, rows)
    elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
        data = arrow_from_text(read_text_table(path), schema)
        data = data.select([c for c in data.column_names if columns is None or c in columns])
        data = data if rows is None else data.slice(0, rows)
    else:
        raise SandboxError(f"{path.name}: unbekannter Dateityp {path.suffix!r}; bitte eine .csv- oder .parquet-Datei angeben")
    return _frame_from_arrow(data, schema, loaded)


def load_dataset(folder: Path, manifest: dict[str, Any] | None = None, only: Iterable[str] | None = None,
                 columns: dict[str, list[str]] | None = None, rows: int | None = None) -> Loaded:
    """Every table of a generated dataset that the registry knows (or those in ``only``).

    ``columns`` limits what is read of a table, ``rows`` reads only the first
    rows (a sample); both serve the privacy report, which needs little.
    """
    from sandbox.synth import TABLES

    manifest = manifest if manifest is not None else read_manifest(folder)
    loaded = Loaded()
    listed = manifest.get("tables") or {}
    wanted = set(only) if only is not None else None
    for name, info in listed.items():
        if wanted is not None and name not in wanted:
            continue
        if name not in TABLES:
            loaded.notes.append(f"Tabelle {name} ist dieser Version unbekannt und wird nicht geprüft")
            continue
        loaded.sources[name] = folder / str(info.get("file", f"{name}.parquet"))

    def read(name: str) -> "pd.DataFrame | SandboxError":
        try:
            return _read_file(loaded.sources[name], TABLES[name].TABLE, loaded, (columns or {}).get(name), rows)
        except SandboxError as exc:
            return exc

    # Arrow decodes and converts without holding the GIL: two tables at a time use both cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, result in zip(loaded.sources, pool.map(read, list(loaded.sources))):
            if isinstance(result, SandboxError):
                loaded.errors[name] = str(result)
            else:
                loaded.frames[name] = result
    for name in TABLES:
        if name not in listed and (wanted is None or name in wanted):
            loaded.notes.append(f"Tabelle {name} fehlt im Manifest (mit einer älteren Version erzeugt?)")
    return loaded


def load_extract(path: Path, table: str) -> Loaded:
    """A user's own CSV or Parquet file, read against the standard schema of ``table``."""
    from sandbox.synth import TABLES

    if table not in TABLES:
        raise SandboxError(f"unbekannte Tabelle {table!r} bei --as; Tabellen: {', '.join(TABLES)}")
    path = Path(path)
    if not path.exists():
        raise SandboxError(f"{path} gibt es nicht; bitte den Pfad zur CSV- oder Parquet-Datei angeben")
    loaded = Loaded(sources={table: path})
    try:
        loaded.frames[table] = _read_file(path, TABLES[table].TABLE, loaded)
    except SandboxError as exc:
        loaded.errors[table] = str(exc)
    return loaded
