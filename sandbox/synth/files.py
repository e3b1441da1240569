"""Writing one table to disk: Parquet, or CSV in the dialect German Excel opens.

German Excel expects `;` between fields, a decimal comma and, to detect
UTF-8, a byte-order mark. Dates are written as ISO 8601 (JJJJ-MM-TT), which
Excel recognises in every locale; truth values as WAHR/FALSCH.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FORMATS", "write_table", "CSV_BOM", "CSV_DELIMITER"]

FORMATS = ("parquet", "csv")
CSV_BOM = b"\xef\xbb\xbf"
CSV_DELIMITER = ";"


def _excel_columns(table: "pa.Table") -> "pa.Table":
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_floating(field.type):
            column = pc.replace_substring(pc.cast(column, pa.string()), ".", ",")
        elif pa.types.is_boolean(field.type):
            column = pc.if_else(column, "WAHR", "FALSCH")
        elif pa.types.is_date(field.type) or pa.types.is_timestamp(field.type):
            fmt = "%Y-%m-%d" if pa.types.is_date(field.type) else "%Y-%m-%d %H:%M:%S"
            column = pc.strftime(column, format=fmt)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write_table(table: "pa.Table", folder: Path, name: str, fmt: str) -> Path:
    """Write ``table`` as ``folder/name.<fmt>`` and return the path."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = folder / f"{name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", write_statistics=True)
    else:
        with path.open("wb") as handle:
            handle.write(CSV_BOM)
            pacsv.write_csv(
                _excel_columns(table),
                handle,
                write_options=pacsv.WriteOptions(delimiter=CSV_DELIMITER, quoting_style="needed"),
            )
    return path
