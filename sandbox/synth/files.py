"""Writing one table to disk: Parquet, or CSV in the dialect German Excel opens.

German Excel expects `;` between fields, a decimal comma and, to detect
UTF-8, a byte-order mark. Dates are written as ISO 8601 (JJJJ-MM-TT), which
Excel recognises in every locale, or, for an export a user asked so
(``sandbox data export --datum deutsch``), as TT.MM.JJJJ; truth values as
WAHR/FALSCH. Text (codes such as PLZ, AGS, LeiKa) is always quoted, so an
import that reads quoted fields as text keeps leading zeros.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FORMATS", "write_table", "write_csv", "CSV_BOM", "CSV_DELIMITER", "DATE_FORMATS"]

FORMATS = ("parquet", "csv")
CSV_BOM = b"\xef\xbb\xbf"
CSV_DELIMITER = ";"
_SLICE = 200_000  # rows turned into text at a time
#: strftime formats of dates and timestamps: ISO (the dataset contract) or German (TT.MM.JJJJ)
DATE_FORMATS = {"iso": ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"), "deutsch": ("%d.%m.%Y", "%d.%m.%Y %H:%M:%S")}


def _cells(field: "pa.Field", column: "pa.ChunkedArray | pa.Array", dates: str) -> "pa.Array":
    """One column as CSV cells: text quoted (quotes doubled), numbers, dates and truth values bare; null empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = field.type
    if pa.types.is_floating(kind):
        cells = pc.replace_substring(pc.cast(column, pa.string()), ".", ",")
    elif pa.types.is_boolean(kind):
        cells = pc.if_else(column, "WAHR", "FALSCH")
    elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        cells = pc.strftime(column, format=DATE_FORMATS[dates][0 if pa.types.is_date(kind) else 1])
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        escaped = pc.replace_substring(column, '"', '""')
        cells = pc.binary_join_element_wise('"', escaped, '"', "")
    else:
        cells = pc.cast(column, pa.string())
    return pc.fill_null(cells, "")


def _lines(table: "pa.Table", dates: str) -> bytes:
    """The rows of ``table`` as CSV lines (each ending in a newline), UTF-8."""
    import pyarrow.compute as pc

    columns = [_cells(field, column, dates) for field, column in zip(table.schema, table.columns)]
    if not columns or table.num_rows == 0:
        return b""
    rows = pc.binary_join_element_wise(*columns, CSV_DELIMITER) if len(columns) > 1 else columns[0]
    return ("\n".join(rows.to_pylist()) + "\n").encode("utf-8")


def write_table(table: "pa.Table", folder: Path, name: str, fmt: str) -> Path:
    """Write ``table`` as ``folder/name.<fmt>`` and return the path."""
    import pyarrow.parquet as pq

    path = folder / f"{name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", write_statistics=True)
    else:
        write_csv(table, path)
    return path


def write_csv(table: "pa.Table", path: Path, dates: str = "iso") -> None:
    """Write ``table`` to ``path`` as German-Excel CSV; ``dates`` is a key of :data:`DATE_FORMATS`.

    Text is always quoted and nothing else is, so an import that reads quoted
    fields as text keeps codes such as ``09501`` while numbers and dates stay
    numbers and dates. Written in slices of rows to bound memory.
    """
    header = CSV_DELIMITER.join('"' + name.replace('"', '""') + '"' for name in table.column_names)
    with path.open("wb") as handle:
        handle.write(CSV_BOM + header.encode("utf-8") + b"\n")
        for offset in range(0, table.num_rows, _SLICE):
            handle.write(_lines(table.slice(offset, _SLICE), dates))
