"""Read a user's own extract (CSV in the German Excel dialect, Parquet or XLSX) for the twin.

CSV goes through the same reader and type conversion as ``sandbox data check``
(:mod:`sandbox.quality.textfiles`); Parquet through pyarrow; XLSX through
openpyxl, its cells written as text and converted the same way. Every error
message here is built without a single value of the extract: the extract's
values must not reach a terminal log either, so the reader's own messages
(which may quote a line) are replaced by German ones naming only the file and
the column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError
from sandbox.synth.schema import Column, Table
from sandbox.synth.writer import sha256

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["Extract", "read_extract", "SUFFIXES", "text_schema", "logical_type"]

SUFFIXES = (".csv", ".txt", ".tsv", ".parquet", ".xlsx")


@dataclass
class Extract:
    """The extract's columns as read, and fingerprints that identify it without showing it."""

    data: "pa.Table"
    path_sha256: str  # of the resolved path: the report records where from without naming it
    content_sha256: str

    @property
    def rows(self) -> int:
        return int(self.data.num_rows)

    @property
    def names(self) -> list[str]:
        return list(self.data.column_names)


def text_schema(name: str, dtypes: dict[str, str]) -> Table:
    """A throw-away schema for the type conversion of the text reader."""
    return Table(name=name, description="", columns=tuple(Column(n, t, "", nullable=True) for n, t in dtypes.items()))


def _read_csv(path: Path) -> tuple["pa.Table", str]:
    from sandbox.quality.textfiles import read_text_table

    try:
        return read_text_table(path)
    except SandboxError as exc:  # its messages may quote a line of the file: replaced, never shown
        text = str(exc)
        if " is empty" in text:
            raise SandboxError(f"{path.name} ist leer; exportieren Sie den Auszug mit Kopfzeile erneut") from None
        if "UTF-" in text:
            raise SandboxError(f"{path.name} ist nicht UTF-8-kodiert; speichern Sie die Datei in Excel als "
                               "'CSV UTF-8 (durch Trennzeichen getrennt)'") from None
        raise SandboxError(f"{path.name} lässt sich nicht als CSV lesen; prüfen Sie Trennzeichen und "
                           "Anführungszeichen") from None


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour, value.minute, value.second) != (0, 0, 0) \
            else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> tuple["pa.Table", str]:
    import pyarrow as pa
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
        raise SandboxError(f"{path.name} ist keine lesbare XLSX-Datei; speichern Sie sie in Excel erneut") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(h is not None for h in header):
            raise SandboxError(f"{path.name} ist leer; die erste Zeile des ersten Blatts muss die Spaltennamen tragen")
        names = [str(h).strip().lower() if h is not None else "" for h in header]
        if "" in names:
            raise SandboxError(f"{path.name}: eine Spalte der Kopfzeile hat keinen Namen")
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            for i in range(len(names)):
                columns[i].append(_cell_text(row[i] if i < len(row) else None))
    finally:
        book.close()
    return pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns)}), ","


def _read_parquet(path: Path) -> "pa.Table":
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError):
        raise SandboxError(f"{path.name} ist keine lesbare Parquet-Datei; exportieren Sie den Auszug erneut") from None
    return data.rename_columns([n.lower() for n in data.column_names])


def _inferred(read: tuple["pa.Table", str]) -> "pa.Table":
    """Text columns as whole numbers, numbers or dates where every value reads as one (for a proposal)."""
    import pyarrow as pa

    from sandbox.quality.textfiles import arrow_from_text

    data, delimiter = read
    columns = []
    for name in data.column_names:
        column = data.select([name])
        for dtype in ("int64", "float64", "date"):
            converted = arrow_from_text((column, delimiter), text_schema("auszug", {name: dtype}))
            if not pa.types.is_string(converted.schema.field(0).type):
                column = converted
                break
        columns.append(column.column(0))
    return pa.Table.from_arrays(columns, names=data.column_names)


def read_extract(path: Path, dtypes: dict[str, str] | None = None) -> Extract:
    """The extract at ``path``; text columns named in ``dtypes`` converted to those logical types.

    A column that does not convert stays text: the domain check then names it.
    Without ``dtypes`` (a proposal), each text column gets the first type all its values read as.
    """
    import pyarrow as pa

    from sandbox.quality.textfiles import arrow_from_text

    path = Path(path)
    if not path.is_file():
        raise SandboxError(f"{path} gibt es nicht; geben Sie den Pfad zu Ihrer CSV-, Parquet- oder XLSX-Datei an")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SandboxError(f"{path.name}: Dateityp {suffix or '(keiner)'} wird nicht gelesen; "
                           "geben Sie eine .csv-, .parquet- oder .xlsx-Datei an")
    if path.stat().st_size == 0:
        raise SandboxError(f"{path.name} ist leer (0 Bytes); exportieren Sie den Auszug erneut")
    if suffix == ".parquet":
        data = _read_parquet(path)
    else:
        read = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
        known = {n: t for n, t in (dtypes or {}).items() if n in read[0].column_names}
        data = arrow_from_text(read, text_schema("auszug", known)) if dtypes is not None else _inferred(read)
    if len(set(data.column_names)) != len(data.column_names):
        raise SandboxError(f"{path.name}: ein Spaltenname kommt mehrfach vor; benennen Sie die Spalten eindeutig")
    if data.num_rows == 0:
        raise SandboxError(f"{path.name} enthält keine Zeilen; ein Zwilling braucht Daten")
    for name in data.column_names:  # dictionary-encoded Parquet columns become plain ones
        if pa.types.is_dictionary(data.schema.field(name).type):
            data = data.set_column(data.column_names.index(name), name, data.column(name).dictionary_decode())
    return Extract(data=data, path_sha256=hashlib.sha256(str(path.resolve()).encode()).hexdigest(),
                   content_sha256=sha256(path))


def logical_type(arrow_type: "pa.DataType") -> str:
    """The logical type a read column has, as the quality loader reads it (anything else is ``string``)."""
    from sandbox.quality.loading import _arrow_kind

    return _arrow_kind(arrow_type) or "string"
