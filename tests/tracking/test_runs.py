"""A run and what it records: dataset lineage, params, git commit, package versions, wall and CPU time."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.support import unavailable

from sandbox import tracking
from sandbox.datasets import Dataset
from sandbox.errors import SandboxError
from sandbox.tracking import keys
from tests.tracking.conftest import run_client


def test_run_records_dataset_lineage_params_versions_and_times(workspace: Path, musterstadt: Dataset) -> None:
    import mlflow

    with tracking.start_run("lineage", dataset=musterstadt, params={"modell": "baseline"}, tags={"zweck": "test"}) as run:
        tracking.log_metrics({"mae_tage": np.float64(2.5)})
        mlflow.log_text("hallo", "notiz.txt")
    stored = run_client().get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    (entry,) = stored.inputs.dataset_inputs
    assert entry.dataset.name == musterstadt.path.name
    assert entry.dataset.digest == musterstadt.digest[: tracking.DIGEST_LENGTH]
    assert json.loads(entry.dataset.source)["uri"] == str(musterstadt.path.resolve())
    profile = json.loads(entry.dataset.profile)
    assert (profile["profil"], profile["seed"]) == ("musterstadt", 42)
    assert profile["zeilen"]["einwohner"] == len(musterstadt["einwohner"])
    assert {t.key: t.value for t in entry.tags}["mlflow.data.context"] == "eingabe"
    params, tags, metrics = stored.data.params, stored.data.tags, stored.data.metrics
    assert params["modell"] == "baseline" and params[keys.DATASET] == musterstadt.path.name
    assert (params[keys.DATASET_PROFILE], params[keys.DATASET_SEED]) == ("musterstadt", "42")
    assert tags[keys.DATASET_DIGEST] == musterstadt.digest and tags["zweck"] == "test"
    assert tags[keys.version("mlflow")] == mlflow.__version__
    assert tags[keys.version("numpy")] == np.__version__
    assert keys.GIT_COMMIT not in tags  # the workspace is no git checkout: absent, not an error
    assert metrics["mae_tage"] == 2.5
    assert metrics[keys.WALL_TIME] > 0 and metrics[keys.CPU_TIME] > 0
    artifacts = Path(stored.info.artifact_uri.removeprefix("file://"))
    assert artifacts.is_relative_to(workspace / ".sandbox" / "mlflow") and (artifacts / "notiz.txt").read_text() == "hallo"


def test_dataset_given_by_name_resolves_like_datasets_open(workspace: Path, musterstadt: Dataset) -> None:
    with tracking.start_run("lineage", dataset="musterstadt") as run:
        pass
    (entry,) = run_client().get_run(run.info.run_id).inputs.dataset_inputs
    assert entry.dataset.digest == musterstadt.digest[: tracking.DIGEST_LENGTH]


def test_git_commit_and_dirty_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        unavailable("git is not installed", "Debian's git package; CI machines have it")
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    (tmp_path / "notiz.md").write_text("eins\n")
    for args in (["init", "-q"], ["add", "notiz.md"], ["commit", "-q", "-m", "start"]):
        subprocess.run(git + args, check=True)
    head = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    flags = []
    for content in (None, "zwei\n"):
        if content:
            (tmp_path / "notiz.md").write_text(content)
        with tracking.start_run("git") as run:
            pass
        tags = run_client().get_run(run.info.run_id).data.tags
        assert tags[keys.GIT_COMMIT] == head
        flags.append(tags[keys.GIT_DIRTY])
    assert flags == ["false", "true"]


def test_failing_block_marks_the_run_failed_and_keeps_its_time(workspace: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        with tracking.start_run("fehler") as run:
            1 / 0  # noqa: B018
    stored = run_client().get_run(run.info.run_id)
    assert stored.info.status == "FAILED" and keys.WALL_TIME in stored.data.metrics


def test_missing_dataset_fails_before_any_run_starts(workspace: Path) -> None:
    import mlflow

    with pytest.raises(SandboxError, match="kein erzeugter Datensatz 'atlantis'"):
        with tracking.start_run("ohne-daten", dataset="atlantis"):
            pass
    assert mlflow.active_run() is None
    assert run_client().get_experiment_by_name("ohne-daten") is None


def test_empty_experiment_name_is_a_clear_error(workspace: Path) -> None:
    with pytest.raises(SandboxError, match="Experimentname muss ein nicht leerer Text sein, nicht ' '"):
        with tracking.start_run(" "):
            pass


def test_run_id_resumes_a_run_created_elsewhere(workspace: Path) -> None:
    with tracking.start_run("fortsetzen") as first:
        pass
    with tracking.start_run("fortsetzen", run_id=first.info.run_id):
        tracking.log_metrics({"nachtrag": 7})
    assert run_client().get_run(first.info.run_id).data.metrics["nachtrag"] == 7


def test_cpu_time_of_a_run_beside_a_busy_thread_is_the_run_thread_s_own(workspace: Path) -> None:
    """On a threaded worker another run's work must not count as this run's cost (cpu_clock=time.thread_time);
    the default clock of a notebook's own run is the whole process."""
    import threading
    import time

    def busy() -> None:  # half a CPU second in its own thread, however loaded the machine is
        while time.thread_time() < 0.5:
            sum(range(10_000))

    def beside_busy_thread(**options: object) -> float:
        with tracking.start_run("cpu-zeit", **options) as run:
            spinner = threading.Thread(target=busy)
            spinner.start()
            spinner.join()
        return run_client().get_run(run.info.run_id).data.metrics[keys.CPU_TIME]

    assert beside_busy_thread(cpu_clock=time.thread_time) < 0.25
    assert beside_busy_thread() >= 0.5


def test_in_a_workshop_seat_every_run_lands_in_the_participants_experiment(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow

    from sandbox.tracking import keys

    monkeypatch.setenv("SANDBOX_TEILNEHMER", "tn03")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "kurs-tn03")
    with tracking.start_run("posteingang-pilot", run_name="aus-dem-notebook") as run:
        pass
    client = run_client()
    stored = client.get_run(run.info.run_id)
    assert client.get_experiment(stored.info.experiment_id).name == "kurs-tn03"
    assert stored.data.tags[keys.EXPERIMENT] == "posteingang-pilot"
    assert client.get_experiment_by_name("posteingang-pilot") is None  # nothing shared with other participants
    monkeypatch.delenv("SANDBOX_TEILNEHMER")
    with tracking.start_run("posteingang-pilot") as outside:
        pass
    assert client.get_experiment(client.get_run(outside.info.run_id).info.experiment_id).name == "posteingang-pilot"
    assert mlflow.active_run() is None
