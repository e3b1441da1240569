"""Participants are isolated on the real engine: own internal network, own MLflow user, own experiment.

Two participants: B logs a run; A (with A's credentials, as injected into A's
container) can neither read nor delete it, nor see B's experiment; A's
container reaches the tracking server but not B's JupyterLab, neither by name
nor by address (the participants' networks are internal: no route leaves
them, on every engine, also where bridge isolation is not enforced such as
Podman 4.3 with netavark 1.4), and nothing outside; the trainer (admin) still
reads both. Passwords never reach the CLI's output.
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.containers import SESSION, free_ports
from tests.support import cli

pytestmark = pytest.mark.containers

NAME = f"{SESSION}-iso{secrets.token_hex(2)}"


def _env(container: Any) -> dict[str, str]:
    return dict(item.split("=", 1) for item in container.attrs["Config"]["Env"] if "=" in item)


def _post(url: str, path: str, user: str, password: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _reach(container: Any, url: str) -> bool:
    """Whether a process in ``container`` gets any HTTP answer from ``url``."""
    code = ("import urllib.request,urllib.error,sys\n"
            f"try: urllib.request.urlopen({url!r}, timeout=5)\n"
            "except urllib.error.HTTPError: sys.exit(0)\n"
            "except Exception: sys.exit(1)\n")
    return container.exec_run(["python3", "-c", code]).exit_code == 0


def test_a_cannot_touch_bs_runs_nor_reach_bs_lab(engine: Any, sandbox_image: str, proxy_image: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    base = free_ports(3, engine)
    sheet = tmp_path / "zugaenge.html"
    code, out, err = cli(capsys, "workshop", "start", "-n", "2", "--name", NAME, "--image", sandbox_image,
                         "--proxy-image", proxy_image, "--port", str(base + 1), "--tracking-port", str(base + 3),
                         "--memory", "1g", "--sheet", str(sheet))
    try:
        assert code == 0, err
        lab_a, lab_b = (engine.containers.get(f"{NAME}-tn0{i}") for i in (1, 2))
        env_a, env_b = _env(lab_a), _env(lab_b)
        assert env_a["MLFLOW_TRACKING_USERNAME"] == "tn01" and len(env_a["MLFLOW_TRACKING_PASSWORD"]) >= 12
        for secret in (env_a["MLFLOW_TRACKING_PASSWORD"], env_b["MLFLOW_TRACKING_PASSWORD"]):
            assert secret not in out + err and secret in sheet.read_text(encoding="utf-8")
        url = f"http://127.0.0.1:{base + 3}"
        status, made = _post(url, "/api/2.0/mlflow/runs/create", "tn02", env_b["MLFLOW_TRACKING_PASSWORD"],
                             {"experiment_id": _experiment_id(url, env_b, f"{NAME}-tn02")})
        assert status == 200
        run = made["run"]["info"]["run_id"]
        a = ("tn01", env_a["MLFLOW_TRACKING_PASSWORD"])
        assert _post(url, "/api/2.0/mlflow/runs/delete", *a, {"run_id": run})[0] == 403
        assert _post(url, "/api/2.0/mlflow/runs/update", *a, {"run_id": run, "status": "KILLED"})[0] == 403
        listed = _post(url, "/api/2.0/mlflow/experiments/search", *a, {"max_results": 50})[1]
        assert [e["name"] for e in listed.get("experiments", [])] == [f"{NAME}-tn01"]
        assert _post(url, "/api/2.0/mlflow/runs/search", *a, {"experiment_ids": [made["run"]["info"]["experiment_id"]]})[1] == {}
        assert _post(url, "/api/2.0/mlflow/runs/create", "tn01", "falsch-falsch-falsch", {"experiment_id": "0"})[0] == 401
        admin = engine.containers.get(f"{NAME}-mlflow")
        found = _post(url, "/api/2.0/mlflow/runs/search", "admin", _env(admin)["MLFLOW_AUTH_ADMIN_PASSWORD"],
                      {"experiment_ids": [made["run"]["info"]["experiment_id"]]})[1]
        assert [r["info"]["run_id"] for r in found["runs"]] == [run]  # the trainer still sees every run
        assert _reach(lab_a, "http://mlflow:5000/health")
        b_addresses = [n["IPAddress"] for n in lab_b.attrs["NetworkSettings"]["Networks"].values()]
        assert len(b_addresses) == 1 and _reach(lab_b, f"http://{b_addresses[0]}:8888/tn02/api")
        assert not _reach(lab_a, f"http://{NAME}-tn02:8888/tn02/api")  # B's name means nothing on A's network
        assert not _reach(lab_a, f"http://{b_addresses[0]}:8888/tn02/api")  # nor B's address: no route leaves A's network
        proxy_public = engine.containers.get(f"{NAME}-proxy").attrs["NetworkSettings"]["Networks"][f"{NAME}-netz"]
        assert not _reach(lab_a, f"http://{proxy_public['Gateway']}:{base + 1}/")  # nor the host beyond it
        assert _env(admin)["MLFLOW_AUTH_ADMIN_PASSWORD"] not in out + err
    finally:
        cli(None, "workshop", "stop", "--name", NAME, "--purge")


def _experiment_id(url: str, env: dict[str, str], name: str) -> str:
    auth = base64.b64encode(f"{env['MLFLOW_TRACKING_USERNAME']}:{env['MLFLOW_TRACKING_PASSWORD']}".encode()).decode()
    request = urllib.request.Request(f"{url}/api/2.0/mlflow/experiments/get-by-name?experiment_name={name}",
                                     headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.loads(answer.read())["experiment"]["experiment_id"])
