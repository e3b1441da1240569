"""`sandbox compare NAME:MERKMAL=WERT`: one sweep or one point of a sweep as a column.

The runs carry the tags and params the sweep ledger and worker write (sweep
id, run key, profile, grid coordinate), logged through ``sandbox.tracking``
into a temporary SQLite store; a metric encodes sweep, grid value and seed,
so every test can see which runs a column took.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import tracking
from sandbox.compare import sources
from sandbox.errors import SandboxError
from sandbox.tracking import keys
from tests.support import cli

OLD, NEW = "20261201-090000-aaaa", "20261202-090000-bbbb"


def _sweep(experiment: str, sweep: str, dataset: Any, profile: str, offset: float, faktoren=(1.0, 2.0)) -> None:
    for faktor in faktoren:
        for seed in (1, 2):
            label = f"seed={seed};profil={profile};faktor={faktor}"
            tags = {keys.EXPERIMENT: experiment.split("@")[0], keys.SEED: seed, keys.SWEEP: sweep,
                    keys.RUN_KEY: f"{sweep}/{label}", keys.PROFILE: profile, keys.coordinate("faktor"): faktor}
            with tracking.start_run(experiment, dataset, params={"faktor": faktor, "modus": "a", "seed": seed},
                                    tags=tags, run_name=f"{experiment}-seed{seed}-faktor{faktor}"):
                tracking.log_metrics({"wert": offset + 10 * faktor + seed})


@pytest.fixture(scope="module")
def sweeps(store: str, musterstadt, other_dataset) -> None:
    _sweep("pilot", OLD, musterstadt, "musterstadt", 0)
    _sweep("pilot", NEW, musterstadt, "musterstadt", 100)
    for dataset, profile in ((musterstadt, "musterstadt"), (other_dataset, "klein")):
        _sweep(f"pilot-t@{profile}", NEW, dataset, profile, 1000 if profile == "klein" else 0, faktoren=(1.0,))


def _values(*names: str) -> list[list[float]]:
    return [[r.metrics["wert"] for r in s.runs] for s in sources.load_subjects(list(names))]


def test_one_grid_value_of_the_newest_sweep_per_column(sweeps) -> None:
    assert _values("pilot:faktor=1", "pilot:faktor=2") == [[111, 112], [121, 122]]  # 2 matches 2.0


def test_one_sweep_by_its_id_or_as_the_newest(sweeps) -> None:
    assert _values(f"pilot:sweep={OLD},faktor=2", "pilot:sweep=neuester,faktor=2") == [[21, 22], [121, 122]]
    assert _values(f"pilot:sweep={OLD},faktor=1,seed=2", "pilot:faktor=1,seed=2") == [[12], [112]]


def test_profiles_of_a_transfer_sweep_by_profile_name(sweeps) -> None:
    subjects = sources.load_subjects(["pilot-t:profil=musterstadt", "pilot-t:profil=klein"])
    assert [s.experiment for s in subjects] == ["pilot-t@musterstadt", "pilot-t@klein"]
    assert [[r.metrics["wert"] for r in s.runs] for s in subjects] == [[11, 12], [1011, 1012]]


def test_report_names_the_columns_as_selected(sweeps, capsys) -> None:
    code, out, err = cli(capsys, "compare", "pilot:faktor=1", f"pilot:sweep={OLD},faktor=1", "--format", "md", "--out", "-")
    assert code == 0, err
    assert "pilot:faktor=1" in out and f"pilot:sweep={OLD},faktor=1" in out


@pytest.mark.parametrize(("names", "message"), [
    ([f"pilot:sweep={NEW}", "pilot:faktor=1"], "verschiedenen Einstellungen (faktor: 1.0, 2.0)"),
    (["pilot:faktor=3", "pilot:faktor=1"], "kein Lauf von pilot hat faktor=3; vorhanden: 1.0, 2.0"),
    (["pilot:fakor=1", "pilot:faktor=1"], "kein Lauf von pilot hat das Merkmal 'fakor'"),
    (["pilot:sweep=20990101-000000-ffff,faktor=1", "pilot:faktor=1"], "vorhanden: " + OLD),
    (["pilot:", "pilot:faktor=1"], "ist nicht lesbar"),
    (["pilot:faktor=1,faktor=2", "pilot"], "nennt faktor mehrfach"),
    (["nichtda:faktor=1", "pilot"], "kein Experiment und kein Lauf heißt 'nichtda'"),
])
def test_a_selection_that_does_not_fit_is_one_german_line(sweeps, capsys, tmp_path, monkeypatch, names, message) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "compare", *names)
    assert code == 2 and err.startswith("Fehler: ") and message in err, err
    assert len(err.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []
    with pytest.raises(SandboxError):
        sources.load_subjects(names)
