"""Execute one notebook with papermill and collect what it recorded.

The kernel is the ``python3`` kernel of the interpreter running this code
(jupyter_client starts ``python`` kernels with ``sys.executable``), so a run
sees exactly the packages of the sandbox's venv. The notebook runs in its
experiment folder, as it would in JupyterLab, and finds its output folder in
``SANDBOX_RUN_OUTPUT`` (see :mod:`sandbox.experiments.record`).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Mapping

from sandbox.experiments.record import OUTPUT_ENV, Record, read_record

__all__ = ["Execution", "execute", "KERNEL", "EXECUTED_NOTEBOOK", "KERNEL_LOG"]

KERNEL = "python3"
EXECUTED_NOTEBOOK = "notebook.ipynb"
KERNEL_LOG = "kernel.log"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_KERNEL_START_RETRIES = 1  # parallel kernels on one host can race for the same free ports
_IMPORT = threading.Lock()


@dataclass(frozen=True)
class Execution:
    """The outcome of one notebook execution."""

    notebook: Path             # the executed notebook (with outputs; with the error if it failed)
    record: Record | None      # what the notebook passed to experiments.record
    error: str | None          # one line: cell number, exception and message
    traceback: str | None      # the cell's full traceback, colour codes removed
    wall_seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def _kernel_manager(env: Mapping[str, str], log: IO[bytes]) -> type:
    """A kernel manager class whose kernels start with ``env`` and write their stderr to ``log``.

    The kernel of each run gets its own environment and log instead of the
    runner changing ``os.environ`` and file descriptor 2, which belong to the
    whole process: so several runs can execute at once in one process (the
    threads of a LocalCluster or of a ``dask worker --nthreads N``).
    """
    from jupyter_client.manager import AsyncKernelManager

    class TaskKernelManager(AsyncKernelManager):  # type: ignore[misc]
        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            return await super()._async_pre_start_kernel(**{**kw, "env": dict(env), "stderr": log})

    return TaskKernelManager


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _on_own_loop(call: Callable[[], Any]) -> Any:
    """Run ``call`` in a fresh context, so that the event loop jupyter_core keeps per context is this call's
    own (a Dask worker thread copies its context from the thread that scheduled the task, and two kernels
    must not share one loop), and close that loop afterwards."""
    def closing() -> Any:
        if _loop_running():  # a notebook kernel's loop: jupyter_core runs the call on a thread of its own
            return call()
        try:
            return call()
        finally:
            policy = asyncio.get_event_loop_policy()
            try:
                loop = policy.get_event_loop()
            except RuntimeError:  # failed before it made a loop
                loop = None
            policy.set_event_loop(None)
            if loop is not None and not loop.is_running():
                loop.close()

    return contextvars.Context().run(closing)


def execute(notebook: Path, parameters: Mapping[str, Any], cwd: Path, output: Path, timeout: int = 1800) -> Execution:
    """Run ``notebook`` with ``parameters`` in ``cwd``; outputs go to the folder ``output``."""
    with _IMPORT:  # warning filters belong to the process: one thread at a time changes them
        with warnings.catch_warnings():  # tqdm warns about missing ipywidgets when imported inside a kernel
            warnings.simplefilter("ignore")
            import papermill
            from papermill.exceptions import PapermillExecutionError

    output.mkdir(parents=True, exist_ok=True)
    executed = output / EXECUTED_NOTEBOOK
    start = time.perf_counter()
    error = trace = None
    env = {**os.environ, OUTPUT_ENV: str(output)}
    with (output / KERNEL_LOG).open("ab") as log:
        for _ in range(1 + _KERNEL_START_RETRIES):
            error = trace = None
            try:
                _on_own_loop(lambda: papermill.execute_notebook(
                    str(notebook), str(executed), parameters=dict(parameters), kernel_name=KERNEL, progress_bar=False,
                    log_output=False, execution_timeout=timeout, kernel_manager_class=_kernel_manager(env, log),
                    resources={"metadata": {"path": str(cwd)}}))  # the kernel's working folder
            except PapermillExecutionError as exc:
                first = _ANSI.sub("", str(exc.evalue)).strip().splitlines()
                error = f"{exc.ename}: {first[0] if first else ''} (cell In [{exc.exec_count}])"
                trace = _ANSI.sub("", "\n".join(exc.traceback))
            except Exception as exc:  # kernel died, timed out or would not start: the run failed all the same
                error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
                trace = traceback.format_exc()
                if not _any_cell_ran(executed):  # the kernel never came up (e.g. a port taken meanwhile): again
                    continue
            break
    record = read_record(output)
    if error is None and record is None:
        error = "Das Notebook hat experiments.record(...) nie aufgerufen; in die letzte Zelle aufnehmen"
    return Execution(executed, record, error, trace, time.perf_counter() - start)


def _any_cell_ran(executed: Path) -> bool:
    """Whether papermill executed at least one cell of ``executed`` (False: the kernel never started)."""
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:  # not written yet, or cut off
        return False
    return any(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
