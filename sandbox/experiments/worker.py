"""Execute one sweep task wherever it lands: this process, a LocalCluster worker or a remote Dask worker.

:func:`run_task` is the one function a worker calls. It finds the
experiment folder (the workspace's own if its files match, else the copy the
task carries), finds or rebuilds the dataset (regenerated from profile and
seed and checked against the manifest digest), resumes the MLflow run the
client created for the task's coordinates, executes the notebook with
papermill and logs notebook, metrics, tables and success criteria. A
notebook that raises ends its run FAILED with the cell and message; the task
still returns, so the sweep goes on. Several tasks may run at once in one
process (the threads of a LocalCluster, ``dask worker --nthreads N``): each
kernel gets its own environment and log, the MLflow run is the thread's own,
and its CPU time is the thread's.
"""

from __future__ import annotations

import fcntl
import math
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sandbox import tracking
from sandbox.config import generated_dir
from sandbox.errors import SandboxError
from sandbox.experiments.criteria import Outcome, evaluate
from sandbox.experiments.execute import KERNEL_LOG, Execution, execute
from sandbox.experiments.notebook_html import write_html
from sandbox.experiments.specs import EXPERIMENT_FILE
from sandbox.experiments.sweep import Coordinates, DataRef, Job, Task
from sandbox.synth.writer import MANIFEST
from sandbox.tracking import keys
from sandbox.tracking.store import tracking_to

__all__ = ["RunResult", "run_task", "experiment_folder", "obtain_dataset", "tracking_uri_for"]

_TAG_LIMIT = 4000
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class RunResult:
    """One task's MLflow run."""

    seed: int
    run_id: str
    status: str
    metrics: dict[str, float]
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    coords: Coordinates | None = None
    key: str = ""
    worker: str = ""


class _NotebookFailed(Exception):
    """Raised inside the MLflow run so that it ends FAILED."""


def worker_name() -> str:
    """The Dask worker's address, or ``lokal`` outside a worker."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"lokal@{socket.gethostname()}"


def run_task(task: Task) -> RunResult:
    """Execute ``task`` (see the module docstring); retried, it continues the same MLflow run."""
    with tracking_to(tracking_uri_for(task.job)):
        name = worker_name()
        status, cancelled = _status(task.run_id)
        if status == "FINISHED" or cancelled:  # done by an earlier attempt, or the sweep was cancelled
            return RunResult(task.coords.seed, task.run_id, status, {}, coords=task.coords, key=task.key, worker=name)
        folder = experiment_folder(task.job)
        data = obtain_dataset(task.data)
        return _execute(task, folder, data, name)


def tracking_uri_for(job: Job) -> str:
    """The sweep's tracking server as this worker reaches it.

    The client's address, unless it is a loopback address and this worker runs on another machine (a
    container of the compose stack, a server): there ``127.0.0.1`` would be the worker itself, so the
    worker's own ``MLFLOW_TRACKING_URI`` names the same server (``http://tracking:5000``). Whether it is
    the same server shows at once: the run the client created must exist there.
    """
    host = urlsplit(job.tracking_uri).hostname or ""
    if host not in _LOOPBACK or not job.origin or job.origin == socket.gethostname():
        return job.tracking_uri
    own = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if not own:
        raise SandboxError(f"der Sweep protokolliert nach {job.tracking_uri}, einer Adresse, die nur auf "
                           f"{job.origin} gilt; auf dem Worker {socket.gethostname()} MLFLOW_TRACKING_URI setzen "
                           "oder den Sweep mit einer Adresse starten, die alle Rechner erreichen")
    return own


def _status(run_id: str) -> tuple[str, bool]:
    """The run's status, and whether the sweep cancelled it (a run whose process died is KILLED too, by the
    orphan check of the next run start, but it is not cancelled: a retry continues it)."""
    run = tracking.client().get_run(run_id)
    return str(run.info.status), run.data.tags.get(keys.CANCELLED) == "ja"


def experiment_folder(job: Job) -> Path:
    """The workspace's experiment folder if it holds the task's files unchanged (files a notebook added there
    do not count), else the task's copy in a temp folder."""
    own = Path(job.folder)
    if all((own / rel).is_file() and (own / rel).read_bytes() == data for rel, data in job.files.items()):
        return own
    target = Path(tempfile.gettempdir()) / f"sandbox-experiment-{job.digest[:16]}" / job.experiment
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
        for rel, data in job.files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            tmp.rename(target)
        except OSError:  # another process unpacked it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _digest_of(folder: Path) -> str | None:
    import json

    try:
        return str(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["digest"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def obtain_dataset(ref: DataRef) -> Path:
    """The dataset folder on this machine: the given path or a generated one with the same digest, else rebuilt."""
    from sandbox.synth.writer import generate_dataset

    local = generated_dir() / ref.name
    for folder in (Path(ref.path), local):
        if _digest_of(folder) == ref.digest:
            return folder
    generated_dir().mkdir(parents=True, exist_ok=True)
    with (generated_dir() / ".sweep.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one rebuild per machine, however many workers need it
        if _digest_of(local) == ref.digest:
            return local
        if local.exists():
            raise SandboxError(f"Datensatz {ref.name} auf {socket.gethostname()} hat eine andere Prüfsumme als beim "
                               "Start des Sweeps; Ordner entfernen oder mit derselben Generator-Version erzeugen")
        generate_dataset(ref.profile, ref.seed, ref.population, out=local)
        if _digest_of(local) != ref.digest:
            shutil.rmtree(local, ignore_errors=True)
            raise SandboxError(f"Datensatz {ref.name} neu erzeugt, aber mit anderer Prüfsumme: der Worker hat eine "
                               "andere Version des Generators oder des Profils als der startende Rechner")
    return local


def _execute(task: Task, folder: Path, data: Path, worker: str) -> RunResult:
    import mlflow

    values = {**task.values, "datensatz": str(data)}
    outcome: Execution | None = None
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix=f"sandbox-run-{os.getpid()}-{task.job.experiment}-") as tmp:
        try:
            with tracking.start_run(task.job.experiment, data, params=dict(task.values), run_id=task.run_id,
                                    tags={keys.WORKER: worker, keys.NOTE: task.job.note},
                                    cpu_clock=time.thread_time) as run:
                if keys.ERROR in run.data.tags:  # a retry of a failed attempt
                    mlflow.delete_tag(keys.ERROR)
                mlflow.log_artifact(str(folder / EXPERIMENT_FILE))
                outcome = execute(folder / "notebook.ipynb", values, folder, Path(tmp))
                _log_execution(outcome)
                if not outcome.ok:
                    raise _NotebookFailed(outcome.error)
                outcomes = evaluate(list(task.job.criteria), outcome.record.metrics if outcome.record else {})
                _log_outcomes(outcomes)
        except _NotebookFailed:
            pass
    assert outcome is not None
    metrics = outcome.record.metrics if outcome.record else {}
    return RunResult(task.coords.seed, task.run_id, "FINISHED" if outcome.ok else "FAILED", metrics, outcomes,
                     outcome.error, outcome.wall_seconds, task.coords, task.key, worker)


def _log_execution(outcome: Execution) -> None:
    import mlflow

    if outcome.notebook.is_file():
        mlflow.log_artifact(str(outcome.notebook))
        mlflow.log_artifact(str(write_html(outcome.notebook)))  # MLflow shows .ipynb as JSON, HTML as a page
    metrics = {keys.NOTEBOOK_WALL_TIME: round(outcome.wall_seconds, keys.COST_DECIMALS)}
    if outcome.record is not None:
        metrics |= outcome.record.metrics
        if outcome.record.cpu_seconds is not None:
            metrics[keys.NOTEBOOK_CPU_TIME] = round(outcome.record.cpu_seconds, keys.COST_DECIMALS)
        for table in outcome.record.tables:
            if table.is_file():
                mlflow.log_artifact(str(table), artifact_path="tabellen")
    tracking.log_metrics(metrics)  # one batch: each call is a transaction of the tracking store
    if outcome.error:
        mlflow.set_tags({keys.ERROR: outcome.error[:_TAG_LIMIT],
                         keys.NOTE: f"**Fehlgeschlagen:** {outcome.error}"})
        mlflow.log_text(outcome.traceback or outcome.error, "fehler.txt")
        log = outcome.notebook.parent / KERNEL_LOG
        if log.is_file() and log.stat().st_size:
            mlflow.log_artifact(str(log))


def _log_outcomes(outcomes: list[Outcome]) -> None:
    """Success criteria through tracking: ``kriterium.<metric>.wert/.schwelle/.erfuellt``."""
    named: dict[str, tuple[float, float, str]] = {}
    for o in outcomes:
        key = o.criterion.metric
        while key in named:  # two criteria on one metric (a band): keep both
            key += "_2"
        named[key] = (math.nan if o.value is None else o.value, o.criterion.threshold, o.criterion.operator)
    if named:
        tracking.log_success_criteria(named)
