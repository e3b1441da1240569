"""`sandbox up/down/status`: JupyterLab and an MLflow tracking server as local processes.

MLflow keeps its SQLite database and artifact folder in the workspace
(:func:`sandbox.config.store_dir`), the same store the embedded fallback of
``sandbox.tracking`` writes, so runs from before, during and after
``sandbox up`` all land in one place. JupyterLab requires a token, listens on
127.0.0.1 only, opens on ``notebooks/`` and passes MLFLOW_TRACKING_URI to its
kernels. Everything that can be wrong (ports, a sandbox already running) is
checked before anything starts; a start that fails stops what did start.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED, artifacts_dir, generated_dir, state_dir, workspace
from sandbox.errors import SandboxError
from sandbox.services.commands import WELCOME, jupyter_command, lab_environment, mlflow_command
from sandbox.services.local import HOST, STOP_TIMEOUT, TITLES, Sandbox, Service, port_free
from sandbox.state import start_ticks
from sandbox.tracking import embedded_uri, tracking_uri

__all__ = ["ensure_default_dataset", "ServiceStatus", "preflight", "start", "serve", "stop", "status",
           "DEFAULT_JUPYTER_PORT", "DEFAULT_MLFLOW_PORT"]

DEFAULT_JUPYTER_PORT = 8888
DEFAULT_MLFLOW_PORT = 5000
READY_TIMEOUT = 90.0


def ensure_default_dataset() -> tuple[Path, bool]:
    """The default dataset's folder, generated first if missing; and whether it was."""
    # imported here: the image's entrypoint imports this package and must start without numpy and pandas
    from sandbox.synth.writer import MANIFEST, dataset_name, generate_dataset

    target = generated_dir() / dataset_name(DEFAULT_PROFILE, DEFAULT_SEED)
    if (target / MANIFEST).is_file():
        return target, False
    return generate_dataset(DEFAULT_PROFILE, DEFAULT_SEED, out=target, force=True), True


def _mlflow(port: int) -> Service:
    """MLflow on the workspace store; artifacts as file URIs, so the embedded fallback reads them too."""
    from sandbox.tracking.guard import prepare_store

    artifacts = artifacts_dir()
    artifacts.mkdir(parents=True, exist_ok=True)
    prepare_store(embedded_uri())  # migrated before the server and any notebook use it side by side
    command = mlflow_command(embedded_uri(), artifacts.as_uri(), HOST, port, serve_artifacts=False)
    return Service("mlflow", port, f"http://{HOST}:{port}", state_dir() / "mlflow.log", command,
                   env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}, ready_path="/health")


def _jupyter(port: int, token: str, mlflow_url: str) -> Service:
    """JupyterLab on 127.0.0.1 with a token (passed by environment, not visible in ps), opening notebooks/."""
    root = workspace()
    (root / "notebooks").mkdir(exist_ok=True)
    command = jupyter_command(root, HOST, port)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers run as root
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), "127.0.0.1,localhost"]))
    env = {"JUPYTER_TOKEN": token, "MLFLOW_TRACKING_URI": mlflow_url, "SANDBOX_HOME": str(root), "NO_PROXY": no_proxy,
           **lab_environment(state_dir() / "jupyter")}
    return Service("jupyterlab", port, f"http://{HOST}:{port}/lab/tree/{WELCOME}?token={token}",
                   state_dir() / "jupyter.log", command, env=env, ready_path=f"/api/status?token={token}")


def preflight(jupyter_port: int, mlflow_port: int) -> None:
    """Fail fast, before anything starts: bad or equal ports, a sandbox already running, a port in use."""
    ports = ((jupyter_port, "--jupyter-port"), (mlflow_port, "--mlflow-port"))
    for port, flag in ports:
        if not 1 <= port <= 65535:
            raise SandboxError(f"{flag} muss zwischen 1 und 65535 liegen, nicht {port}")
    if jupyter_port == mlflow_port:
        raise SandboxError(f"--jupyter-port und --mlflow-port müssen verschieden sein, beide sind {jupyter_port}")
    current = Sandbox.load()
    if current is not None and current.running():
        jupyter = current.services.get("jupyterlab")
        where = f" (JupyterLab {jupyter.url})" if jupyter else ""
        raise SandboxError(f"die Sandbox läuft schon in {workspace()}{where}; beenden mit `sandbox down`")
    if current is not None:
        current.stop()  # stale state of a sandbox that died
    for port, flag in ports:
        if not port_free(port):
            raise SandboxError(f"Port {port} auf {HOST} ist belegt; das dort laufende Programm beenden oder mit {flag} einen anderen wählen")


def start(jupyter_port: int = DEFAULT_JUPYTER_PORT, mlflow_port: int = DEFAULT_MLFLOW_PORT,
          detach: bool = False) -> Sandbox:
    """Start MLflow and JupyterLab side by side, wait until both answer, record the state."""
    preflight(jupyter_port, mlflow_port)
    mlflow = _mlflow(mlflow_port)
    jupyter = _jupyter(jupyter_port, secrets.token_hex(24), mlflow.url)
    me = None if detach else Service("supervisor", 0, "", Path(), pid=os.getpid(), ticks=start_ticks(os.getpid()))
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
                    raise SandboxError(f"{service.title} hat sich unerwartet beendet: {service.tail()} (Protokoll: {service.log}); "
                                       "die Sandbox wurde gestoppt, neu starten mit `sandbox up`")
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
