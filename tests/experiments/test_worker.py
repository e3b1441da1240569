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
