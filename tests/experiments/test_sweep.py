"""Sweeps: seeds x grid x profiles, one MLflow run per point, idempotent run keys, --resume, Ctrl-C.

Runs here execute in this process (``--cluster none``) or on a LocalCluster;
the real ``dask scheduler`` and ``dask worker`` processes are in test_dask_cluster.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.experiments.cluster import SCHEDULER_ENV, ClusterSpec, parse_cluster
from sandbox.experiments.params import parse_grid, parse_list, parse_seeds
from sandbox.experiments.sweep import Coordinates, coordinates
from sandbox.tracking import keys
from tests.experiments.conftest import runs_of, sweep_metrics, tree
from tests.support import cli

REPO = Path(__file__).resolve().parents[2]


def test_seed_ranges_grid_and_lists_parse() -> None:
    assert parse_seeds("1-3,7") == [1, 2, 3, 7] and parse_seeds("0-0") == [0]
    assert parse_grid(["a=1,2", "b=x"]) == {"a": ["1", "2"], "b": ["x"]}
    assert parse_list("a, b", "--profiles") == ["a", "b"]
    for bad in ("3-1", "1-", "1-2,2", "0-99999"):
        with pytest.raises(SandboxError):
            parse_seeds(bad)
    for items in (["a"], ["a="], ["=1"], ["a=1", "a=2"], ["a=1,1"]):
        with pytest.raises(SandboxError):
            parse_grid(items)


def test_points_are_the_cartesian_product_with_stable_keys() -> None:
    points = coordinates([1, 2], ["x", "y"], {"f": [0.5, 1.0], "m": ["a"]})
    assert len(points) == 8 and len({p.label() for p in points}) == 8
    assert points[0] == Coordinates(1, "x", (("f", 0.5), ("m", "a")))
    assert points[0].run_key("S") == "S/seed=1;profil=x;f=0.5;m=a"


def test_cluster_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert parse_cluster(None, 1) == ClusterSpec("none")
    assert parse_cluster(None, 16).kind == "local" and 1 <= parse_cluster(None, 16).workers <= (os.cpu_count() or 1)
    assert parse_cluster("local:3", 1) == ClusterSpec("local", 3)
    assert parse_cluster("tcp://10.0.0.5:8786", 1) == ClusterSpec("remote", address="tcp://10.0.0.5:8786")
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://sched:8786")
    assert parse_cluster(None, 1).address == "tcp://sched:8786"
    assert parse_cluster("none", 4) == ClusterSpec("none")
    for bad in ("local:0", "local:x", "http://x:1", "tcp://x", "; rm -rf /"):
        with pytest.raises(SandboxError):
            parse_cluster(bad, 2)


@pytest.mark.parametrize("args, expected", [
    (["--grid", "faktor=1,viel"], "Parameter faktor (--grid) muss eine Zahl sein"),
    (["--grid", "seed=1,2"], "mit --seeds"),
    (["--grid", "gibtsnicht=1,2"], "unbekannter Parameter 'gibtsnicht' (--grid)"),
    (["--grid", "faktor=1,2", "--param", "faktor=3"], "nur eines von beiden"),
    (["--profiles", "musterstadt,musterstadt"], "doppelt"),
    (["--profiles", "musterstadt,gibtsnicht"], "gibtsnicht"),
    (["--profiles", "musterstadt", "--param", "datensatz=musterstadt"], "nicht beides"),
    (["--seeds", "5-2"], "Bereich 5-2"),
    (["--cluster", "local:0"], "local:N"),
    (["--cluster", "ftp://x:1"], "kein Cluster"),
    (["--resume"], "kein früherer Sweep"),
])
def test_sweep_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    assert cli(capsys, "experiment", "new", "falsch", "--template", "probe")[0] == 0
    before = tree(home)
    code, _, err = cli(capsys, "experiment", "run", "falsch", *args)
    assert code == 2 and expected in err and err.count("\n") == 1, err
    assert runs_of("falsch") == [] and tree(home) == before


def test_sweep_runs_every_point_once_and_resume_skips_finished(home: Path, capsys: pytest.CaptureFixture[str],
                                                              musterstadt, small_town: str) -> None:
    assert cli(capsys, "experiment", "new", "raster", "--template", "probe")[0] == 0
    args = ["experiment", "run", "raster", "--seeds", "1-2", "--grid", "fehler=nein,ja", "--grid", "faktor=1,2",
            "--profiles", f"musterstadt,{small_town}", "--cluster", "none"]
    code, out, err = cli(capsys, *args)
    assert code == 1 and "8 von 16 Läufen fehlgeschlagen" in err and "ValueError: absichtlich kaputt" in err, err
    assert "fehler=True" in err and "(cell In [" in err  # the failing point's coordinates, the cell and the message
    runs = runs_of("raster")
    assert len(runs) == 16 and len({r.data.tags[keys.SWEEP] for r in runs}) == 1
    assert len({r.data.tags[keys.RUN_KEY] for r in runs}) == 16
    by_status = {s: [r for r in runs if r.info.status == s] for s in ("FINISHED", "FAILED")}
    assert all(r.data.tags[keys.coordinate("fehler")] == "True" for r in by_status["FAILED"])
    assert len(by_status["FINISHED"]) == 8 and "absichtlich kaputt" in by_status["FAILED"][0].data.tags[keys.ERROR]
    metrics = sweep_metrics("raster")
    small = len(__import__("sandbox").datasets.open(small_town)["einwohner"])
    assert metrics[f"seed=2;profil={small_town};fehler=False;faktor=2.0"]["einwohner"] == small * 2
    assert metrics["seed=1;profil=musterstadt;fehler=False;faktor=1.0"]["einwohner"] == len(musterstadt["einwohner"])
    finished_at = {r.info.run_id: r.info.end_time for r in by_status["FINISHED"]}

    code, out, err = cli(capsys, *args, "--resume")
    assert code == 1 and "8 von 16 Läufen fehlgeschlagen" in err
    again = runs_of("raster")
    assert sorted(r.info.run_id for r in again) == sorted(r.info.run_id for r in runs)  # no new run
    assert {r.info.run_id: r.info.end_time for r in again if r.info.run_id in finished_at} == finished_at
    assert all(r.info.end_time > 0 and r.info.status == "FAILED" for r in again if r.info.run_id not in finished_at)


@pytest.mark.parametrize("cluster", ["none", "local:2"])
def test_ctrl_c_cancels_and_marks_unfinished_runs_killed(home: Path, capsys: pytest.CaptureFixture[str],
                                                        musterstadt, cluster: str) -> None:
    name = f"abbruch-{cluster.replace(':', '')}"  # the store lives as long as the module
    assert cli(capsys, "experiment", "new", name, "--template", "probe")[0] == 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert runs_of(name) == []  # the store exists before two processes use it
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "experiment", "run", name, "--seeds", "1-6",
                             "--cluster", cluster], cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not any(r.info.status == "RUNNING" and keys.WORKER in r.data.tags for r in runs_of(name)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    statuses = [r.info.status for r in runs_of(name)]
    assert len(statuses) == 6 and "KILLED" in statuses
    assert set(statuses) <= {"FINISHED", "KILLED"}, statuses  # nothing left RUNNING or SCHEDULED


def test_a_closed_comm_at_the_end_of_a_sweep_logs_no_traceback() -> None:
    """distributed logs a client's closed connection at shutdown with a traceback (INFO); after a sweep has
    used a cluster that record is dropped, other records of distributed still pass."""
    import logging

    from distributed.comm.core import CommClosedError

    from sandbox.experiments.cluster import open_executor

    with open_executor(ClusterSpec("local", 1)):
        pass
    logger, records = logging.getLogger("distributed.batched"), []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        try:
            raise CommClosedError()
        except CommClosedError:
            logger.info("Batched Comm Closed %r", "<InProc local=inproc://127.0.0.1/1/2>", exc_info=True)
        logger.warning("eine andere Meldung")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [r.getMessage() for r in records] == ["eine andere Meldung"]
