"""Helpers for `sandbox up/down/status` tests: free ports, HTTP, and the CLI as a subprocess in a fresh workspace.

The servers run in a temporary workspace (profiles linked from the checkout,
the session's generated data via $SANDBOX_DATA) on free ports, so the
checkout's own `.sandbox/` is never touched. The CLI runs as a subprocess
here (not in-process as elsewhere): `sandbox up` detaches, handles signals
and must leave no process behind when its own process ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support import free_port

REPO = Path(__file__).resolve().parents[2]


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def workspace_env(root: Path, data: Path) -> dict[str, str]:
    """Environment for a CLI subprocess in a fresh workspace at root that finds the datasets in data."""
    (root / "synthetic_data").mkdir(parents=True)
    (root / "synthetic_data" / "profiles").symlink_to(REPO / "synthetic_data" / "profiles")
    env = {**os.environ, "SANDBOX_HOME": str(root), "SANDBOX_DATA": str(data)}
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


@pytest.fixture
def workspace(tmp_path: Path, musterstadt_path: Path) -> dict[str, str]:
    return workspace_env(tmp_path / "ws", musterstadt_path.parent)


def sandbox_cli(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sandbox.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def state_of(env: dict[str, str]) -> dict[str, Any] | None:
    path = Path(env["SANDBOX_HOME"]) / ".sandbox" / "state.json"
    return json.loads(path.read_text()) if path.exists() else None


def force_down(env: dict[str, str]) -> None:
    """Stop whatever a test left, even if `sandbox down` itself is broken, and show the logs."""
    state = state_of(env) or {}
    sandbox_cli(env, "down", timeout=60)
    home = Path(env["SANDBOX_HOME"]) / ".sandbox"
    for record in state.get("services", {}).values():
        try:
            os.killpg(record["pid"], signal.SIGKILL)
        except (ProcessLookupError, PermissionError, KeyError):
            pass
    for log in sorted(home.glob("*.log")):
        print(f"--- {log.name} ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:]))


@pytest.fixture(scope="module")
def detached(tmp_path_factory: pytest.TempPathFactory, musterstadt_path: Path) -> Iterator[dict[str, Any]]:
    """`sandbox up --detach` on free ports in a fresh workspace (one per test module); stopped in finally."""
    env = workspace_env(tmp_path_factory.mktemp("up") / "ws", musterstadt_path.parent)
    ports = {"jupyter": free_port(), "mlflow": free_port()}
    try:
        up = sandbox_cli(env, "up", "--detach", "--jupyter-port", str(ports["jupyter"]), "--mlflow-port", str(ports["mlflow"]))
        assert up.returncode == 0, up.stderr
        state = state_of(env)
        assert state is not None
        yield {"env": env, "ports": ports, "up": up, "state": state,
               "token": state["services"]["jupyterlab"]["url"].split("token=")[1]}
    finally:
        force_down(env)
