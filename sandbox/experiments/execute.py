"""Execute one notebook with papermill and collect what it recorded.

The kernel is the ``python3`` kernel of the interpreter running this code
(jupyter_client starts ``python`` kernels with ``sys.executable``), so a run
sees exactly the packages of the sandbox's venv. The notebook runs in its
experiment folder, as it would in JupyterLab, and finds its output folder in
``SANDBOX_RUN_OUTPUT`` (see :mod:`sandbox.experiments.record`).
"""

from __future__ import annotations

import os
import sys
import re
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from sandbox.experiments.record import OUTPUT_ENV, Record, read_record

__all__ = ["Execution", "execute", "KERNEL", "EXECUTED_NOTEBOOK", "KERNEL_LOG"]

KERNEL = "python3"
EXECUTED_NOTEBOOK = "notebook.ipynb"
KERNEL_LOG = "kernel.log"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_KERNEL_START_RETRIES = 1  # parallel kernels on one host can race for the same free ports


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


@contextmanager
def _kernel_log(path: Path) -> Iterator[None]:
    """Send file descriptor 2 to ``path`` while the kernel runs.

    The kernel process inherits it, so its warnings land in a log file that
    the runner keeps with the run instead of on the user's terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with path.open("ab") as log:
            os.dup2(log.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def execute(notebook: Path, parameters: Mapping[str, Any], cwd: Path, output: Path, timeout: int = 1800) -> Execution:
    """Run ``notebook`` with ``parameters`` in ``cwd``; outputs go to the folder ``output``."""
    with warnings.catch_warnings():  # tqdm warns about missing ipywidgets when imported inside a kernel
        warnings.simplefilter("ignore")
        import papermill
        from papermill.exceptions import PapermillExecutionError

    output.mkdir(parents=True, exist_ok=True)
    executed = output / EXECUTED_NOTEBOOK
    start = time.perf_counter()
    error = trace = None
    previous = os.environ.get(OUTPUT_ENV)
    os.environ[OUTPUT_ENV] = str(output)
    try:
        for _ in range(1 + _KERNEL_START_RETRIES):
            error = trace = None
            try:
                with _kernel_log(output / KERNEL_LOG):
                    papermill.execute_notebook(str(notebook), str(executed), parameters=dict(parameters),
                                               kernel_name=KERNEL, cwd=str(cwd), progress_bar=False,
                                               log_output=False, execution_timeout=timeout)
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
    finally:
        if previous is None:
            os.environ.pop(OUTPUT_ENV, None)
        else:
            os.environ[OUTPUT_ENV] = previous
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
