"""Writing datasets: atomic replacement, CSV in the German-Excel dialect."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa

from sandbox import datasets
from sandbox.synth.files import write_table
from sandbox.synth.writer import generate_dataset
from tests.support import file_hashes


def test_csv_dialect_opens_in_german_excel(tmp_path: Path) -> None:
    table = pa.table({
        "name": ["Müller; Söhne", "Straße \"Am Markt\""],
        "betrag": [1234.5, 0.25],
        "aktiv": [True, False],
        "tag": pa.array([19000, 19001], type=pa.date32()),
    })
    path = write_table(table, tmp_path, "probe", "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["name", "betrag", "aktiv", "tag"]
    assert rows[1] == ["Müller; Söhne", "1234,5", "WAHR", "2022-01-08"]
    assert rows[2][0] == 'Straße "Am Markt"' and rows[2][1:] == ["0,25", "FALSCH", "2022-01-09"]
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back.betrag.tolist() == [1234.5, 0.25]


def test_csv_dataset_reads_back_like_parquet(tmp_path: Path) -> None:
    parquet = datasets.open(generate_dataset("musterstadt", 3, population=2000, out=tmp_path / "p"))
    excel = datasets.open(generate_dataset("musterstadt", 3, population=2000, out=tmp_path / "c", fmt="csv"))
    assert sorted(p.name for p in excel.path.glob("*.csv")) == sorted(f"{t}.csv" for t in parquet.tables)
    assert "Semikolon" in (excel.path / "DATENKARTE.md").read_text(encoding="utf-8")
    for table in parquet.tables:
        pd.testing.assert_frame_equal(parquet[table], excel[table], check_dtype=False, obj=table)


def test_existing_dataset_survives_a_killed_generation(tmp_path: Path) -> None:
    target = tmp_path / "daten"
    generate_dataset("musterstadt", 1, population=3000, out=target)
    before = file_hashes(target)
    env = {**os.environ, "SANDBOX_DATA": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox.cli", "data", "generate", "--profile", "sachsen", "--population", "1500000",
         "--seed", "2", "--out", str(target), "--force"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".daten.tmp-*/*.parquet")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".daten.tmp-*/*.parquet")), "generation never started writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert file_hashes(target) == before
    generate_dataset("musterstadt", 1, population=3000, out=target, force=True)
    assert not list(tmp_path.glob(".daten.tmp-*")), "a later run cleans up what the killed one left"
    assert file_hashes(target) == before


def test_replacing_with_force_swaps_the_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "daten"
    generate_dataset("musterstadt", 1, population=1000, out=target)
    (target / "notiz.txt").write_text("alt")
    generate_dataset("musterstadt", 2, population=1000, out=target, force=True)
    assert not (target / "notiz.txt").exists()
    assert datasets.open(target).manifest["seed"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["daten"]
