"""`workshop collect` finds the runs the intro material starts in participants' containers.

On the real engine, in a workshop of two: participant 1 executes the intro
notebook ``02_Erstes_Experiment`` in their container (papermill, as
"Run all" in JupyterLab does; it calls ``experiments.run_experiment`` for a
new experiment ``uebung-kindergeld``), participant 2 follows the exercise
sheet in JupyterLab's terminal (``sandbox experiment run posteingang-pilot``).
Neither names their seat's experiment; ``collect --allow-different-metrics``
must still find both, and nobody's runs land in a shared experiment.
"""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.containers import SESSION, free_ports
from tests.support import cli

pytestmark = [pytest.mark.containers, pytest.mark.slow]

NAME = f"{SESSION}-nb{secrets.token_hex(2)}"
WORK = "/home/lab/work"


def _execute(container: Any, command: list[str], workdir: str) -> tuple[int, str]:
    code, output = container.exec_run(command, user="1000:1000", workdir=workdir)
    return code, output.decode("utf-8", "replace")[-3000:]


def test_collect_finds_the_runs_of_the_intro_notebook_and_the_exercise_sheet(
        engine: Any, sandbox_image: str, proxy_image: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = free_ports(2, engine)
    code, out, err = cli(capsys, "workshop", "start", "-n", "2", "--name", NAME, "--image", sandbox_image,
                         "--proxy-image", proxy_image, "--port", str(base + 1), "--tracking-port", str(base + 2),
                         "--memory", "2g", "--sheet", str(tmp_path / "zugaenge.html"))
    try:
        assert code == 0, err
        tn01, tn02 = (engine.containers.get(f"{NAME}-tn0{i}") for i in (1, 2))
        with ThreadPoolExecutor(2) as pool:
            notebook = pool.submit(_execute, tn01, ["python", "-m", "papermill", "02_Erstes_Experiment.ipynb",
                                                    "/tmp/02.ipynb", "-k", "python3", "--no-progress-bar"],
                                   f"{WORK}/notebooks")
            terminal = pool.submit(_execute, tn02, ["sandbox", "experiment", "run", "posteingang-pilot",
                                                    "--seeds", "1,2"], WORK)
            for done in (notebook, terminal):
                result, output = done.result()
                assert result == 0, output

        report = tmp_path / "ergebnisse.json"
        code, out, err = cli(capsys, "workshop", "collect", "--name", NAME, "--out", str(report), "--format", "json",
                             "--allow-different-metrics")
        assert code == 0, err
        assert "Im Bericht: tn01, tn02" in out and "Noch ohne" not in out
        data = json.dumps(json.loads(report.read_text(encoding="utf-8")))
        assert f"{NAME}-tn01" in data and f"{NAME}-tn02" in data

        from mlflow.tracking import MlflowClient

        from sandbox.workshop import manage

        admin = manage.admin(NAME)
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", admin.user)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", admin.password)
        client = MlflowClient(tracking_uri=f"http://127.0.0.1:{base + 2}")
        for pid, requested in (("tn01", "uebung-kindergeld"), ("tn02", "posteingang-pilot")):
            experiment = client.get_experiment_by_name(f"{NAME}-{pid}")
            runs = client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'")
            assert len(runs) == 2 and {r.data.tags["sandbox.experiment"] for r in runs} == {requested}
            assert {r.data.tags["mlflow.user"] for r in runs} == {pid}
            assert client.get_experiment_by_name(requested) is None  # nobody shares an experiment
    finally:
        cli(None, "workshop", "stop", "--name", NAME, "--purge")
