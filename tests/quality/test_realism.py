"""The realism report: measures with official references, the command, and the verdict of `data generate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sandbox.quality.realism import MEASURES
from sandbox.quality.realism.judge import references
from tests.support import cli, file_hashes


def test_every_measure_has_a_sourced_reference() -> None:
    rows = {row["kennzahl"]: row for row in references()}
    assert len(MEASURES) >= 30
    for key in MEASURES:
        row = rows[key]
        assert row["art"] in ("amtlich", "Annahme") and row["quelle"].strip(), key
        assert float(row["toleranz"]) > 0


def test_realism_passes_writes_html_and_json_and_is_deterministic(capsys, musterstadt_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(musterstadt_path, folder)
    code, out, _ = cli(capsys, "data", "realism", str(folder))
    assert code == 0, out
    assert "Realismus: im Rahmen" in out and "Kennzahl" in out
    first = file_hashes(folder)
    page = (folder / "realismus.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.split("</style>")[0]
    data = json.loads((folder / "realismus.json").read_text(encoding="utf-8"))
    assert data["passed"] and len(data["rows"]) >= 30
    cli(capsys, "data", "realism", str(folder))
    assert file_hashes(folder) == first


def test_an_unrealistic_dataset_fails_with_exit_1(capsys, register_copy: Path, rewrite) -> None:
    """Everybody married: far too many married adults and no widows."""
    rewrite(register_copy, "einwohner", lambda f: f.assign(familienstand="verheiratet"))
    code, out, _ = cli(capsys, "data", "realism", str(register_copy))
    assert code == 1
    assert "ABWEICHUNG Anteil Verheirateter unter Erwachsenen" in out


def test_missing_dataset_is_a_user_error(capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "data", "realism", str(tmp_path / "fehlt"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and not out


def test_generate_records_the_verdict(small_dataset: Path, tmp_path: Path) -> None:
    from sandbox.quality import GenerationGate
    from sandbox.synth.writer import generate_dataset

    path = generate_dataset("musterstadt", 5, population=3000, out=tmp_path / "mit", finalize=GenerationGate("musterstadt"))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["realism"]["measures"] >= 30 and isinstance(manifest["realism"]["passed"], bool)
    assert "## Realismus" in (path / "DATENKARTE.md").read_text(encoding="utf-8")
    assert (path / "realismus.html").is_file()


def test_regional_references_add_up_to_the_land_and_set_the_city_apart() -> None:
    from sandbox.quality.realism.judge import regional_values, target
    from sandbox.synth import reference

    saxony = regional_values({row["kreis_ags"]: float(row["einwohner"]) for row in reference.kreise().to_dict("records")})
    assert abs(saxony["sterbefaelle_je_1000"] - 13.8) < 0.1  # the Landkreise are the rest of the Land's figure
    assert abs(saxony["anteil_ab_85"] - 0.051) < 0.002
    leipzig, goerlitz = regional_values({"14713": 1.0}), regional_values({"14626": 250_000.0, "14713": 0.0})
    assert leipzig["sterbefaelle_je_1000"] < goerlitz["sterbefaelle_je_1000"]
    assert leipzig["anteil_ab_85"] < goerlitz["anteil_ab_85"]
    assert regional_values({"99999": 1.0}) == {}
    # a figure only the cities have: Leipzig is measured by its own, Görlitz and Saxony by the Land value
    assert target("gebiet:verheiratet_ab_18|0.48", leipzig) < 0.45
    assert target("gebiet:verheiratet_ab_18|0.48", goerlitz) == target("gebiet:verheiratet_ab_18|0.48", saxony) == 0.48
    assert target("gebiet:geburten_je_1000|6.6", leipzig) > 8


def test_family_name_diversity_counts_a_sample_of_100000_and_skips_small_towns() -> None:
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    measure = MEASURES["familiennamen_je_100000"].compute
    names = np.array([f"Name{i % 7000}" for i in range(150_000)], dtype=object)
    big = SimpleNamespace(frames={"einwohner": pd.DataFrame({"familienname": names})}, now=np.ones(len(names), bool))
    observed = measure(big)
    assert observed is not None and 6_900 <= observed.value <= 7_000  # nearly every one of 7,000 names
    assert measure(big).value == observed.value  # a fixed draw: the report is reproducible
    small = SimpleNamespace(frames=big.frames, now=np.arange(len(names)) < 50_000)
    assert measure(small) is None
