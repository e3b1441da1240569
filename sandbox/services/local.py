"""Local server processes: a :class:`Service` and the :class:`Sandbox` of one workspace.

Each server is a :class:`Service` with one typed life: start -> wait until
ready -> stop. It runs in its own session (process group), so Ctrl-C in the
terminal reaches only ``sandbox up``, which then stops both servers in order,
and ``sandbox down`` can stop a detached sandbox by group. The
:class:`Sandbox` is what :mod:`sandbox.state` keeps in the state file (pids
with start times, ports, token, URLs), which ``sandbox.tracking`` also reads
to send runs to the running server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.config import workspace
from sandbox.errors import SandboxError
from sandbox.state import clear_state, group_alive, process_alive, read_state, start_ticks, write_state

__all__ = ["Service", "Sandbox", "HOST", "STOP_TIMEOUT", "TITLES", "port_free"]

HOST = "127.0.0.1"
STOP_TIMEOUT = 15.0
TITLES = {"mlflow": "MLflow", "jupyterlab": "JupyterLab"}
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never goes through a proxy


def port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` of :data:`HOST` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


@dataclass
class Service:
    """One server process in its own process group: start -> wait until ready -> stop."""

    name: str
    port: int
    url: str
    log: Path
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/"
    pid: int | None = None
    ticks: str | None = None  # process start time, so a recycled pid is never taken for ours
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                             env={**os.environ, **self.env}, cwd=workspace(), start_new_session=True)
        self.pid, self.ticks = self._process.pid, start_ticks(self._process.pid)

    def running(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None  # also reaps our own child
        return process_alive(self.pid, self.ticks)

    def _ours(self) -> bool:
        """Whether something of this service may still live: our child, our recorded leader, or its group."""
        if self.pid is None:
            return False
        if self._process is not None:
            return True
        ticks = start_ticks(self.pid)
        if ticks is not None and self.ticks is not None and ticks != self.ticks:
            return False  # the pid belongs to another process now; our group is gone with it
        return self._lingering()

    def _lingering(self) -> bool:
        return self.running() or (self.pid is not None and group_alive(self.pid))

    def tail(self, lines: int = 6) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        kept = [line.strip() for line in text if line.strip()][-lines:]
        return " | ".join(kept) or "(empty log)"

    def wait_ready(self, deadline: float) -> None:
        """Poll ``ready_path`` until it answers 200; fail with the log's last lines."""
        probe = f"http://{HOST}:{self.port}{self.ready_path}"
        while True:
            if not self.running():
                raise SandboxError(f"{self.title} hat sich beim Start beendet: {self.tail()} (Protokoll: {self.log})")
            try:
                with _LOCAL.open(probe, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SandboxError(f"{self.title} hat auf Port {self.port} nicht rechtzeitig geantwortet: {self.tail()} (Protokoll: {self.log})")
            time.sleep(0.2)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM to the group, wait, SIGKILL whatever is left; idempotent."""
        if self.pid is None or not self._ours():
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            end = time.monotonic() + wait
            while time.monotonic() < end and self._lingering():
                time.sleep(0.1)
            if not self._lingering():
                break
        if self._process is not None:
            self._process.poll()

    def record(self) -> dict[str, Any]:
        return {"pid": self.pid, "ticks": self.ticks, "port": self.port, "url": self.url, "log": str(self.log)}

    @classmethod
    def from_record(cls, name: str, record: dict[str, Any]) -> "Service":
        return cls(name=name, port=int(record.get("port") or 0), url=str(record.get("url", "")), log=Path(record.get("log", "")),
                   pid=record.get("pid"), ticks=record.get("ticks"))


@dataclass
class Sandbox:
    """The servers of one workspace, as recorded in ``.sandbox/state.json``."""

    services: dict[str, Service]
    started_at: str = ""
    supervisor: Service | None = None  # the foreground `sandbox up`; None when detached

    def running(self) -> bool:
        return any(s.running() for s in self.services.values())

    def save(self) -> None:
        """Write the state file (atomically, readable by the owner only: it holds the token)."""
        write_state({"workspace": str(workspace()), "started_at": self.started_at,
                     "supervisor": self.supervisor.record() if self.supervisor else None,
                     "services": {name: s.record() for name, s in self.services.items()}})

    @classmethod
    def load(cls) -> "Sandbox | None":
        state = read_state()
        if state is None:
            return None
        services = {name: Service.from_record(name, rec) for name, rec in state["services"].items() if isinstance(rec, dict)}
        supervisor = state.get("supervisor")
        return cls(services, str(state.get("started_at", "")),
                   Service.from_record("supervisor", supervisor) if isinstance(supervisor, dict) else None)

    def stop(self) -> None:
        """Stop all servers side by side (JupyterLab shuts its kernels down); remove the state file."""
        with ThreadPoolExecutor(max(1, len(self.services))) as pool:
            list(pool.map(Service.stop, self.services.values()))
        clear_state()
