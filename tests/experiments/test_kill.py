"""A killed `sandbox experiment run`: never a run left RUNNING, never a temp folder left behind.

SIGTERM ends the run at once (KILLED, like Ctrl-C in a sweep; temp folder removed, one German line).
SIGKILL cannot be caught: the next `experiment run` marks the orphan KILLED
and removes the dead runner's temp folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from tests.experiments.conftest import probe_notebook, runs_of
from tests.support import cli

pytestmark = pytest.mark.slow


def _slow_experiment(capsys: pytest.CaptureFixture[str], home: Path, name: str) -> Path:
    assert cli(capsys, "experiment", "new", name, "--template", "probe")[0] == 0
    notebook = home / "experiments" / name / "notebook.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    nbformat.write(nb, notebook)
    return notebook


def _start(home: Path, name: str) -> subprocess.Popen[str]:
    from sandbox.tracking.guard import prepare_store

    prepare_store(os.environ["MLFLOW_TRACKING_URI"])  # this test's own client polls the store: migrated first
    return subprocess.Popen([sys.executable, "-m", "sandbox.cli", "experiment", "run", name], cwd=home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _run_folders(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"sandbox-run-{pid}-*"))


def _wait_running(proc: subprocess.Popen[str], name: str) -> str:
    """The id of the run once its notebook executes (the store is read only then: no lock contention)."""
    deadline = time.monotonic() + 180
    while not any(list(f.glob("kernel.log")) for f in _run_folders(proc.pid)):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.2)
    running = [r for r in runs_of(name) if r.info.status == "RUNNING"]
    assert len(running) == 1
    return str(running[0].info.run_id)


def test_sigterm_ends_the_run_killed_and_removes_its_folder(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    _slow_experiment(capsys, home, "abbruch")
    proc = _start(home, "abbruch")
    try:
        run_id = _wait_running(proc, "abbruch")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the kernel too, whatever happened
        except ProcessLookupError:
            pass
    assert proc.returncode == 130 and err.strip().splitlines()[-1:] == ["Abgebrochen; nichts wurde halb geschrieben."], (proc.returncode, err)
    assert "Traceback" not in err
    assert [r.info.status for r in runs_of("abbruch") if r.info.run_id == run_id] == ["KILLED"]
    assert _run_folders(proc.pid) == []


def test_sigkill_orphan_is_closed_and_cleaned_on_the_next_run(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    notebook = _slow_experiment(capsys, home, "getoetet")
    proc = _start(home, "getoetet")
    try:
        run_id = _wait_running(proc, "getoetet")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert [r.info.status for r in runs_of("getoetet") if r.info.run_id == run_id] == ["RUNNING"]
    assert _run_folders(proc.pid)
    probe_notebook(notebook)  # the next run is a quick one
    code, out, err = cli(capsys, "experiment", "run", "getoetet")
    assert code == 0, out + err
    statuses = {r.info.run_id: r.info.status for r in runs_of("getoetet")}
    assert statuses[run_id] == "KILLED" and sorted(statuses.values()) == ["FINISHED", "KILLED"]
    assert _run_folders(proc.pid) == []
