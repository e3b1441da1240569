"""`sandbox up/down/status`: the real MLflow server and JupyterLab, spoken to over HTTP.

Fixtures stop the servers in `finally` and print their logs when a test fails
(see tests/services/conftest.py for the workspace they run in).
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from sandbox.services import Sandbox, Service
from tests.services.conftest import force_down, http_get, pid_gone, port_free, sandbox_cli, state_of
from tests.support import free_port


# --- bad input and stale state, nothing started --------------------------------------------------

@pytest.mark.parametrize("flag", ["--jupyter-port", "--mlflow-port"])
def test_port_in_use_is_named_with_the_flag_to_change_it(workspace: dict[str, str], flag: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        other = "--mlflow-port" if flag == "--jupyter-port" else "--jupyter-port"
        done = sandbox_cli(workspace, "up", "--detach", flag, str(port), other, str(free_port()))
    assert done.returncode == 2
    assert done.stderr == f"Fehler: Port {port} auf 127.0.0.1 ist belegt; das dort laufende Programm beenden oder mit {flag} einen anderen wählen\n"
    assert state_of(workspace) is None


@pytest.mark.parametrize(("args", "message"), [
    (["--jupyter-port", "5000", "--mlflow-port", "5000"], "--jupyter-port und --mlflow-port müssen verschieden sein, beide sind 5000"),
    (["--mlflow-port", "70000"], "--mlflow-port muss zwischen 1 und 65535 liegen, nicht 70000"),
    (["--jupyter-port", "0"], "--jupyter-port muss mindestens 1 sein, nicht 0"),
    (["--jupyter-port", "achtacht"], "--jupyter-port muss eine ganze Zahl sein, nicht 'achtacht'"),
])
def test_bad_ports_one_line_exit_2(workspace: dict[str, str], args: list[str], message: str) -> None:
    done = sandbox_cli(workspace, "up", "--detach", *args)
    assert (done.returncode, done.stderr) == (2, f"Fehler: {message}\n")


def test_stale_state_shows_inactive_and_down_cleans_it(workspace: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", workspace["SANDBOX_HOME"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    log = Path(workspace["SANDBOX_HOME"]) / ".sandbox" / "x.log"
    Sandbox({name: Service(name, port, f"http://127.0.0.1:{port}", log, pid=gone.pid)
             for name, port in (("mlflow", 5001), ("jupyterlab", 8889))}).save()
    shown = sandbox_cli(workspace, "status")
    assert shown.returncode == 0
    assert "JupyterLab  nicht aktiv" in shown.stdout and "MLflow      nicht aktiv" in shown.stdout
    assert "Tracking:   sqlite:///" in shown.stdout  # a dead server is not where runs go
    done = sandbox_cli(workspace, "down")
    assert done.returncode == 0 and "veralteten Zustand entfernt" in done.stdout
    assert state_of(workspace) is None
    assert "Keine Sandbox aktiv" in sandbox_cli(workspace, "down").stdout


# --- the real servers ------------------------------------------------------------------------------

@pytest.mark.slow
def test_up_prints_both_urls_and_detaches(detached: dict[str, Any]) -> None:
    out, ports, token = detached["up"].stdout, detached["ports"], detached["token"]
    assert f"MLflow:     http://127.0.0.1:{ports['mlflow']}\n" in out
    assert f"JupyterLab: http://127.0.0.1:{ports['jupyter']}/lab/tree/notebooks/00_Willkommen.ipynb?token={token}\n" in out
    assert len(token) >= 32
    assert (Path(detached["env"]["SANDBOX_HOME"]) / ".sandbox" / "state.json").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_mlflow_rest_api_answers(detached: dict[str, Any]) -> None:
    status, body = http_get(f"http://127.0.0.1:{detached['ports']['mlflow']}/api/2.0/mlflow/experiments/search?max_results=10")
    assert status == 200
    assert "Default" in [e["name"] for e in json.loads(body)["experiments"]]


@pytest.mark.slow
def test_jupyterlab_requires_its_token(detached: dict[str, Any]) -> None:
    base, token = f"http://127.0.0.1:{detached['ports']['jupyter']}", detached["token"]
    status, body = http_get(f"{base}/api/status?token={token}")
    assert status == 200 and "started" in json.loads(body)
    assert http_get(f"{base}/api/status")[0] in (401, 403)
    assert http_get(f"{base}/api/status?token=falsch")[0] in (401, 403)
    assert http_get(f"{base}/api/contents/notebooks")[0] in (401, 403)


@pytest.mark.slow
def test_jupyterlab_opens_on_notebooks(detached: dict[str, Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", detached["ports"]["jupyter"], timeout=10)
    connection.request("GET", f"/?token={detached['token']}")
    answer = connection.getresponse()
    assert answer.status == 302 and answer.getheader("Location", "").split("?")[0].endswith("/lab/tree/notebooks/00_Willkommen.ipynb")
    connection.close()


@pytest.mark.slow
def test_status_shows_what_runs_where(detached: dict[str, Any]) -> None:
    shown = sandbox_cli(detached["env"], "status")
    ports, services_ = detached["ports"], detached["state"]["services"]
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    jupyter = next(line for line in lines if line.startswith("JupyterLab"))
    assert f"läuft        http://127.0.0.1:{ports['jupyter']}/lab/tree/notebooks/00_Willkommen.ipynb?token={detached['token']}" in jupyter
    assert f"PID {services_['jupyterlab']['pid']}" in jupyter
    mlflow = next(line for line in lines if line.startswith("MLflow"))
    assert f"http://127.0.0.1:{ports['mlflow']}  (Port {ports['mlflow']}, PID {services_['mlflow']['pid']}" in mlflow
    assert f"Tracking:   http://127.0.0.1:{ports['mlflow']}" in lines


@pytest.mark.slow
def test_second_up_says_it_is_already_running(detached: dict[str, Any]) -> None:
    again = sandbox_cli(detached["env"], "up", "--detach", "--jupyter-port", str(free_port()), "--mlflow-port", str(free_port()))
    assert again.returncode == 2
    assert again.stderr.startswith("Fehler: die Sandbox läuft schon in ") and "sandbox down" in again.stderr


def _execute_in_kernel(base: str, token: str, code: str, timeout: float = 120) -> str:
    """Run code in a fresh kernel of the JupyterLab server (Jupyter messaging over its websocket); stdout."""
    import websocket

    request = urllib.request.Request(f"{base}/api/kernels?token={token}", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    kernel = json.loads(urllib.request.urlopen(request, timeout=60).read())["id"]
    ws = websocket.create_connection(f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels?token={token}",
                                     timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out: list[str] = []
        while True:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError("kernel error: " + "\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)
    finally:
        ws.close()
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{kernel}?token={token}", method="DELETE"), timeout=30)


@pytest.mark.slow
def test_a_notebook_kernel_logs_to_the_sandbox_mlflow(detached: dict[str, Any], musterstadt_path: Path) -> None:
    base, mlflow_url = f"http://127.0.0.1:{detached['ports']['jupyter']}", f"http://127.0.0.1:{detached['ports']['mlflow']}"
    code = ("import os, shutil, sys\n"
            "from sandbox import tracking\n"
            "assert shutil.which('sandbox') == os.path.join(os.path.dirname(sys.executable), 'sandbox')\n"
            "print(os.environ['MLFLOW_TRACKING_URI'])\n"
            "with tracking.start_run('aus-dem-notebook', dataset='musterstadt') as run:\n"
            "    tracking.log_metrics({'antwort': 42})\n"
            "print(run.info.run_id)\n")
    printed = _execute_in_kernel(base, detached["token"], code).split()  # mlflow prints "View run ..." between
    uri, run_id = printed[0], printed[-1]
    assert uri == mlflow_url
    status, body = http_get(f"{mlflow_url}/api/2.0/mlflow/runs/get?run_id={run_id}")
    assert status == 200
    run = json.loads(body)["run"]
    assert {"key": "antwort", "value": 42.0} in [{k: m[k] for k in ("key", "value")} for m in run["data"]["metrics"]]
    manifest = json.loads((musterstadt_path / "manifest.json").read_text())
    assert run["inputs"]["dataset_inputs"][0]["dataset"]["digest"] == manifest["digest"][:16]


@pytest.mark.slow
def test_down_stops_both(detached: dict[str, Any]) -> None:
    env, ports, recorded = detached["env"], detached["ports"], detached["state"]["services"]
    done = sandbox_cli(env, "down", timeout=60)
    assert done.returncode == 0
    assert done.stdout == f"Gestoppt: JupyterLab (Port {ports['jupyter']}), MLflow (Port {ports['mlflow']})\n"
    assert all(pid_gone(record["pid"]) for record in recorded.values())
    assert port_free(ports["jupyter"]) and port_free(ports["mlflow"])
    assert state_of(env) is None
    assert "JupyterLab  nicht aktiv" in sandbox_cli(env, "status").stdout


def _read_until_serving(process: subprocess.Popen[str]) -> str:
    """stdout of a foreground `sandbox up` up to the line that says both servers answer."""
    seen = []
    for line in iter(process.stdout.readline, ""):  # type: ignore[union-attr]
        seen.append(line)
        if line.startswith("Strg+C beendet beide."):
            return "".join(seen)
    raise AssertionError(f"sandbox up ended before serving: {''.join(seen)}{process.stderr.read()}")  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sandbox down"])
def test_foreground_up_stops_both_cleanly(workspace: dict[str, str], how: str) -> None:
    ports = [free_port(), free_port()]
    process = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "up", "--jupyter-port", str(ports[0]),
                                "--mlflow-port", str(ports[1])], env=workspace, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(300, process.kill)  # a hung start fails the test instead of the session
    watchdog.start()
    try:
        shown = _read_until_serving(process)
        state = state_of(workspace)
        assert state is not None and state["supervisor"]["pid"] == process.pid
        token = state["services"]["jupyterlab"]["url"].split("token=")[1]
        assert f"JupyterLab: http://127.0.0.1:{ports[0]}/lab/tree/notebooks/00_Willkommen.ipynb?token={token}" in shown
        assert http_get(f"http://127.0.0.1:{ports[1]}/health")[0] == 200
        assert http_get(f"http://127.0.0.1:{ports[0]}/api/status?token={token}")[0] == 200
        if how == "ctrl-c":
            process.send_signal(signal.SIGINT)
        else:
            assert sandbox_cli(workspace, "down", timeout=90).returncode == 0
        out, err = process.communicate(timeout=90)
        assert process.returncode == 0, err
        assert (out, err) == ("Sandbox gestoppt.\n", "")
        assert all(pid_gone(record["pid"]) for record in state["services"].values())
        assert port_free(ports[0]) and port_free(ports[1]) and state_of(workspace) is None
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        force_down(workspace)
