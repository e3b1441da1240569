"""`sandbox.tracking`: where runs go, and what a run records (embedded SQLite store, no server)."""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from sandbox import tracking
from sandbox.datasets import Dataset
from sandbox.errors import SandboxError
from sandbox.services import Sandbox, Service

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, musterstadt_path: Path) -> Iterator[Path]:
    """A fresh workspace (no git, no running sandbox) for the whole module, MLFLOW_TRACKING_URI unset.

    The session's musterstadt dataset (in $SANDBOX_DATA) is generated before the workspace moves.
    """
    root = tmp_path_factory.mktemp("ws")
    (root / "synthetic_data").mkdir()
    (root / "synthetic_data" / "profiles").symlink_to(REPO / "synthetic_data" / "profiles")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_HOME", str(root))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield root


def _client():
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking.tracking_uri())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_embedded_store_lives_in_the_workspace(workspace: Path) -> None:
    assert tracking.tracking_uri() == f"sqlite:///{workspace / '.sandbox' / 'mlflow' / 'mlflow.db'}"


def test_run_records_dataset_lineage_params_versions_and_times(workspace: Path, musterstadt: Dataset) -> None:
    import mlflow

    with tracking.start_run("lineage", dataset=musterstadt, params={"modell": "baseline"}, tags={"zweck": "test"}) as run:
        tracking.log_metrics({"mae_tage": np.float64(2.5)})
        mlflow.log_text("hallo", "notiz.txt")
    stored = _client().get_run(run.info.run_id)
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
    assert params["modell"] == "baseline" and params["datensatz"] == musterstadt.path.name
    assert (params["datensatz.profil"], params["datensatz.seed"]) == ("musterstadt", "42")
    assert tags["sandbox.datensatz.digest"] == musterstadt.digest and tags["zweck"] == "test"
    assert tags["sandbox.version.mlflow"] == mlflow.__version__
    assert tags["sandbox.version.numpy"] == np.__version__
    assert "sandbox.git.commit" not in tags  # the workspace is no git checkout: absent, not an error
    assert metrics["mae_tage"] == 2.5
    assert metrics["laufzeit_s"] > 0 and metrics["cpu_zeit_s"] > 0
    artifacts = Path(stored.info.artifact_uri.removeprefix("file://"))
    assert artifacts.is_relative_to(workspace / ".sandbox" / "mlflow") and (artifacts / "notiz.txt").read_text() == "hallo"


def test_dataset_given_by_name_resolves_like_datasets_open(workspace: Path, musterstadt: Dataset) -> None:
    with tracking.start_run("lineage", dataset="musterstadt") as run:
        pass
    (entry,) = _client().get_run(run.info.run_id).inputs.dataset_inputs
    assert entry.dataset.digest == musterstadt.digest[: tracking.DIGEST_LENGTH]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_and_dirty_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
        tags = _client().get_run(run.info.run_id).data.tags
        assert tags["sandbox.git.commit"] == head
        flags.append(tags["sandbox.git.dirty"])
    assert flags == ["false", "true"]


def test_success_criteria_log_value_threshold_rule_and_outcome(workspace: Path) -> None:
    with tracking.start_run("kriterien") as run:
        met = tracking.log_success_criteria({
            "trefferquote": (0.93, 0.9, ">="),
            "wartezeit_tage": (12, 10, "<="),
            "abdeckung": (float("nan"), 0.5, ">"),
        })
    assert met == {"trefferquote": True, "wartezeit_tage": False, "abdeckung": False}
    data = _client().get_run(run.info.run_id).data
    assert data.metrics["kriterium.trefferquote.erfuellt"] == 1.0
    assert data.metrics["kriterium.wartezeit_tage.erfuellt"] == 0.0
    assert (data.metrics["kriterium.wartezeit_tage.wert"], data.metrics["kriterium.wartezeit_tage.schwelle"]) == (12, 10)
    assert math.isnan(data.metrics["kriterium.abdeckung.wert"]) and data.metrics["kriterium.abdeckung.erfuellt"] == 0.0
    assert data.tags["kriterium.trefferquote.regel"] == ">= 0.9"


@pytest.mark.parametrize(("value", "threshold", "op", "expected"), [
    (1.0, 1.0, ">=", True), (1.0, 1.0, ">", False), (1.0, 1.0, "<=", True), (0.9, 1.0, "<", True), (2.0, 2.0, "==", True),
])
def test_criterion_met(value: float, threshold: float, op: str, expected: bool) -> None:
    assert tracking.criterion_met(value, threshold, op) is expected


@pytest.mark.parametrize(("criteria", "message"), [
    ({"x": (1, 2, "=>")}, "unknown comparison '=>'"),
    ({"x": (1, 2)}, "success criterion 'x' must be (value, threshold, op)"),
    ({"x": ("viel", 2, ">")}, "metric 'x' must be a number"),
])
def test_bad_success_criteria_are_clear_errors(workspace: Path, criteria: dict, message: str) -> None:
    with tracking.start_run("kriterien"):
        with pytest.raises(SandboxError) as error:
            tracking.log_success_criteria(criteria)
    assert str(error.value).startswith(message)


def test_logging_outside_a_run_is_a_clear_error(workspace: Path) -> None:
    with pytest.raises(SandboxError, match="no active MLflow run"):
        tracking.log_metrics({"x": 1})


def test_failing_block_marks_the_run_failed_and_keeps_its_time(workspace: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        with tracking.start_run("fehler") as run:
            1 / 0  # noqa: B018
    stored = _client().get_run(run.info.run_id)
    assert stored.info.status == "FAILED" and "laufzeit_s" in stored.data.metrics


def test_missing_dataset_fails_before_any_run_starts(workspace: Path) -> None:
    import mlflow

    with pytest.raises(SandboxError, match="no generated dataset 'atlantis'"):
        with tracking.start_run("ohne-daten", dataset="atlantis"):
            pass
    assert mlflow.active_run() is None
    assert _client().get_experiment_by_name("ohne-daten") is None


def test_empty_experiment_name_is_a_clear_error(workspace: Path) -> None:
    with pytest.raises(SandboxError, match="experiment name must be a non-empty text, got ' '"):
        with tracking.start_run(" "):
            pass


def test_client_reads_the_embedded_store_even_before_any_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert [e.name for e in tracking.client().search_experiments()] == ["Default"]


def test_run_id_resumes_a_run_created_elsewhere(workspace: Path) -> None:
    with tracking.start_run("fortsetzen") as first:
        pass
    with tracking.start_run("fortsetzen", run_id=first.info.run_id):
        tracking.log_metrics({"nachtrag": 7})
    assert _client().get_run(first.info.run_id).data.metrics["nachtrag"] == 7


def test_uri_order_env_then_running_sandbox_then_embedded(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = tracking.embedded_uri()
    state = workspace / ".sandbox" / "state.json"
    log = workspace / ".sandbox" / "mlflow.log"
    try:
        Sandbox({"mlflow": Service("mlflow", 5999, "http://127.0.0.1:5999", log, pid=os.getpid())}).save()
        assert tracking.tracking_uri() == "http://127.0.0.1:5999"  # its pid lives: the running server
        monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
        assert tracking.tracking_uri() == "http://tracking.example:5000"  # the environment wins
        monkeypatch.delenv("MLFLOW_TRACKING_URI")
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        Sandbox({"mlflow": Service("mlflow", 5999, "http://127.0.0.1:5999", log, pid=gone.pid)}).save()
        assert tracking.tracking_uri() == embedded  # stale state: its server is gone
        state.write_text("{kaputt")
        assert tracking.tracking_uri() == embedded
    finally:
        state.unlink(missing_ok=True)


def test_unreachable_tracking_server_is_a_clear_error(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    with pytest.raises(SandboxError) as error:
        with tracking.start_run("nirgends"):
            pass
    assert str(error.value) == (f"tracking server {uri} is not reachable; start it with `sandbox up` "
                                "or unset MLFLOW_TRACKING_URI")
    with pytest.raises(SandboxError, match="not reachable"):
        tracking.client()
