"""Export a dataset for spreadsheet users: XLSX with codes as text, or German-Excel CSV.

A dataset's Parquet files are the contract; offices open tables in Excel or
LibreOffice Calc. Opened by double-click, a CSV loses what matters most in
administrative data: every Saxon PLZ starts with 0 (``09501`` becomes
``9501``), AGS and 14-digit LeiKa keys turn into numbers. No CSV convention
keeps them in both programs (``="09501"`` is a formula in Excel and literal
text in LibreOffice), so the safe route is XLSX, where each cell carries its
type: text columns are written as text cells formatted ``@`` (Text), dates as
date cells shown as ``TT.MM.JJJJ`` or ``JJJJ-MM-TT``, numbers as numbers.

The CSV export is the dataset's CSV dialect (``;``, decimal comma, UTF-8
BOM, text always quoted) with the choice of German dates; an import that
reads quoted fields as text (LibreOffice: "Felder in Hochkommas als Text")
keeps the leading zeros.

Files go to ``<dataset>/export/`` unless ``out`` says otherwise; each file is
written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.datasets.dataset import Dataset, quote
from sandbox.errors import SandboxError
from sandbox.synth.files import DATE_FORMATS, write_csv

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["EXPORT_FORMATS", "DATE_STYLES", "XLSX_MAX_ROWS", "export_dataset", "write_xlsx"]

EXPORT_FORMATS = ("xlsx", "csv")
DATE_STYLES = tuple(DATE_FORMATS)
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, one is the header
#: number formats of date and timestamp cells (Excel's codes; shown as TT.MM.JJJJ in a German Excel)
_XLSX_DATES = {"iso": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"), "deutsch": ("dd.mm.yyyy", "dd.mm.yyyy hh:mm:ss")}
_TEXT = "@"


def _column_formats(table: "pa.Table", dates: str) -> list[str | None]:
    """The number format of each column's cells: text, a date format, or None (numbers, truth values)."""
    import pyarrow as pa

    formats: list[str | None] = []
    for field in table.schema:
        if pa.types.is_date(field.type):
            formats.append(_XLSX_DATES[dates][0])
        elif pa.types.is_timestamp(field.type):
            formats.append(_XLSX_DATES[dates][1])
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            formats.append(_TEXT)
        else:
            formats.append(None)
    return formats


def write_xlsx(table: "pa.Table", path: Path, sheet: str, dates: str = "iso") -> None:
    """Write ``table`` as one sheet ``sheet`` of a workbook at ``path``: header frozen, filter on, typed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if table.num_rows > XLSX_MAX_ROWS:
        raise SandboxError(f"Tabelle {sheet} hat {table.num_rows} Zeilen, mehr als ein Excel-Blatt fasst "
                           f"({XLSX_MAX_ROWS}); exportieren Sie sie mit --format csv")
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    width = max(table.num_columns, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(width)}{table.num_rows + 1}"
    for index, name in enumerate(table.column_names, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(len(name) + 2, 40))
    bold = Font(bold=True)
    header = []
    for name in table.column_names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    formats = _column_formats(table, dates)
    for batch in table.to_batches(max_chunksize=10_000):
        columns = [column.to_pylist() for column in batch.columns]
        for values in zip(*columns):
            row = []
            for value, fmt in zip(values, formats):
                if fmt is None or value is None:
                    row.append(value)
                else:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    row.append(cell)
            ws.append(row)
    book.save(path)


def _tables(ds: Dataset, wanted: Iterable[str] | None) -> list[str]:
    """The tables to export, checked against the dataset's tables."""
    if wanted is None:
        return ds.tables
    names = [name.strip() for name in wanted if name.strip()]
    unknown = [name for name in names if name not in ds.tables]
    if unknown or not names:
        raise SandboxError(f"unbekannte Tabelle {', '.join(unknown) or '(keine angegeben)'}; "
                           f"Tabellen von {ds.path.name}: {', '.join(ds.tables)}")
    return names


def export_dataset(folder: Path, fmt: str = "xlsx", out: Path | None = None, tables: Iterable[str] | None = None,
                   dates: str = "iso", progress: Callable[[str, int, int], None] | None = None) -> list[Path]:
    """Export the tables of the dataset at ``folder`` as ``fmt`` files into ``out``; return their paths.

    ``dates``: ``iso`` (JJJJ-MM-TT) or ``deutsch`` (TT.MM.JJJJ). ``progress``
    is called with (table, index, total) before each table.
    """
    if fmt not in EXPORT_FORMATS:
        raise SandboxError(f"unbekanntes Exportformat {fmt!r}; möglich: {', '.join(EXPORT_FORMATS)}")
    if dates not in DATE_STYLES:
        raise SandboxError(f"unbekannte Datumsschreibweise {dates!r}; möglich: {', '.join(DATE_STYLES)}")
    ds = Dataset(folder)
    names = _tables(ds, tables)
    target = Path(out) if out is not None else ds.path / "export"
    if target.exists() and not target.is_dir():
        raise SandboxError(f"{target} ist eine Datei, kein Ordner; geben Sie mit --out einen Ordner an")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for index, name in enumerate(names):
        if progress is not None:
            progress(name, index, len(names))
        table = ds.con.sql(f"select * from {quote(name)}").to_arrow_table()
        path = target / f"{name}.{fmt}"
        partial = target / f".{name}.{fmt}.tmp-{os.getpid()}"
        try:
            if fmt == "xlsx":
                write_xlsx(table, partial, name, dates)
            else:
                write_csv(table, partial, dates)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        written.append(path)
    if progress is not None:
        progress("", len(names), len(names))
    return written
