"""Faults around runs: a store created once, and runs of killed processes never left RUNNING.

- **One migration at a time.** MLflow creates and migrates a SQLite store on
  first use; five processes doing that at once leave it half-migrated
  ("duplicate column name", "_alembic_tmp_... already exists"). The first use
  of a SQLite store in a process therefore happens under an exclusive file lock
  beside the database (:func:`prepare_store`); MLflow keeps the migrated store
  for the rest of the process.
- **No run left RUNNING.** Every run the sandbox opens carries the tag
  ``sandbox.prozess`` = ``host:pid:start ticks``. When a run starts, RUNNING
  runs of the same experiment whose process is gone from this host are marked
  KILLED (:func:`close_orphans`); a SIGTERM to the CLI ends the run at once
  (the CLI turns it into an interrupt, and MLflow marks the run FAILED).
"""

from __future__ import annotations

import fcntl
import logging
import os
from importlib import metadata
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.state import process_alive, start_ticks
from sandbox.tracking.keys import PROCESS

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["prepare_store", "process_tag", "close_orphans"]

_prepared: set[str] = set()


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    path = uri[len("sqlite:///"):]  # sqlite:////abs/file.db -> /abs/file.db, sqlite:///rel.db -> rel.db
    return None if path in ("", ":memory:") else Path(path)


def prepare_store(uri: str) -> None:
    """Create or migrate the SQLite store at ``uri`` under a file lock, once per process (others: nothing)."""
    path = _sqlite_path(uri)
    if path is None or uri in _prepared:
        return
    ready = path.with_name(path.name + ".bereit")  # holds the MLflow version that migrated the store
    version = metadata.version("mlflow")
    if path.is_file() and ready.is_file() and ready.read_text(encoding="utf-8") == version:
        _prepared.add(uri)  # migrated before: MLflow has nothing left to change, so no lock is needed
        return
    from mlflow.tracking import MlflowClient

    path.parent.mkdir(parents=True, exist_ok=True)
    quiet = {name: logging.getLogger(name) for name in ("mlflow", "alembic")}  # "Creating initial tables" is no news
    levels = {name: logger.level for name, logger in quiet.items()}
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        try:
            for logger in quiet.values():
                logger.setLevel(logging.WARNING)
            MlflowClient(tracking_uri=uri).search_experiments(max_results=1)  # creates and migrates, then cached
            ready.write_text(version, encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            for name, logger in quiet.items():
                logger.setLevel(levels[name])
    _prepared.add(uri)


def process_tag(pid: int | None = None) -> str:
    """``host:pid:start ticks`` of this process (or ``pid``): who runs a run, and whether it still lives."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{start_ticks(pid) or ''}"


def _gone(tag: str) -> bool:
    host, _, rest = tag.partition(":")
    pid, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's run: not ours to judge
    return not process_alive(int(pid), ticks or None)


def close_orphans(client: "MlflowClient", experiment_id: str) -> list[str]:
    """Mark RUNNING runs of ``experiment_id`` whose process died on this host as KILLED; their ids."""
    running = client.search_runs([experiment_id], filter_string="attributes.status = 'RUNNING'", max_results=500)
    closed = []
    for run in running:
        tag = run.data.tags.get(PROCESS)
        if tag and _gone(tag):
            client.set_terminated(run.info.run_id, status="KILLED")
            closed.append(run.info.run_id)
    return closed
