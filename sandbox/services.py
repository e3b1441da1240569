"""`sandbox up/down/status`: JupyterLab and an MLflow tracking server as local processes.

Each server is a :class:`Service` with one typed life: start -> wait until
ready -> stop. It runs in its own session (process group), so Ctrl-C in the
terminal reaches only ``sandbox up``, which then stops both servers in order,
and ``sandbox down`` can stop a detached sandbox by group. What runs where is
kept in ``<workspace>/.sandbox/state.json`` (pids, ports, token, URLs), which
``sandbox.tracking`` also reads to send runs to the running server.

MLflow keeps its SQLite database and artifact folder in the workspace, the
same store the embedded fallback of ``sandbox.tracking`` writes, so runs from
before, during and after ``sandbox up`` all land in one place. JupyterLab
requires a token, listens on 127.0.0.1 only, opens on ``notebooks/`` and
passes MLFLOW_TRACKING_URI to its kernels.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED, generated_dir, workspace
from sandbox.errors import SandboxError
from sandbox.synth.writer import MANIFEST, dataset_name, generate_dataset
from sandbox.tracking import embedded_uri, proc_stat, process_alive, read_state, state_dir, store_dir, tracking_uri

__all__ = ["ensure_default_dataset", "Service", "Sandbox", "ServiceStatus", "preflight", "start", "serve", "stop",
           "status", "DEFAULT_JUPYTER_PORT", "DEFAULT_MLFLOW_PORT"]

HOST = "127.0.0.1"
DEFAULT_JUPYTER_PORT = 8888
DEFAULT_MLFLOW_PORT = 5000
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
TITLES = {"mlflow": "MLflow", "jupyterlab": "JupyterLab"}
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never goes through a proxy


def ensure_default_dataset() -> tuple[Path, bool]:
    """The default dataset's folder, generated first if missing; and whether it was."""
    target = generated_dir() / dataset_name(DEFAULT_PROFILE, DEFAULT_SEED)
    if (target / MANIFEST).is_file():
        return target, False
    return generate_dataset(DEFAULT_PROFILE, DEFAULT_SEED, out=target, force=True), True


# --- processes ---------------------------------------------------------------------------------

def _start_ticks(pid: int) -> str | None:
    stat = proc_stat(pid)
    return stat[19] if stat else None


def _group_alive(pgid: int) -> bool:
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


def _port_free(port: int) -> bool:
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
        self.pid, self.ticks = self._process.pid, _start_ticks(self._process.pid)

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
        ticks = _start_ticks(self.pid)
        if ticks is not None and self.ticks is not None and ticks != self.ticks:
            return False  # the pid belongs to another process now; our group is gone with it
        return self._lingering()

    def _lingering(self) -> bool:
        return self.running() or (self.pid is not None and _group_alive(self.pid))

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
                raise SandboxError(f"{self.title} stopped while starting: {self.tail()} (log: {self.log})")
            try:
                with _LOCAL.open(probe, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SandboxError(f"{self.title} did not answer on port {self.port} in time: {self.tail()} (log: {self.log})")
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


# --- the two servers -----------------------------------------------------------------------------

def _mlflow(port: int) -> Service:
    """MLflow on the workspace store; artifacts as file URIs, so the embedded fallback reads them too."""
    artifacts = store_dir() / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", embedded_uri(),
               "--default-artifact-root", artifacts.as_uri(), "--no-serve-artifacts",
               "--host", HOST, "--port", str(port), "--workers", "1"]
    return Service("mlflow", port, f"http://{HOST}:{port}", state_dir() / "mlflow.log", command,
                   env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}, ready_path="/health")


def _jupyter(port: int, token: str, mlflow_url: str) -> Service:
    """JupyterLab on 127.0.0.1 with a token (passed by environment, not visible in ps), opening notebooks/."""
    root = workspace()
    (root / "notebooks").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.ip={HOST}",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
               "--LabApp.default_url=/lab/tree/notebooks"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers run as root
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), "127.0.0.1,localhost"]))
    env = {"JUPYTER_TOKEN": token, "MLFLOW_TRACKING_URI": mlflow_url, "SANDBOX_HOME": str(root), "NO_PROXY": no_proxy}
    return Service("jupyterlab", port, f"http://{HOST}:{port}/lab/tree/notebooks?token={token}",
                   state_dir() / "jupyter.log", command, env=env, ready_path=f"/api/status?token={token}")


# --- the sandbox: both servers and the state file ----------------------------------------------

@dataclass
class Sandbox:
    """The servers of one workspace, as recorded in ``.sandbox/state.json``."""

    services: dict[str, Service]
    started_at: str = ""
    supervisor: Service | None = None  # the foreground `sandbox up`; None when detached

    def running(self) -> bool:
        return any(s.running() for s in self.services.values())

    def save(self) -> None:
        """Write the state file atomically, readable by the owner only (it holds the token)."""
        path = state_dir() / "state.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".state-{os.getpid()}.tmp")
        data = {"workspace": str(workspace()), "started_at": self.started_at,
                "supervisor": self.supervisor.record() if self.supervisor else None,
                "services": {name: s.record() for name, s in self.services.items()}}
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.replace(tmp, path)

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
        (state_dir() / "state.json").unlink(missing_ok=True)


def preflight(jupyter_port: int, mlflow_port: int) -> None:
    """Fail fast, before anything starts: bad or equal ports, a sandbox already running, a port in use."""
    ports = ((jupyter_port, "--jupyter-port"), (mlflow_port, "--mlflow-port"))
    for port, flag in ports:
        if not 1 <= port <= 65535:
            raise SandboxError(f"{flag} must be between 1 and 65535, got {port}")
    if jupyter_port == mlflow_port:
        raise SandboxError(f"--jupyter-port and --mlflow-port must differ, both are {jupyter_port}")
    current = Sandbox.load()
    if current is not None and current.running():
        jupyter = current.services.get("jupyterlab")
        where = f" (JupyterLab {jupyter.url})" if jupyter else ""
        raise SandboxError(f"the sandbox is already running in {workspace()}{where}; stop it with `sandbox down`")
    if current is not None:
        current.stop()  # stale state of a sandbox that died
    for port, flag in ports:
        if not _port_free(port):
            raise SandboxError(f"port {port} on {HOST} is in use; stop what uses it or choose another with {flag}")


def start(jupyter_port: int = DEFAULT_JUPYTER_PORT, mlflow_port: int = DEFAULT_MLFLOW_PORT,
          detach: bool = False) -> Sandbox:
    """Start MLflow and JupyterLab side by side, wait until both answer, record the state."""
    preflight(jupyter_port, mlflow_port)
    mlflow = _mlflow(mlflow_port)
    jupyter = _jupyter(jupyter_port, secrets.token_hex(24), mlflow.url)
    me = None if detach else Service("supervisor", 0, "", Path(), pid=os.getpid(), ticks=_start_ticks(os.getpid()))
    sandbox = Sandbox({"mlflow": mlflow, "jupyterlab": jupyter}, datetime.now(timezone.utc).isoformat(timespec="seconds"), me)
    try:
        for service in sandbox.services.values():
            service.start()
        sandbox.save()
        deadline = time.monotonic() + READY_TIMEOUT
        for service in sandbox.services.values():
            service.wait_ready(deadline)
    except BaseException:
        sandbox.stop()
        raise
    return sandbox


class _Stop(Exception):
    """SIGTERM or SIGHUP arrived: stop like Ctrl-C."""


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop()


def serve(sandbox: Sandbox) -> None:
    """Block until Ctrl-C, SIGTERM (e.g. from `sandbox down`) or a server dies; then stop both."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            for service in sandbox.services.values():
                if not service.running():
                    raise SandboxError(f"{service.title} stopped unexpectedly: {service.tail()} (log: {service.log}); "
                                       "the sandbox was shut down, start it again with `sandbox up`")
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan servers
        try:
            sandbox.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@dataclass
class ServiceStatus:
    """What `sandbox status` shows of one server."""

    title: str
    running: bool
    url: str = ""
    port: int | None = None
    pid: int | None = None
    log: str = ""


def stop() -> list[ServiceStatus] | None:
    """Stop the workspace's sandbox (foreground or detached; stale state is cleaned); None if there was none."""
    sandbox = Sandbox.load()
    if sandbox is None:
        return None
    before = _statuses(sandbox)
    supervisor = sandbox.supervisor
    if supervisor is not None and supervisor.pid != os.getpid() and supervisor.running():
        os.kill(supervisor.pid or 0, signal.SIGTERM)  # the foreground `sandbox up` stops its servers itself
        end = time.monotonic() + 2 * STOP_TIMEOUT
        while supervisor.running() and time.monotonic() < end:
            time.sleep(0.1)
    sandbox.stop()
    return before


def _statuses(sandbox: Sandbox | None) -> list[ServiceStatus]:
    found = sandbox.services if sandbox else {}
    result = []
    for name in ("jupyterlab", "mlflow"):
        service = found.get(name)
        if service is not None and service.running():
            result.append(ServiceStatus(service.title, True, service.url, service.port, service.pid, str(service.log)))
        else:
            result.append(ServiceStatus(TITLES[name], False, port=service.port if service else None))
    return result


def status() -> tuple[list[ServiceStatus], str]:
    """Each server's status (URL with token, port, pid) and where runs are tracked right now."""
    return _statuses(Sandbox.load()), tracking_uri()
