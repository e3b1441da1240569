"""`sandbox.datasets`: open by name, folder or path; DataFrames with real types; SQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox import datasets
from sandbox.errors import SandboxError


def test_open_by_profile_name_folder_and_path(musterstadt_path: Path) -> None:
    by_name = datasets.open("musterstadt")
    assert by_name.path == musterstadt_path
    assert datasets.open("musterstadt", seed=42).path == musterstadt_path
    assert datasets.open(musterstadt_path.name).path == musterstadt_path
    assert datasets.open(musterstadt_path).digest == by_name.digest


def test_tables_have_real_types(musterstadt) -> None:
    people = musterstadt["einwohner"]
    assert pd.api.types.is_datetime64_any_dtype(people.geburtsdatum)
    assert str(people.haushalt_id.dtype) == "Int64" and people.haushalt_id.isna().any()
    assert people.familienname.map(type).eq(str).all()
    assert musterstadt["gemeinden"].name_synthetisch.dtype == bool


def test_sql_over_all_tables(musterstadt) -> None:
    result = musterstadt.sql(
        "select g.name, count(*) as n from einwohner e join anschriften a using (anschrift_id) "
        "join gemeinden g using (ags) where e.meldestatus = 'gemeldet' group by 1"
    )
    assert result.to_dict("records") == [{"name": "Musterstadt", "n": 25_000}]


def test_errors_say_how_to_fix(musterstadt) -> None:
    with pytest.raises(SandboxError, match="erzeugen mit: sandbox data generate --profile landkreis --seed 3"):
        datasets.open("landkreis", seed=3)
    with pytest.raises(SandboxError, match="hat keine Tabelle 'buerger'; Tabellen: gemeinden"):
        musterstadt["buerger"]
    with pytest.raises(SandboxError, match="SQL-Abfrage fehlgeschlagen"):
        musterstadt.sql("select nichts from nirgends")


def test_folder_without_manifest_is_not_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "halb").mkdir()
    with pytest.raises(SandboxError, match="keine manifest.json"):
        datasets.open(tmp_path / "halb")
