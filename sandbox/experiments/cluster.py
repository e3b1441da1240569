"""Where a sweep's tasks execute: in this process, on a LocalCluster, or on an existing Dask scheduler.

    --cluster none              one after another in this process, no Dask
    --cluster local[:N]         a LocalCluster of N workers in this process (default: one per core)
    --cluster tcp://HOST:8786   an existing scheduler (``dask scheduler`` / ``dask worker``, gateway, operator)
    SANDBOX_DASK_SCHEDULER      the same address for every command without --cluster

Without either, a single run executes in this process (a cluster would
only add its start-up time) and a sweep of several runs on a LocalCluster
sized to the machine. The LocalCluster's workers are threads of this
process: a task spends its time waiting for its notebook's kernel, which is a
process of its own, so threads run N notebooks at once on N cores without
N worker processes each importing MLflow, papermill and the package again
(3-5 CPU seconds each, about a third of a 16-run sweep of short notebooks).
Dask is imported only when a cluster is used, so ``sandbox --help`` stays fast. Every task is :func:`sandbox.experiments.worker.run_task`.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from sandbox.errors import SandboxError
from sandbox.experiments.sweep import Task
from sandbox.experiments.worker import RunResult, run_task

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["ClusterSpec", "Executor", "parse_cluster", "open_executor", "SCHEDULER_ENV"]

SCHEDULER_ENV = "SANDBOX_DASK_SCHEDULER"
_ADDRESS = re.compile(r"^(tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_MAX_LOCAL = 256


@dataclass(frozen=True)
class ClusterSpec:
    """How to execute: ``none`` (this process), ``local`` (N workers) or ``remote`` (a scheduler address)."""

    kind: str
    workers: int = 1
    address: str = ""

    def describe(self) -> str:
        if self.kind == "none":
            return "in diesem Prozess"
        if self.kind == "local":
            return f"LocalCluster mit {self.workers} Worker{'n' if self.workers != 1 else ''}"
        return f"Dask-Scheduler {self.address}"


def parse_cluster(text: str | None, tasks: int) -> ClusterSpec:
    """``--cluster`` (else ``$SANDBOX_DASK_SCHEDULER``, else the default for ``tasks`` runs) as a spec."""
    origin = "--cluster"
    if text is None and os.environ.get(SCHEDULER_ENV, "").strip():
        text, origin = os.environ[SCHEDULER_ENV].strip(), SCHEDULER_ENV
    cores = os.cpu_count() or 1
    if text is None:
        return ClusterSpec("none") if tasks <= 1 else ClusterSpec("local", max(1, min(tasks, cores)))
    text = text.strip()
    if text == "none":
        return ClusterSpec("none")
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if text != "local" and not (count.isdigit() and 1 <= int(count) <= _MAX_LOCAL):
            raise SandboxError(f"{origin}: local:N braucht eine Worker-Zahl von 1 bis {_MAX_LOCAL}, erhalten: {text!r}")
        return ClusterSpec("local", int(count) if count else max(1, min(tasks, cores)))
    if _ADDRESS.match(text):
        return ClusterSpec("remote", address=text)
    raise SandboxError(f"{origin}: {text!r} ist kein Cluster; erlaubt: none, local, local:N oder tcp://HOST:PORT "
                       "(z. B. tcp://127.0.0.1:8786)")


class Executor:
    """Runs tasks on an open cluster (or in this process when ``client`` is None)."""

    def __init__(self, client: "Client | None") -> None:
        self.client = client
        self.dashboard = client.dashboard_link if client is not None else None

    def run(self, tasks: Sequence[Task], on_done: Callable[[RunResult], None],
            on_error: Callable[[Task, BaseException], RunResult]) -> list[RunResult]:
        """Execute every task; ``on_done`` hears each result as it arrives, ``on_error`` turns a task's exception
        (not a failing notebook: that is a FAILED result) into one. Ctrl-C cancels what has not run."""
        results: list[RunResult] = []
        if self.client is None:
            for task in tasks:
                try:
                    result = run_task(task)
                except Exception as exc:  # noqa: BLE001 - a broken task fails its run, not the sweep
                    result = on_error(task, exc)
                results.append(result)
                on_done(result)
            return results
        from distributed import as_completed

        futures = {self.client.submit(run_task, task, key=f"sandbox-lauf-{task.run_id}", pure=False): task
                   for task in tasks}
        try:
            for future in as_completed(list(futures)):
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - includes KilledWorker after repeated worker deaths
                    result = on_error(futures[future], exc)
                results.append(result)
                on_done(result)
        except BaseException:
            self.client.cancel(list(futures), force=True)
            raise
        return results


class _ClosedCommAtShutdown(logging.Filter):
    """Drop distributed's "Batched Comm Closed" record: when a client closes while its last message is still
    being sent, distributed logs the closed connection at INFO with a traceback, after the cluster has put
    its own log levels back. At the end of a sweep that is the normal end, not an error worth a traceback
    in the terminal or in the notebook that started the sweep."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Batched Comm Closed")


def _quiet_shutdown() -> None:
    batched = logging.getLogger("distributed.batched")
    if not any(isinstance(f, _ClosedCommAtShutdown) for f in batched.filters):
        batched.addFilter(_ClosedCommAtShutdown())


@contextmanager
def open_executor(spec: ClusterSpec) -> Iterator[Executor]:
    """Start the LocalCluster or connect to the scheduler (checked to have a worker); close it afterwards."""
    if spec.kind == "none":
        yield Executor(None)
        return
    from distributed import Client, LocalCluster

    _quiet_shutdown()

    if spec.kind == "local":
        with LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=False,
                          dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            yield Executor(client)
        return
    try:
        client = Client(spec.address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise SandboxError(f"Dask-Scheduler {spec.address} ist nicht erreichbar ({type(exc).__name__}); läuft "
                           "`dask scheduler` dort, und ist der Port freigegeben?") from None
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise SandboxError(f"Dask-Scheduler {spec.address} hat nach 60 s noch keinen Worker; starten Sie "
                               f"`dask worker {spec.address} --nthreads 1` auf einem Rechner mit dem Paket") from None
        yield Executor(client)
    finally:
        client.close()
