"""docker-compose.yml, Dockerfile and .env.example: what a municipality's IT deploys.

Static checks of the files (ports on loopback only, no default passwords,
named volumes, health-gated start order, non-root image without secrets) and,
where a compose client is installed, that it accepts the file. Running the
stack is tested against a real engine in tests/workshop/test_stack.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support import unavailable

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
SECRETS = {"JUPYTER_TOKEN": "t", "POSTGRES_PASSWORD": "p", "LAB_DB_PASSWORD": "l", "MLFLOW_DB_PASSWORD": "m"}


def test_compose_specification_without_version_key() -> None:
    assert "version" not in COMPOSE
    assert {"lab", "tracking", "db"} <= set(SERVICES)


def test_ports_are_published_on_loopback_only() -> None:
    published = [port for service in SERVICES.values() for port in service.get("ports", [])]
    assert len([p for s in SERVICES.values() if not s.get("profiles") for p in s.get("ports", [])]) == 3
    assert all(str(port).startswith("127.0.0.1:") for port in published)


def test_no_default_password_or_token() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("POSTGRES_PASSWORD", "JUPYTER_TOKEN", "LAB_DB_PASSWORD", "MLFLOW_DB_PASSWORD"):
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses, secret
        assert all(use.startswith(":?") for use in uses), f"{secret} must be required, never defaulted: {uses}"


def test_state_lives_in_named_volumes() -> None:
    named = set(COMPOSE["volumes"])
    mounts = {name: [v.split(":")[0] for v in SERVICES[name].get("volumes", [])] for name in ("lab", "tracking", "db")}
    assert all(mounts[name] and set(mounts[name]) <= named for name in mounts)


def test_start_order_waits_for_health() -> None:
    assert SERVICES["roles"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("tracking", "data"):  # MLflow's database and the lab role exist before anything uses them
        assert SERVICES[name]["depends_on"]["roles"]["condition"] == "service_completed_successfully"
    assert SERVICES["lab"]["depends_on"]["tracking"]["condition"] == "service_healthy"
    for name in ("db", "tracking", "lab"):
        assert SERVICES[name]["healthcheck"]["test"]
    assert SERVICES["db"]["image"] == "${POSTGRES_IMAGE:-postgres:16}"


def test_every_service_drops_capabilities_and_is_limited() -> None:
    """Least privilege (the real engine's view: tests/test_compose_stack.py): no capabilities but the five the
    PostgreSQL entrypoint needs to hand its data folder to `postgres`, no new privileges, memory and pids limits."""
    for name, service in SERVICES.items():
        assert service["cap_drop"] == ["ALL"], name
        assert service["security_opt"] == ["no-new-privileges:true"], name
        assert service["mem_limit"] and int(service["pids_limit"]) > 0, name
        assert set(service.get("cap_add", [])) <= ({"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"}
                                                   if name == "db" else set()), name


def test_each_service_gets_only_its_own_database_credentials() -> None:
    lab, tracking = SERVICES["lab"]["environment"], SERVICES["tracking"]["environment"]
    assert lab["PGUSER"] == "${LAB_DB_USER:-lab}" and lab["PGPASSWORD"].startswith("${LAB_DB_PASSWORD:?")
    assert not any("POSTGRES_PASSWORD" in str(v) or "MLFLOW_DB_PASSWORD" in str(v) for v in lab.values())
    assert tracking["POSTGRES_USER"] == "${MLFLOW_DB_USER:-mlflow}" and tracking["POSTGRES_DB"] == "${MLFLOW_DB:-mlflow}"
    assert not any("POSTGRES_PASSWORD" in str(v) or "LAB_DB" in str(v) for v in tracking.values())
    for name in ("dask-scheduler", "dask-worker"):
        assert not any("PASSWORD" in str(v) for v in SERVICES[name].get("environment", {}).values()), name
    script = SERVICES["roles"]["command"][0]
    for grant in ("GRANT USAGE ON SCHEMA synth", "GRANT SELECT ON ALL TABLES IN SCHEMA synth",
                  "ALTER DEFAULT PRIVILEGES", "REVOKE ALL ON DATABASE :\"mlflow_db\" FROM PUBLIC", "NOSUPERUSER"):
        assert grant in script, grant


def test_healthcheck_arguments_survive_podman() -> None:
    """Podman splits a CMD healthcheck's arguments on spaces again: only CMD-SHELL may carry them."""
    for name, service in SERVICES.items():
        test = service.get("healthcheck", {}).get("test") or ["NONE"]
        if test[0] == "CMD":
            assert not any(" " in arg for arg in test[1:]), (name, test)


def test_tracking_answers_by_service_name_and_lab_points_there() -> None:
    assert "tracking" in SERVICES["tracking"]["environment"]["MLFLOW_ALLOWED_HOSTS"].split(",")
    assert SERVICES["lab"]["environment"]["MLFLOW_TRACKING_URI"] == "http://tracking:5000"


def test_env_example_lists_every_required_variable_and_env_is_ignored() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    assert required and all(re.search(rf"^{name}=\s*$", example, re.M) for name in required)
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored


def test_dockerfile_non_root_healthcheck_base_argument() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm$", text, re.M)
    assert re.search(r"^FROM \$\{BASE_IMAGE\}$", text, re.M)
    assert re.search(r"^USER lab$", text, re.M) and "HEALTHCHECK" in text
    assert text.index("pip install --quiet -r") < text.index("COPY sandbox")  # dependencies before code
    assert not re.search(r"^(COPY|ADD)\s.*\.(crt|pem)\b", text, re.M | re.I)  # a CA bundle is only mounted
    assert "--mount" not in text  # no BuildKit-only syntax: docker-compose 1.29's classic builder builds it too


def _require_docker_compose() -> None:
    """docker-compose is part of the container engine .ci/engine.sh provisions: skip without it, except in CI."""
    if not shutil.which("docker-compose"):
        unavailable("docker-compose is not installed", "part of the container engine .ci/engine.sh installs")


def test_compose_client_accepts_the_file(tmp_path: Path) -> None:
    """docker-compose 1.29 (Debian) reads the file; the Compose v2 plugin is not packaged here, so the
    file keeps to the Compose Specification both read (no `version:` key, checked above)."""
    _require_docker_compose()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", **SECRETS, "HOME": str(tmp_path)}
    done = subprocess.run(["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "127.0.0.1" in done.stdout


def test_compose_refuses_to_run_without_secrets(tmp_path: Path) -> None:
    _require_docker_compose()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode != 0 and "set POSTGRES_PASSWORD in .env" in done.stderr + done.stdout


def test_dask_profile_runs_single_threaded_workers_on_the_lab_workspace() -> None:
    scheduler, worker = SERVICES["dask-scheduler"], SERVICES["dask-worker"]
    assert scheduler["profiles"] == worker["profiles"] == ["dask"]  # not started by a plain `up`
    assert all(str(port).startswith("127.0.0.1:") for port in scheduler["ports"])
    assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    assert worker["command"][worker["command"].index("--nthreads") + 1] == "1"
    assert "lab-work:/home/lab/work" in worker["volumes"] and "lab-work:/home/lab/work" in SERVICES["lab"]["volumes"]
    assert worker["environment"]["MLFLOW_TRACKING_URI"] == SERVICES["lab"]["environment"]["MLFLOW_TRACKING_URI"]
    assert worker["depends_on"]["dask-scheduler"]["condition"] == "service_healthy"
    # both import the package (the scheduler to read task graphs): the image's profiles and reference data
    assert scheduler["environment"]["SANDBOX_HOME"] == worker["environment"]["SANDBOX_HOME"] == \
        "/opt/experimentierraum/workspace"
    assert worker["environment"]["SANDBOX_DATA"].startswith("/home/lab/work/")  # datasets shared with the lab
    # the lab prints the dashboard at its published loopback port, not at http://dask-scheduler:8787
    assert "127.0.0.1:${DASK_DASHBOARD_PORT:-8787}:8787" in scheduler["ports"]
    assert SERVICES["lab"]["environment"]["DASK_DISTRIBUTED__DASHBOARD__LINK"] == \
        "http://127.0.0.1:${DASK_DASHBOARD_PORT:-8787}/status"


def test_compose_client_accepts_the_dask_profile(tmp_path: Path) -> None:
    _require_docker_compose()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", **SECRETS, "HOME": str(tmp_path)}
    done = subprocess.run(["docker-compose", "-f", str(REPO / "docker-compose.yml"), "--profile", "dask", "config"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "dask-worker" in done.stdout and "127.0.0.1:8786" in done.stdout.replace("published: 8786", "")
