"""A team's own extract: `sandbox data check --table FILE --as TABLE` with the standard schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox.quality.loading import load_extract
from sandbox.synth import TABLES

from tests.support import cli as run_cli


def extract(small_dataset: Path, table: str) -> pd.DataFrame:
    """A table as a team would have it in pandas: dates as datetimes."""
    frame = pd.read_parquet(small_dataset / f"{table}.parquet")
    for col in TABLES[table].TABLE.columns:
        if col.dtype == "date":
            frame[col.name] = pd.to_datetime(frame[col.name])
    return frame


def excel_csv(frame: pd.DataFrame, path: Path) -> Path:
    """German Excel: semicolon, decimal comma, BOM, dates as TT.MM.JJJJ."""
    frame.to_csv(path, sep=";", decimal=",", encoding="utf-8-sig", date_format="%d.%m.%Y", index=False)
    return path


def test_german_excel_csv_passes_with_notes_on_what_it_cannot_check(capsys, small_dataset: Path, tmp_path: Path) -> None:
    path = excel_csv(extract(small_dataset, "einwohner"), tmp_path / "einwohner.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b";" in path.read_bytes()[:200]
    code, out, _ = run_cli(capsys, "data", "check", "--table", str(path), "--as", "einwohner")
    assert code == 0, out
    assert "Ergebnis: bestanden" in out
    assert "Fremdschlüssel nicht geprüft" in out and "einwohner.haushalt_id" in out
    assert "Verteilungen nicht geprüft: eigene Daten haben kein Profil" in out
    assert (tmp_path / "einwohner_qualitaet" / "index.html").is_file()


def test_decimal_comma_is_read_as_numbers(capsys, small_dataset: Path, tmp_path: Path) -> None:
    frame = extract(small_dataset, "leistungen")
    assert frame["online_anteil"].mod(1).gt(0).any(), "the test needs fractional shares"
    path = excel_csv(frame, tmp_path / "leistungen.csv")
    assert ";0," in path.read_text(encoding="utf-8-sig")
    read = load_extract(path, "leistungen").frames["leistungen"]
    pd.testing.assert_series_equal(read["online_anteil"], frame["online_anteil"])
    code, out, _ = run_cli(capsys, "data", "check", "--table", str(path), "--as", "leistungen", "--no-docs")
    assert code == 0, out


def test_plain_csv_and_parquet_pass(capsys, small_dataset: Path, tmp_path: Path) -> None:
    frame = extract(small_dataset, "haushalte")
    frame.to_csv(tmp_path / "haushalte.csv", index=False)
    frame.to_parquet(tmp_path / "haushalte.parquet", index=False)
    for name in ("haushalte.csv", "haushalte.parquet"):
        code, out, _ = run_cli(capsys, "data", "check", "--table", str(tmp_path / name), "--as", "haushalte", "--no-docs")
        assert code == 0, out


def test_extra_columns_are_allowed_and_named(capsys, small_dataset: Path, tmp_path: Path) -> None:
    frame = extract(small_dataset, "haushalte").assign(bemerkung="intern")
    frame.to_csv(tmp_path / "h.csv", index=False)
    code, out, _ = run_cli(capsys, "data", "check", "--table", str(tmp_path / "h.csv"), "--as", "haushalte", "--no-docs")
    assert code == 0 and "Spalten außerhalb des Schemas werden nicht geprüft: bemerkung" in out


def test_a_value_that_is_no_number_is_shown(capsys, small_dataset: Path, tmp_path: Path) -> None:
    frame = extract(small_dataset, "haushalte").astype({"anzahl_personen": "object"})
    frame.loc[4, "anzahl_personen"] = "drei"
    frame.to_csv(tmp_path / "h.csv", index=False)
    code, out, _ = run_cli(capsys, "data", "check", "--table", str(tmp_path / "h.csv"), "--as", "haushalte", "--no-docs")
    assert code == 1
    assert "FEHLER haushalte: anzahl_personen: Typ Ganzzahl" in out and "gefunden: Text" in out
    line = next(line for line in out.splitlines() if "anzahl_personen: Werte als Ganzzahl lesbar" in line)
    assert "1 Zeile weicht ab" in line and "drei" in line


@pytest.mark.parametrize(("encoding", "message"), [
    ("cp1252", "ist nicht UTF-8"),
    ("latin-1", "ist nicht UTF-8"),
    ("utf-16", "ist UTF-16-kodiert, nicht UTF-8"),
])
def test_unexpected_encoding_is_an_input_error(capsys, small_dataset: Path, tmp_path: Path, encoding: str,
                                               message: str) -> None:
    path = tmp_path / "einwohner.csv"
    extract(small_dataset, "einwohner").to_csv(path, sep=";", encoding=encoding, errors="replace", index=False)
    code, _, err = run_cli(capsys, "data", "check", "--table", str(path), "--as", "einwohner", "--no-docs")
    assert code == 2 and err.startswith("Fehler: ") and err.count("\n") == 1
    assert f"einwohner.csv {message}" in err and "CSV UTF-8" in err


def test_8bit_text_late_in_a_file_is_found(capsys, tmp_path: Path) -> None:
    """The first 64 KiB are plain ASCII; the umlaut that gives Windows-1252 away comes later."""
    rows = [f"{i};1;Einpersonenhaushalt;1" for i in range(1, 6000)] + ["6000;1;Paar ohne Kinder;2 Personen Müller"]
    (tmp_path / "h.csv").write_bytes(("haushalt_id;anschrift_id;haushaltstyp;anzahl_personen\n" + "\n".join(rows))
                                     .encode("cp1252"))
    code, _, err = run_cli(capsys, "data", "check", "--table", str(tmp_path / "h.csv"), "--as", "haushalte", "--no-docs")
    assert code == 2 and "h.csv ist nicht UTF-8 (Byte 0xFC" in err and "Müller" in err


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_csv_is_an_input_error(capsys, tmp_path: Path, content: bytes) -> None:
    (tmp_path / "leer.csv").write_bytes(content)
    code, _, err = run_cli(capsys, "data", "check", "--table", str(tmp_path / "leer.csv"), "--as", "einwohner")
    assert code == 2 and err.startswith("Fehler: leer.csv ist leer")


def test_header_only_fails_its_checks(capsys, tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("haushalt_id;anschrift_id;haushaltstyp;anzahl_personen\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "data", "check", "--table", str(tmp_path / "h.csv"), "--as", "haushalte", "--no-docs")
    assert code == 1 and "FEHLER haushalte: mindestens eine Zeile" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--table", "x.csv"], "--table DATEI und --as TABELLE gehören zusammen"),
    (["--as", "einwohner"], "--table DATEI und --as TABELLE gehören zusammen"),
    (["--table", "gibtsnicht.csv", "--as", "einwohner"], "gibtsnicht.csv gibt es nicht"),
    (["--table", "x.csv", "--as", "buerger"], "unbekannte Tabelle 'buerger' bei --as"),
    (["--table", "x.xlsx", "--as", "einwohner"], "unbekannter Dateityp '.xlsx'"),
    (["gibtsnicht"], "kein erzeugter Datensatz 'gibtsnicht'"),
    (["musterstadt", "--table", "x.csv", "--as", "einwohner"], "entweder einen Datensatz oder --table DATEI --as TABELLE"),
])
def test_bad_arguments_one_line_exit_2(capsys, tmp_path: Path, monkeypatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04")
    code, out, err = run_cli(capsys, "data", "check", *args)
    assert code == 2 and message in out + err
