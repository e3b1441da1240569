"""Planted defects: `sandbox data check` names each one, with exit 1 (data fail) or 2 (unreadable)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sandbox.cli import main


def check(capsys, folder: Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "check", str(folder), "--no-docs"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out + err


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
    assert "nicht lesbar: haushalte.parquet is missing" in out
    assert "Ergebnis: nicht lesbar" in out
    assert "einwohner" in out  # the readable tables are still checked and listed


def test_corrupted_parquet_bytes(capsys, register_copy: Path) -> None:
    path = register_copy / "einwohner.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 4096] = b"\x00" * 4096
    data[-12:-4] = b"\xff" * 8  # the footer length, too
    path.write_bytes(bytes(data))
    code, out = check(capsys, register_copy)
    assert code == 2 and "einwohner.parquet is not a readable Parquet file" in out


def test_empty_file(capsys, register_copy: Path) -> None:
    (register_copy / "anschriften.parquet").write_bytes(b"")
    code, out = check(capsys, register_copy)
    assert code == 2 and "anschriften.parquet is empty (0 bytes)" in out


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


def test_duplicate_key(capsys, register_copy: Path, rewrite) -> None:
    def duplicate(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[7, "haushalt_id"] = frame.loc[3, "haushalt_id"]
        return frame

    rewrite(register_copy, "haushalte", duplicate)
    code, out = check(capsys, register_copy)
    assert code == 1
    line = failure(out, "haushalt_id: eindeutig")
    assert line.startswith("FEHLER haushalte:") and "2 Zeilen weichen ab" in line and " 4" in line


def test_orphaned_foreign_key(capsys, register_copy: Path, rewrite) -> None:
    def orphan(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[[5, 9], "anschrift_id"] = 987654321
        return frame

    rewrite(register_copy, "meldeereignisse", orphan)
    code, out = check(capsys, register_copy)
    assert code == 1
    line = failure(out, "anschrift_id → anschriften.anschrift_id")
    assert line.startswith("FEHLER meldeereignisse:") and "2 Zeilen weichen ab" in line and "987654321" in line


def test_value_outside_the_allowed_set(capsys, register_copy: Path, rewrite) -> None:
    rewrite(register_copy, "einwohner", lambda f: f.assign(familienstand=f["familienstand"].replace("ledig", "Single")))
    code, out = check(capsys, register_copy)
    assert code == 1 and "FEHLER einwohner: familienstand: erlaubte Werte" in out and "Single" in out


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


def test_profile_promise_broken(capsys, register_copy: Path, rewrite) -> None:
    """Everybody 70: the share of residents aged 65 and over is far from the profile's."""
    rewrite(register_copy, "einwohner",
            lambda f: f.assign(geburtsdatum=np.full(len(f), pd.Timestamp("1954-06-01").date())))
    code, out = check(capsys, register_copy)
    assert code == 1
    assert "FEHLER einwohner: Anteil 65 Jahre und älter: Soll 27,2%" in out and "Ist 100,0%" in out


def test_missing_manifest_is_an_input_error(capsys, register_copy: Path) -> None:
    (register_copy / "manifest.json").unlink()
    code, out = check(capsys, register_copy)
    assert code == 2 and "no manifest.json" in out
