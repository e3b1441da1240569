"""Fixtures for the quality gate: a small generated dataset, and copies to plant defects in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sandbox.synth.writer import generate_dataset

#: the register core: enough for every kind of defect, quick to check
REGISTER = ("gemeinden", "anschriften", "haushalte", "einwohner", "meldeereignisse")


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """musterstadt scaled to 3,000 residents, seed 5, generated without the gate."""
    return generate_dataset("musterstadt", 5, population=3000, out=tmp_path_factory.mktemp("klein") / "klein")


@pytest.fixture
def register_copy(small_dataset: Path, tmp_path: Path) -> Path:
    """A copy of the register tables of the small dataset (its manifest lists only those)."""
    target = tmp_path / "register"
    target.mkdir()
    manifest = json.loads((small_dataset / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"] = {name: info for name, info in manifest["tables"].items() if name in REGISTER}
    for info in manifest["tables"].values():
        shutil.copy(small_dataset / info["file"], target / info["file"])
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return target


def read_table(folder: Path, table: str) -> pd.DataFrame:
    return pq.read_table(folder / f"{table}.parquet").to_pandas()


def write_table(folder: Path, table: str, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{table}.parquet")


@pytest.fixture
def rewrite() -> Callable[[Path, str, Callable[[pd.DataFrame], pd.DataFrame]], None]:
    """rewrite(folder, table, change): read a table, change the frame, write it back."""

    def apply(folder: Path, table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        write_table(folder, table, change(read_table(folder, table)))

    return apply
