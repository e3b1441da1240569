"""``sandbox data export``: XLSX and CSV that Excel and LibreOffice open with codes as text.

The files are checked twice: read back with openpyxl (what the file says),
and opened in real headless LibreOffice Calc (what a user sees), which needs
``soffice``. Without it those tests are skipped, except under CI=true,
where ``make libreoffice`` provisions it and a missing program fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sandbox.datasets import export
from sandbox.synth.writer import generate_dataset
from tests.support import cli, unavailable

TABLES = "gemeinden,anschriften,antraege,leistungen,gewerbe"
# LibreOffice's CSV filter options: ';', '"', UTF-8, from line 1, no column types, German locale, quoted as text
_CSV_IN = "CSV:59,34,76,1,,1031,true"
# ... and to save a sheet as CSV: the same separators, text cells quoted, cell contents as shown
_CSV_OUT = "csv:Text - txt - csv (StarCalc):59,34,76,1,,1031,true,false,true"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small musterstadt (about 3,700 residents): every code column and date kind occurs."""
    return generate_dataset("musterstadt", 5, population=3000, out=tmp_path_factory.mktemp("export") / "ds")


def _first(folder: Path, table: str, column: str) -> object:
    """The first value of ``column`` in the Parquet table: what the export must show."""
    return pq.read_table(folder / f"{table}.parquet", columns=[column]).column(0)[0].as_py()


def test_xlsx_keeps_codes_as_text_and_dates_as_dates(small: Path, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    code, out, err = cli(capsys, "data", "export", str(small), "--tables", TABLES, "--datum", "deutsch",
                         "--out", str(tmp_path))
    assert code == 0, err
    assert "5 Dateien" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.xlsx" for t in TABLES.split(","))
    sheet = load_workbook(tmp_path / "anschriften.xlsx").active
    header = [c.value for c in sheet[1]]
    plz = sheet.cell(2, header.index("plz") + 1)
    assert plz.value == _first(small, "anschriften", "plz") and plz.value.startswith("0")
    assert plz.data_type == "s" and plz.number_format == "@"
    sheet = load_workbook(tmp_path / "antraege.xlsx").active
    header = [c.value for c in sheet[1]]
    day = sheet.cell(2, header.index("eingangsdatum") + 1)
    assert day.is_date and day.value.date() == _first(small, "antraege", "eingangsdatum")
    assert day.number_format == "dd.mm.yyyy"
    leika = sheet.cell(2, header.index("leika_schluessel") + 1)
    assert leika.data_type == "s" and len(leika.value) == 14
    assert sheet.max_row == pq.read_metadata(small / "antraege.parquet").num_rows + 1
    assert sheet.freeze_panes == "A2"


def test_csv_export_quotes_text_only_and_writes_german_dates(small: Path, tmp_path: Path, capsys) -> None:
    code, _, err = cli(capsys, "data", "export", str(small), "--format", "csv", "--tables", "leistungen,antraege",
                       "--datum", "deutsch", "--out", str(tmp_path))
    assert code == 0, err
    raw = (tmp_path / "leistungen.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").splitlines()
    fields = lines[1].split(";")
    assert fields[0] == f'"{_first(small, "leistungen", "leika_schluessel")}"'
    anteil = _first(small, "leistungen", "online_anteil")
    assert fields[6] == str(anteil).replace(".", ",") and not fields[6].startswith('"')
    rows = list(csv.reader((tmp_path / "antraege.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    day = _first(small, "antraege", "eingangsdatum")
    assert rows[1][rows[0].index("eingangsdatum")] == day.strftime("%d.%m.%Y")


def test_export_refuses_unknown_tables_formats_and_date_styles(small: Path, tmp_path: Path, capsys) -> None:
    for args in (["--tables", "einwohner,gibtsnicht"], ["--format", "ods"], ["--datum", "us"], ["--tables", ","]):
        code, out, err = cli(capsys, "data", "export", str(small), "--out", str(tmp_path / "x"), *args)
        assert code == 2 and err.startswith("Fehler: ") and len(err.strip().splitlines()) == 1, (args, err)
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_a_table_too_large_for_a_sheet_is_refused_before_anything_is_written(small: Path, tmp_path: Path,
                                                                           capsys, monkeypatch) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 100)
    code, _, err = cli(capsys, "data", "export", str(small), "--tables", "einwohner", "--out", str(tmp_path))
    assert code == 2 and "--format csv" in err
    assert list(tmp_path.iterdir()) == []


# --- in real LibreOffice ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soffice(tmp_path_factory: pytest.TempPathFactory):
    """Run headless LibreOffice with a private profile: ``soffice(args...)`` in a working folder."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if not program:
        unavailable("LibreOffice (soffice) is not installed", "install it with: make libreoffice")
    home = tmp_path_factory.mktemp("libreoffice")

    def run(*args: str) -> None:
        env = {**os.environ, "HOME": str(home)}
        subprocess.run([program, f"-env:UserInstallation={(home / 'profil').as_uri()}", "--headless", *args],
                       check=True, env=env, capture_output=True, timeout=300)

    return run


@pytest.mark.office
def test_libreoffice_shows_the_xlsx_codes_with_leading_zeros_and_german_dates(small: Path, tmp_path: Path,
                                                                             soffice, capsys) -> None:
    cli(capsys, "data", "export", str(small), "--tables", "anschriften,antraege", "--datum", "deutsch",
        "--out", str(tmp_path))
    soffice("--convert-to", _CSV_OUT, "--outdir", str(tmp_path / "lo"),
            str(tmp_path / "anschriften.xlsx"), str(tmp_path / "antraege.xlsx"))
    shown = list(csv.reader((tmp_path / "lo" / "anschriften.csv").read_text(encoding="utf-8").splitlines(),
                            delimiter=";"))
    plz = _first(small, "anschriften", "plz")
    assert shown[1][shown[0].index("plz")] == plz and plz.startswith("0")
    raw = (tmp_path / "lo" / "antraege.csv").read_text(encoding="utf-8").splitlines()
    shown = list(csv.reader(raw, delimiter=";"))
    header = shown[0]
    assert shown[1][header.index("eingangsdatum")] == _first(small, "antraege", "eingangsdatum").strftime("%d.%m.%Y")
    leika = _first(small, "antraege", "leika_schluessel")
    assert f'"{leika}"' in raw[1].split(";")  # a text cell (LibreOffice quotes text cells only)
    assert shown[1][header.index("ags")] == _first(small, "antraege", "ags")


@pytest.mark.office
def test_libreoffice_opens_the_csv_with_codes_as_text_and_numbers_as_numbers(small: Path, tmp_path: Path,
                                                                            soffice, capsys) -> None:
    from openpyxl import load_workbook

    cli(capsys, "data", "export", str(small), "--format", "csv", "--tables", "leistungen,antraege,gewerbe",
        "--datum", "deutsch", "--out", str(tmp_path))
    soffice(f"--infilter={_CSV_IN}", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"),
            *(str(tmp_path / f"{t}.csv") for t in ("leistungen", "antraege", "gewerbe")))

    def first_row(table: str) -> dict[str, object]:
        sheet = load_workbook(tmp_path / "lo" / f"{table}.xlsx").active
        return dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))

    leistung = first_row("leistungen")
    assert leistung["leika_schluessel"] == _first(small, "leistungen", "leika_schluessel")
    assert leistung["online_anteil"] == pytest.approx(_first(small, "leistungen", "online_anteil"))
    assert leistung["leistung"] == _first(small, "leistungen", "leistung")  # umlauts intact (BOM, UTF-8)
    antrag = first_row("antraege")
    assert antrag["ags"] == _first(small, "antraege", "ags") and isinstance(antrag["ags"], str)
    day = _first(small, "antraege", "eingangsdatum")
    assert isinstance(antrag["eingangsdatum"], dt.datetime) and antrag["eingangsdatum"].date() == day
    betrieb = first_row("gewerbe")
    assert betrieb["wz_code"] == _first(small, "gewerbe", "wz_code")  # "68.20" stays text, not 68.2
