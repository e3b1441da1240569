"""Planted defects: `sandbox data check` names each one, with exit 1 (data fail) or 2 (unreadable)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support import cli as run_cli


def check(capsys, folder: Path) -> tuple[int, str]:
    code, out, err = run_cli(capsys, "data", "check", str(folder), "--no-docs")
    return code, out + err


def failure(out: str, text: str) -> str:
    """The report's FEHLER line that mentions ``text``."""
    return next(line for line in out.splitlines() if line.startswith("FEHLER") and text in line)


def test_the_untouched_copy_passes(capsys, register_copy: Path) -> None:
    code, out = check(capsys, register_copy)
    assert code == 0, out
    assert "Ergebnis: bestanden" in out and "FEHLER" not in out


def test_missing_parquet_file(capsys, register_copy: Path) -> None:
    (register_copy / "haushalte.parquet").unlink()
    code, out = check(capsys, register_copy)
    assert code == 2
    assert "nicht lesbar: haushalte.parquet fehlt" in out
    assert "Ergebnis: nicht lesbar" in out
    assert "einwohner" in out  # the readable tables are still checked and listed


def test_corrupted_parquet_bytes(capsys, register_copy: Path) -> None:
    path = register_copy / "einwohner.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 4096] = b"\x00" * 4096
    data[-12:-4] = b"\xff" * 8  # the footer length, too
    path.write_bytes(bytes(data))
    code, out = check(capsys, register_copy)
    assert code == 2 and "einwohner.parquet ist keine lesbare Parquet-Datei" in out


def test_empty_file(capsys, register_copy: Path) -> None:
    (register_copy / "anschriften.parquet").write_bytes(b"")
    code, out = check(capsys, register_copy)
    assert code == 2 and "anschriften.parquet ist leer (0 Bytes)" in out


def test_missing_column(capsys, register_copy: Path, rewrite) -> None:
    rewrite(register_copy, "einwohner", lambda f: f.drop(columns=["religion"]))
    code, out = check(capsys, register_copy)
    assert code == 1
    assert "FEHLER einwohner: Spalten wie im Schema" in out and "fehlt: religion" in out


def test_wrong_type(capsys, register_copy: Path, rewrite) -> None:
    rewrite(register_copy, "einwohner", lambda f: f.assign(geburtsdatum=f["geburtsdatum"].astype(str)))
    code, out = check(capsys, register_copy)
    assert code == 1
    assert "FEHLER einwohner: geburtsdatum: Typ Datum" in out and "gefunden: Text (large_string)" in out


@pytest.mark.parametrize(("table", "column", "rows", "value", "expected", "sample"), [
    ("haushalte", "haushalt_id", [7], 4, "FEHLER haushalte: haushalt_id: eindeutig", "2 Zeilen weichen ab; z. B. 4; 4"),
    ("meldeereignisse", "anschrift_id", [5, 9], 987654321,
     "FEHLER meldeereignisse: anschrift_id → anschriften.anschrift_id: Schlüssel vorhanden", "987654321"),
    ("einwohner", "familienstand", [2], "Single", "FEHLER einwohner: familienstand: erlaubte Werte", "Single"),
    ("anschriften", "plz", [1], "1234", "FEHLER anschriften: plz: Muster", "1 Zeile weicht ab; z. B. 1234"),
], ids=["doppelter Schlüssel", "verwaister Fremdschlüssel", "unerlaubter Wert", "falsches Muster"])
def test_planted_value(capsys, register_copy: Path, rewrite, table: str, column: str, rows: list[int], value: object,
                       expected: str, sample: str) -> None:
    def plant(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[rows, column] = value
        return frame

    rewrite(register_copy, table, plant)
    code, out = check(capsys, register_copy)
    assert code == 1
    assert sample in failure(out, expected)


def test_child_older_than_parent(capsys, register_copy: Path, rewrite) -> None:
    people = pd.read_parquet(register_copy / "einwohner.parquet")
    child = people[people["stellung_im_haushalt"] == "Kind"].iloc[0]

    def age(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["einwohner_id"] == child["einwohner_id"], "geburtsdatum"] = pd.Timestamp("1901-02-03").date()
        return frame

    rewrite(register_copy, "einwohner", age)
    code, out = check(capsys, register_copy)
    assert code == 1
    line = failure(out, "Kind jünger als Bezugsperson")
    assert line.startswith("FEHLER einwohner:") and f"einwohner_id={child['einwohner_id']}" in line


def test_event_outside_its_application(capsys, small_dataset: Path, tmp_path: Path, rewrite) -> None:
    folder = tmp_path / "kopie"
    shutil.copytree(small_dataset, folder)
    events = pd.read_parquet(folder / "vorgangsereignisse.parquet")
    event = events.iloc[10]

    def early(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["event_id"] == event["event_id"], "zeitstempel"] = pd.Timestamp("2001-01-01 08:00")
        return frame

    rewrite(folder, "vorgangsereignisse", early)
    code, out = check(capsys, folder)
    assert code == 1
    line = failure(out, "erstes Ereignis nicht vor dem Eingangstag des Antrags")
    assert line.startswith("FEHLER vorgangsereignisse:") and "1 Zeile weicht ab" in line
    assert f"antrag_id={event['antrag_id']}" in line and "2001-01-01 08:00:00" in line


def test_profile_promise_broken(capsys, register_copy: Path, rewrite) -> None:
    """Everybody 70: the share of residents aged 65 and over is far from the profile's."""
    rewrite(register_copy, "einwohner",
            lambda f: f.assign(geburtsdatum=np.full(len(f), pd.Timestamp("1954-06-01").date())))
    code, out = check(capsys, register_copy)
    assert code == 1
    assert "FEHLER einwohner: Anteil 65 Jahre und älter: Soll " in out and "Ist 100,0%" in out


def test_missing_manifest_is_an_input_error(capsys, register_copy: Path) -> None:
    (register_copy / "manifest.json").unlink()
    code, out = check(capsys, register_copy)
    assert code == 2 and "keine manifest.json" in out
