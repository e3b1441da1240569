"""``sandbox twin create`` end to end: a twin in the data contract, the report, MLflow, and no leaked value.

Three real OpenDP runs on small extracts: the einwohner extract through the
Python API (light settings), an own table with a domain file through the
CLI, and a tiny extract at a huge ε that the gate must refuse. Marker
strings and a marker number planted in the inputs are then searched for in
every file written (twin, manifest, data card, reports, MLflow store and
artifacts) and in everything printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from sandbox import datasets
from sandbox.synth import TABLES
from sandbox.synth.writer import MANIFEST
from sandbox.twin import REFUSE, Settings, TwinRequest, TwinResult, create_twin
from tests.support import cli
from tests.twin.conftest import MARKER_NUMBER, MARKERS

LIGHT = Settings(iterations=60)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, musterstadt_path: Path) -> Iterator[Path]:
    """A fresh workspace: the embedded MLflow store lands in it, MLFLOW_TRACKING_URI unset."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        mp.setenv("SANDBOX_HOME", str(tmp_path_factory.mktemp("ws")))
        yield Path(os.environ["SANDBOX_HOME"])


@pytest.fixture(scope="module")
def made(workspace: Path, extract_csv: Path) -> TwinResult:
    request = TwinRequest(extract=extract_csv, epsilon=1.0, table="einwohner", out=workspace / "zwilling",
                          drop=["einwohner_id", "familienname"], target="familienstand", seed=7,
                          override="Testlauf: Zwilling wird auch bei 'prüfen' geschrieben", settings=LIGHT)
    return create_twin(request)


@pytest.fixture(scope="module")
def own_table(workspace: Path, domain_extract: Path) -> tuple[int, str, str]:
    return cli(None, "twin", "create", str(domain_extract), "--domain", str(domain_extract.parent / "DOMAIN.yaml"),
               "--epsilon", "2", "--drop", "bemerkung", "--out", str(workspace / "wohnen"), "--override", "Testlauf")


@pytest.fixture(scope="module")
def refused(workspace: Path, residents: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str, Path]:
    path = tmp_path_factory.mktemp("klein") / "klein.parquet"
    residents.head(60).drop(columns=["einwohner_id", "familienname"]).to_parquet(path)
    out = workspace / "klein"
    return (*cli(None, "twin", "create", str(path), "--as", "einwohner", "--epsilon", "50", "--out", str(out)), out)


def test_twin_opens_like_a_generated_dataset(made: TwinResult) -> None:
    assert made.dataset is not None
    ds = datasets.open(made.dataset)
    frame = ds["einwohner"]
    assert list(frame.columns) == ["geschlecht", "geburtsdatum", "familienstand", "wohnungsstatus", "meldestatus"]
    assert len(frame) == made.rows_twin and 1_000 < len(frame) < 1_400  # about the 1,200 rows it learnt from
    assert set(frame["familienstand"]) <= set(TABLES["einwohner"].TABLE.column("familienstand").allowed or ())
    assert str(frame["geburtsdatum"].dtype).startswith("datetime64")
    assert ds.sql("select count(*) as n from einwohner")["n"][0] == len(frame)
    manifest = json.loads((made.dataset / MANIFEST).read_text(encoding="utf-8"))
    twin = manifest["twin"]
    assert (twin["epsilon"], twin["delta"], twin["verfahren"]) == (1.0, 0.0, "aim")
    assert twin["uebersteuerung"].startswith("Testlauf") and len(twin["eingabe_pfad_sha256"]) == 64
    assert set(manifest["files"]) == {"DATENKARTE.md", "FREIGABEBERICHT.md", "FREIGABEBERICHT.html"}


def test_report_says_what_went_in_and_what_was_measured(made: TwinResult) -> None:
    text = made.report.read_text(encoding="utf-8")
    for part in ("## Was hineinging", "Zeilen im Auszug: 1.500", "ε = 1,00", "Herausgreifen (Singling-out)",
                 "Kontrolldatensätze", "unabhängige Spalten", "Erwägungsgrund 26", "keine Rechtsberatung",
                 "Übersteuerung", "Testlauf", "opendp 0.16", "Standardschema"):
        assert part in text, part
    page = (made.report.parent / "FREIGABEBERICHT.html").read_text(encoding="utf-8")
    assert "<table>" in page and "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_run_is_tracked_without_data(made: TwinResult, workspace: Path) -> None:
    from mlflow.tracking import MlflowClient

    from sandbox.tracking import keys, tracking_uri

    client = MlflowClient(tracking_uri=tracking_uri())
    experiment = client.get_experiment_by_name(keys.TWIN_EXPERIMENT)
    run = client.search_runs([experiment.experiment_id])[0]
    assert run.data.params[keys.twin("epsilon")] == "1.0" and run.data.tags[keys.KIND] == keys.KIND_TWIN
    assert keys.twin("singling_out_risiko") in run.data.metrics
    assert {a.path for a in client.list_artifacts(run.info.run_id, "freigabebericht")} == {
        "freigabebericht/FREIGABEBERICHT.md", "freigabebericht/FREIGABEBERICHT.html"}


def test_own_table_with_a_domain_file(own_table: tuple[int, str, str], workspace: Path) -> None:
    code, out, err = own_table
    assert code == 0, err
    frame = datasets.open(workspace / "wohnen")["wohnen"]
    assert list(frame.columns) == ["geschlecht", "familienstand", "wohnungsstatus", "wohnflaeche"]
    assert frame["wohnflaeche"].between(0, 1_000_000).all()


def test_mst_makes_a_twin_through_the_cli(workspace: Path, extract_csv: Path) -> None:
    out = workspace / "zwilling-mst"
    code, printed, err = cli(None, "twin", "create", str(extract_csv), "--as", "einwohner", "--epsilon", "1",
                             "--delta", "1e-6", "--mechanism", "mst", "--drop", "einwohner_id,familienname",
                             "--out", str(out), "--override", "Testlauf MST")
    assert code == 0, err
    twin = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["twin"]
    assert twin["verfahren"] == "mst" and twin["mass"] == "zCDP" and twin["rho"] > 0
    frame = datasets.open(out)["einwohner"]
    assert 1_000 < len(frame) < 1_400
    assert set(frame["wohnungsstatus"]) <= set(TABLES["einwohner"].TABLE.column("wohnungsstatus").allowed or ())


def test_tiny_extract_at_huge_epsilon_is_refused(refused: tuple[int, str, str, Path]) -> None:
    code, out, err, folder = refused
    assert code == 1 and f"Entscheidung: {REFUSE}" in out and "nicht geschrieben" in err
    assert not folder.exists()
    report = folder.with_name("klein-bericht") / "FREIGABEBERICHT.md"
    assert "ε = 50,00 liegt über 10,00" in report.read_text(encoding="utf-8")


def test_no_value_of_the_extract_leaks(made: TwinResult, own_table: tuple[int, str, str],
                                       refused: tuple[int, str, str, Path], workspace: Path, extract_csv: Path,
                                       domain_extract: Path) -> None:
    needles = [m.encode() for m in MARKERS] + [MARKER_NUMBER.encode(), MARKER_NUMBER.replace(".", ",").encode()]
    planted = extract_csv.read_bytes() + domain_extract.read_bytes()
    assert all(m.encode() in planted for m in MARKERS) and needles[-1] in planted  # the search can find them
    printed = "".join(own_table[1:]) + "".join(refused[1:3])
    files = [p for p in workspace.rglob("*") if p.is_file() and not p.is_symlink()]
    assert len(files) >= 10 and any(p.name == "mlflow.db" for p in files)
    for path in files:
        data = path.read_bytes()
        assert not [n for n in needles if n in data], path
    assert not [m for m in MARKERS + (MARKER_NUMBER,) if m in printed]
