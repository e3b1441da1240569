"""A sweep on a real ``dask scheduler`` with two ``dask worker`` processes on localhost (one runs two
notebooks at once on two threads).

The same 8-point sweep (2 seeds x 2 parameter values x 2 profiles) gives the
same metrics on the cluster as in this process without Dask, and a worker
killed with SIGKILL while it executes a notebook loses no run and duplicates
none: its task runs again on the other worker and continues the same MLflow run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from sandbox import experiments
from sandbox.tracking import keys
from tests.experiments.conftest import runs_of, sweep_metrics
from tests.support import cli, free_port

REPO = Path(__file__).resolve().parents[2]
DASK = str(Path(sys.executable).with_name("dask"))


class DaskProcesses:
    """A scheduler and two workers, ``a`` with one thread and ``b`` with two (no nanny: killing one kills the
    worker itself)."""

    def __init__(self) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.workers: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        for name, threads in (("a", "1"), ("b", "2")):
            worker_port = free_port()
            self.workers[f"tcp://127.0.0.1:{worker_port}"] = self._start(
                [DASK, "worker", self.address, "--nthreads", threads, "--no-nanny", "--no-dashboard", "--name", name,
                 "--host", "127.0.0.1", "--worker-port", str(worker_port)])
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)

    def _start(self, argv: list[str]) -> subprocess.Popen:
        return subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def kill(self, address: str) -> None:
        os.killpg(self.workers[address].pid, signal.SIGKILL)
        self.workers[address].wait(timeout=30)

    def stop(self) -> None:
        for proc in [*self.workers.values(), self.scheduler]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture()
def dask_processes() -> Iterator[DaskProcesses]:
    procs = DaskProcesses()
    try:
        yield procs
    finally:
        procs.stop()


@pytest.mark.slow
def test_cluster_sweep_equals_the_same_sweep_without_dask(home: Path, capsys: pytest.CaptureFixture[str], musterstadt,
                                                          small_town: str, dask_processes: DaskProcesses) -> None:
    sweep = {"seeds": [1, 2], "grid": {"faktor": ["1", "2"]}, "profiles": ["musterstadt", small_town]}
    for name in ("lokal", "verteilt"):
        assert cli(capsys, "experiment", "new", name, "--template", "probe")[0] == 0
    local = experiments.run_experiment("lokal", cluster="none", **sweep)
    remote = experiments.run_experiment("verteilt", cluster=dask_processes.address, **sweep)
    assert [r.status for r in local] == ["FINISHED"] * 8, [r.error for r in local]
    assert [r.status for r in remote] == ["FINISHED"] * 8, [r.error for r in remote]
    assert [r.coords for r in local] == [r.coords for r in remote]
    assert sweep_metrics("lokal") == sweep_metrics("verteilt")
    assert len(sweep_metrics("verteilt")) == 8
    workers = {r.data.tags[keys.WORKER] for r in runs_of("verteilt")}
    assert workers == set(dask_processes.workers)  # both workers ran tasks
    assert all(r.data.tags[keys.WORKER].startswith("lokal@") for r in runs_of("lokal"))


@pytest.mark.slow
def test_a_killed_worker_loses_no_run_and_duplicates_none(home: Path, capsys: pytest.CaptureFixture[str], musterstadt,
                                                          dask_processes: DaskProcesses) -> None:
    assert cli(capsys, "experiment", "new", "robust", "--template", "probe")[0] == 0
    assert runs_of("robust") == []
    victim, survivor = list(dask_processes.workers)
    outcome: dict[str, object] = {}
    sweep = threading.Thread(target=lambda: outcome.update(results=experiments.run_experiment(
        "robust", seeds=[1, 2, 3, 4], grid={"faktor": ["1", "2"]}, cluster=dask_processes.address)))
    sweep.start()
    deadline = time.monotonic() + 300
    killed = None
    while killed is None:
        assert sweep.is_alive() and time.monotonic() < deadline, "no run started on the first worker"
        running = [r for r in runs_of("robust") if r.info.status == "RUNNING" and r.data.tags.get(keys.WORKER) == victim]
        if running:
            killed = running[0].info.run_id
            dask_processes.kill(victim)
        time.sleep(0.1)
    sweep.join(timeout=600)
    assert not sweep.is_alive()
    results = outcome["results"]
    assert [r.status for r in results] == ["FINISHED"] * 8, [r.error for r in results]  # type: ignore[attr-defined]
    runs = runs_of("robust")
    assert len(runs) == 8 and len({r.data.tags[keys.RUN_KEY] for r in runs}) == 8  # none lost, none twice
    assert all(r.info.status == "FINISHED" for r in runs)
    [again] = [r for r in runs if r.info.run_id == killed]
    assert again.data.tags[keys.WORKER] == survivor  # the interrupted run was completed by the other worker
    assert again.data.metrics["seed_echo"] == int(again.data.tags[keys.SEED])
