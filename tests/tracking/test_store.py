"""Where runs go: environment, then the running sandbox's server, then the embedded SQLite store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import tracking
from sandbox.errors import SandboxError
from sandbox.services import Sandbox, Service
from tests.support import free_port


def test_embedded_store_lives_in_the_workspace(workspace: Path) -> None:
    assert tracking.tracking_uri() == f"sqlite:///{workspace / '.sandbox' / 'mlflow' / 'mlflow.db'}"


def test_client_reads_the_embedded_store_even_before_any_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert [e.name for e in tracking.client().search_experiments()] == ["Default"]


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
    uri = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    with pytest.raises(SandboxError) as error:
        with tracking.start_run("nirgends"):
            pass
    assert str(error.value) == (f"Tracking-Server {uri} ist nicht erreichbar; starten mit `sandbox up` "
                                "oder MLFLOW_TRACKING_URI entfernen")
    with pytest.raises(SandboxError, match="nicht erreichbar"):
        tracking.client()


def test_experiments_open_in_the_model_training_view_with_their_description(workspace: Path) -> None:
    from sandbox.tracking import keys
    from sandbox.tracking.store import experiment_id

    client = tracking.client()
    old = client.create_experiment("aus-mlflow-2")  # made before the sandbox set the kind: no tags
    assert experiment_id(client, "aus-mlflow-2") == old
    assert client.get_experiment(old).tags[keys.EXPERIMENT_KIND] == keys.EXPERIMENT_KIND_MODEL
    new = experiment_id(client, "bürgerservice", "**Fragestellung:** Wie lange warten Bürger?")
    tags = client.get_experiment(new).tags
    assert tags[keys.EXPERIMENT_KIND] == keys.EXPERIMENT_KIND_MODEL
    assert tags[keys.NOTE] == "**Fragestellung:** Wie lange warten Bürger?"
    assert client.get_experiment(new).name == "bürgerservice"
    experiment_id(client, "bürgerservice", "**Fragestellung:** neu")  # the experiment.yaml changed
    assert client.get_experiment(new).tags[keys.NOTE] == "**Fragestellung:** neu"


def test_threads_share_one_tracking_target_and_another_target_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of one sweep on a threaded worker share MLFLOW_TRACKING_URI; a block for another server waits until
    they have left, and the value from before comes back after the last one."""
    import threading

    from sandbox.tracking.store import tracking_to

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///vorher.db")
    inside, release, seen = threading.Barrier(3), threading.Event(), {}

    def sweep_run(name: str) -> None:
        with tracking_to("http://sweep:5000"):
            inside.wait(timeout=30)
            release.wait(timeout=30)
            seen[name] = os.environ["MLFLOW_TRACKING_URI"]

    def other_server() -> None:
        with tracking_to("http://anderer:5000"):
            seen["anderer"] = (os.environ["MLFLOW_TRACKING_URI"], set(seen))

    threads = [threading.Thread(target=sweep_run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    inside.wait(timeout=30)  # both sweep runs are inside their blocks
    waiting = threading.Thread(target=other_server)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive() and "anderer" not in seen  # it waits for the sweep's runs
    release.set()
    for t in [*threads, waiting]:
        t.join(timeout=30)
    assert seen["a"] == seen["b"] == "http://sweep:5000"
    assert seen["anderer"] == ("http://anderer:5000", {"a", "b"})  # it ran only after both had left
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///vorher.db"
