"""CSV as offices produce it: German Excel (``;``, decimal comma, BOM) or plain CSV.

The file is read as text first (every column a string), then each column is
converted to its schema type with Arrow compute, vectorised, so a generated
CSV dataset of millions of rows reads in seconds. Values that do not fit the
type leave the column as text and are reported, never guessed.

Encodings: UTF-8 with or without byte-order mark. Anything else (UTF-16,
Windows-1252/Latin-1 as older Excel versions save "CSV") is refused with a
line that says how to re-save the file, because guessing an 8-bit encoding
silently turns "Müller" into "MÃ¼ller".
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError
from sandbox.synth.dtypes import TYPES
from sandbox.synth.schema import Table

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["read_text_table", "arrow_from_text"]

_HEAD = 1 << 16
_RESAVE = "bitte in Excel als 'CSV UTF-8 (durch Trennzeichen getrennt)' speichern oder nach UTF-8 umwandeln"

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                      "%Y-%m-%d %H:%M", *_DATE_FORMATS)


def _check_encoding(path: Path, head: bytes) -> int:
    """Raise for encodings other than UTF-8; return the length of a UTF-8 BOM (0 or 3)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:200].count(b"\x00") > 10:
        raise SandboxError(f"{path.name} ist UTF-16-kodiert, nicht UTF-8; {_RESAVE}")
    bom = 3 if head.startswith(codecs.BOM_UTF8) else 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head[bom:], final=len(head) < _HEAD)
    except UnicodeDecodeError as exc:
        _refuse_8bit(path, head, exc.start)
    return bom


def _refuse_8bit(path: Path, data: bytes, position: int) -> None:
    byte = data[position]
    sample = data[max(0, position - 12):position + 12].decode("cp1252", errors="replace").replace("\n", " ")
    raise SandboxError(f"{path.name} ist nicht UTF-8 (Byte 0x{byte:02X} an Position {position}, als "
                       f"Windows-1252/Latin-1 gelesen steht dort '{sample.strip()}'); {_RESAVE}")


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_text_table(path: Path) -> tuple["pa.Table", str]:
    """The file's columns as text (empty fields are null) and its delimiter."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise SandboxError(f"{path.name} ist leer; bitte die Tabelle mit Kopfzeile neu exportieren")
    bom = _check_encoding(path, head)
    first_line = head[bom:].split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    delimiter = _sniff_delimiter(first_line)
    names = [n.strip().strip('"').strip() for n in first_line.split(delimiter)]
    try:
        data = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                                                 null_values=[""], quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if "UTF8" in message or "utf8" in message.lower():
            _refuse_8bit(path, path.read_bytes(), _first_invalid_utf8(path))
        raise SandboxError(f"{path.name} lässt sich nicht als CSV lesen ({message}); bitte Trennzeichen und Anführungszeichen prüfen") from None
    return data.rename_columns([n.lower() for n in names]), delimiter


def _first_invalid_utf8(path: Path) -> int:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _german_numbers(text: "pa.ChunkedArray") -> "pa.ChunkedArray":
    """'1.234,5' -> '1234.5': thousands dots out, decimal comma to point."""
    import pyarrow.compute as pc

    grouped = pc.match_substring_regex(text, r"^\s*[+-]?\d{1,3}(\.\d{3})+(,\d*)?\s*$")
    text = pc.if_else(grouped, pc.replace_substring(text, ".", ""), text)
    return pc.replace_substring(text, ",", ".")


def _parse_times(text: "pa.ChunkedArray", formats: tuple[str, ...]) -> "pa.ChunkedArray | None":
    """Timestamps from the first format every value parses with (None if there is none)."""
    import pyarrow.compute as pc

    for fmt in formats:
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        if parsed.null_count == text.null_count:
            return parsed
    return None


def _convert(text: "pa.ChunkedArray", dtype: str, delimiter: str) -> "pa.ChunkedArray | None":
    """The text converted to ``dtype``, or None when some value is not of that type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if dtype == "string":
        return text
    valid = pc.match_substring_regex(text, TYPES[dtype].text_pattern)
    if pc.sum(pc.invert(valid)).as_py():  # nulls stay null, only real values count
        return None
    if dtype == "int64":
        whole = pc.replace_substring_regex(pc.utf8_trim_whitespace(text), pattern=r"[.,]0*$", replacement="")
        return pc.cast(whole, pa.int64())
    if dtype == "float64":
        text = _german_numbers(text) if delimiter == ";" else text
        return pc.cast(pc.utf8_trim_whitespace(text), pa.float64())
    if dtype == "bool":
        truth = pc.is_in(pc.utf8_lower(text), value_set=pa.array(["wahr", "true", "ja", "1"]))
        return pc.if_else(pc.is_valid(text), truth, pa.scalar(None, pa.bool_()))
    return _parse_times(text, _DATE_FORMATS if dtype == "date" else _TIMESTAMP_FORMATS)


def arrow_from_text(read: tuple["pa.Table", str], schema: Table) -> "pa.Table":
    """The schema's columns converted to their types; a column that does not fit stays text."""
    import pyarrow as pa

    data, delimiter = read
    arrays = []
    for name in data.column_names:
        text = data.column(name)
        converted = _convert(text, schema.column(name).dtype, delimiter) if name in schema.column_names else None
        arrays.append(text if converted is None else converted)
    return pa.Table.from_arrays(arrays, names=data.column_names)
