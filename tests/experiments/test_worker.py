"""What a worker does before the notebook: find or unpack the experiment folder, find or rebuild the dataset.

A worker on another machine sees neither the workspace nor the data folder
of the machine that started the sweep: it unpacks the files the task
carries, regenerates the dataset from profile and seed, and refuses data
whose manifest digest differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import datasets
from sandbox.errors import SandboxError
from sandbox.experiments.sweep import DataRef, Job, bundle, bundle_digest
from sandbox.experiments.worker import experiment_folder, obtain_dataset
from tests.support import file_hashes


def _job(folder: Path, files: dict[str, bytes]) -> Job:
    return Job("fern", str(folder), files, (), "sqlite:///x.db", bundle_digest(files), "")


def test_own_folder_is_used_while_it_holds_the_tasks_files(tmp_path: Path) -> None:
    own = tmp_path / "fern"
    (own / "daten").mkdir(parents=True)
    (own / "notebook.ipynb").write_text("{}")
    (own / "daten" / "regeln.csv").write_text("a;b\n")
    (own / ".ipynb_checkpoints").mkdir()
    files = bundle(own)
    assert sorted(files) == ["daten/regeln.csv", "notebook.ipynb"]
    (own / "ausgabe.csv").write_text("von einem Lauf")  # written by a notebook: does not count
    assert experiment_folder(_job(own, files)) == own
    (own / "notebook.ipynb").write_text('{"geaendert": 1}')  # changed since the sweep started: the task's copy
    copy = experiment_folder(_job(own, files))
    assert copy != own and (copy / "notebook.ipynb").read_text() == "{}"
    assert (copy / "daten" / "regeln.csv").read_text() == "a;b\n"
    assert experiment_folder(_job(tmp_path / "gibtsnicht", files)) == copy  # unpacked once per content


def test_a_worker_without_the_data_rebuilds_it_and_checks_the_digest(
        small_town: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = datasets.open(small_town)
    ref = DataRef.of(original)
    assert (ref.profile, ref.seed, ref.population) == ("musterstadt", 3, 5000)
    assert obtain_dataset(ref) == original.path  # the same machine: the given path
    monkeypatch.setenv("SANDBOX_DATA", str(tmp_path / "anderer-rechner"))
    away = DataRef("/nirgends/" + ref.name, ref.name, ref.profile, ref.seed, ref.population, ref.digest)
    rebuilt = obtain_dataset(away)
    assert rebuilt == tmp_path / "anderer-rechner" / ref.name
    assert file_hashes(rebuilt)["einwohner.parquet"] == file_hashes(original.path)["einwohner.parquet"]
    assert obtain_dataset(away) == rebuilt  # found, not generated twice
    wrong = DataRef("/nirgends/x", "musterstadt-n5000-s4", "musterstadt", 4, 5000, "0" * 64)
    with pytest.raises(SandboxError, match="andere Version des Generators"):
        obtain_dataset(wrong)
    assert not (tmp_path / "anderer-rechner" / "musterstadt-n5000-s4").exists()  # nothing wrong left behind
    with pytest.raises(SandboxError, match="andere Prüfsumme"):
        obtain_dataset(DataRef("/nirgends/y", ref.name, ref.profile, ref.seed, ref.population, "1" * 64))


def test_a_worker_on_another_machine_reaches_a_loopback_server_by_its_own_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from sandbox.experiments.worker import tracking_uri_for

    def job(uri: str, origin: str) -> Job:
        return Job("fern", "/x", {}, (), uri, "d", "", origin)

    here = socket.gethostname()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000")
    assert tracking_uri_for(job("http://127.0.0.1:5000", "server")) == "http://tracking:5000"
    assert tracking_uri_for(job("http://localhost:5000", "server")) == "http://tracking:5000"
    assert tracking_uri_for(job("http://127.0.0.1:5000", here)) == "http://127.0.0.1:5000"  # same machine
    assert tracking_uri_for(job("http://mlflow.intern:5000", "server")) == "http://mlflow.intern:5000"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with pytest.raises(SandboxError, match="MLFLOW_TRACKING_URI setzen"):
        tracking_uri_for(job("http://127.0.0.1:5000", "server"))


def _log_input(uri: str, run_id: str, path: str, barrier: object, answers: object) -> None:
    from mlflow.entities import DatasetInput
    from mlflow.tracking import MlflowClient

    from sandbox.tracking.runs import dataset_entity

    client = MlflowClient(uri)
    entity = dataset_entity(datasets.open(path))._to_mlflow_entity()
    barrier.wait()  # type: ignore[attr-defined]
    try:
        client.log_inputs(run_id, [DatasetInput(entity, [])])
        answers.put("ok")  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - the answer is the test's subject
        answers.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


def test_workers_starting_together_do_not_race_to_log_the_dataset(tmp_path: Path, musterstadt) -> None:
    """Two workers logging a dataset the experiment does not know yet both insert it, and the second fails on
    the datasets table's key (seen on SQLite and PostgreSQL: a sweep's first two runs on two workers). The
    ledger logs each profile's dataset before any task runs, so the workers only link it."""
    import multiprocessing

    from sandbox.experiments.ledger import Ledger
    from sandbox.experiments.sweep import Coordinates

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    ledger = Ledger(uri, "rennen")
    run_ids, _ = ledger.schedule("s1", "d", [Coordinates(1, "musterstadt"), Coordinates(2, "musterstadt")], {},
                                 ["a", "b"], datasets={"musterstadt": musterstadt})
    spawn = multiprocessing.get_context("spawn")
    barrier, answers = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=_log_input, args=(uri, run_id, str(musterstadt.path), barrier, answers))
               for run_id in run_ids]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(timeout=120)
    assert [answers.get(timeout=5) for _ in workers] == ["ok", "ok"]
    for run_id in run_ids:
        [logged] = ledger.client.get_run(run_id).inputs.dataset_inputs
        assert logged.dataset.name == musterstadt.path.name
