"""Several runs at once in one process: the LocalCluster's worker threads (and ``dask worker --nthreads N``).

Each run's kernel gets its own environment, working folder and log, its
MLflow run is the thread's own, and nothing of the process (environment,
file descriptor 2, working folder) is changed on the way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sandbox.experiments.record import OUTPUT_ENV
from sandbox.tracking import keys
from tests.experiments.conftest import run_client, runs_of, sweep_metrics
from tests.support import cli


@pytest.mark.slow
def test_a_threaded_local_cluster_gives_each_run_its_own_kernel_and_the_sweeps_result(
        home: Path, capsys: pytest.CaptureFixture[str], musterstadt) -> None:
    ours = ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", OUTPUT_ENV)
    env_before, cwd_before = {k: os.environ.get(k) for k in ours}, os.getcwd()
    stderr_before = os.fstat(2)  # file descriptor 2 itself, whatever pytest put on sys.stderr
    for name, cluster in (("faeden", "local:2"), ("folge", "none")):
        assert cli(capsys, "experiment", "new", name, "--template", "probe")[0] == 0
        code, _, err = cli(capsys, "experiment", "run", name, "--seeds", "1-2", "--grid", "faktor=1,2",
                           "--grid", "fehler=nein,ja", "--cluster", cluster)
        assert code == 1 and "4 von 8 Läufen fehlgeschlagen" in err, err
    assert sweep_metrics("faeden") == sweep_metrics("folge")  # no run got another point's values or results
    runs = runs_of("faeden")
    failed = [r for r in runs if r.info.status == "FAILED"]
    assert len(runs) == 8 and len(failed) == 4 and {r.info.status for r in runs} == {"FINISHED", "FAILED"}
    assert all(r.data.tags[keys.coordinate("fehler")] == "True" and "absichtlich kaputt" in r.data.tags[keys.ERROR]
               for r in failed)  # each failing kernel's error reached its own run
    spans = sorted((r.info.start_time, r.info.end_time) for r in runs)
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])), "the runs never overlapped"
    client = run_client()
    for run in runs:  # the executed notebook of each run carries its own coordinates
        local = Path(client.download_artifacts(run.info.run_id, "notebook.ipynb"))
        cells = json.loads(local.read_text(encoding="utf-8"))["cells"]
        [text] = ["".join(c["source"]) for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
        assert f"seed = {run.data.params['seed']}" in text and f"faktor = {run.data.params['faktor']}" in text
        assert run.data.metrics[keys.CPU_TIME] < run.data.metrics[keys.WALL_TIME]
    assert {k: os.environ.get(k) for k in ours} == env_before and os.getcwd() == cwd_before
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (stderr_before.st_dev, stderr_before.st_ino)
