"""Workspace state of a running sandbox: the state file and process bookkeeping.

``sandbox up`` records what runs where in ``<workspace>/.sandbox/state.json``
(pids with their start times, ports, token, URLs). ``sandbox.services``
writes it and reads it back to show or stop the servers; ``sandbox.tracking``
reads it to send runs to the running MLflow server. Both need the same file
and the same notion of "still running", so it lives here, below both, and
neither imports the other. A pid counts as ours only together with its
recorded start time (from ``/proc``), so a recycled pid is never mistaken for
one of our servers. The folder itself comes from :func:`sandbox.config.state_dir`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sandbox.config import state_dir

__all__ = [
    "STATE_FILE",
    "read_state",
    "write_state",
    "clear_state",
    "proc_stat",
    "start_ticks",
    "process_alive",
    "group_alive",
]

STATE_FILE = "state.json"


def read_state() -> dict[str, Any] | None:
    """The state of the sandbox started in this workspace, or None if there is none or it is unreadable."""
    try:
        state = json.loads((state_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("services"), dict):
        return None
    records = [*state["services"].values(), *([state["supervisor"]] if state.get("supervisor") is not None else [])]
    return state if all(_well_formed(r) for r in records) else None  # a hand-edited or truncated file is no state


def _well_formed(record: Any) -> bool:
    """A service record as :mod:`sandbox.services` writes it: int pid/port, text ticks/url/log."""
    if not isinstance(record, dict):
        return False
    pid, port = record.get("pid"), record.get("port")
    ints = all(v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31) for v in (pid, port))
    texts = all(isinstance(record.get(k), (str, type(None))) for k in ("ticks", "url", "log"))
    return ints and texts


def write_state(data: dict[str, Any]) -> None:
    """Write the state file atomically, readable by the owner only (it holds the JupyterLab token)."""
    path = state_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".state-{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
    os.replace(tmp, path)


def clear_state() -> None:
    """Remove the state file (a stopped sandbox); no error if there is none."""
    (state_dir() / STATE_FILE).unlink(missing_ok=True)


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state [0], pgrp [2], start time [19]); None if absent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def start_ticks(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot), or None without /proc or process."""
    stat = proc_stat(pid)
    return stat[19] if stat else None


def process_alive(pid: int | None, ticks: str | None = None) -> bool:
    """Whether a process lives (not a zombie nobody reaped) and, given its recorded start time, is still the same one."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): kill(0) is all we know
    return stat[0] not in ("Z", "X") and (ticks is None or stat[19] == ticks)


def group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is left in process group ``pgid``."""
    if not Path("/proc/self/stat").exists():
        try:
            os.killpg(pgid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False
    for entry in Path("/proc").iterdir():
        stat = proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if stat and stat[2] == str(pgid) and stat[0] not in ("Z", "X"):
            return True
    return False
