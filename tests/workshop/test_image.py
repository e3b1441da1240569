"""The sandbox image, as built by the project's own script (CI: on the debootstrap base)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from tests.support import unavailable

from tests.containers import SESSION

pytestmark = pytest.mark.containers

LABELS = {"experimentierraum.workshop": f"{SESSION}-image"}


def _run(engine: Any, image: str, command: list[str], **kwargs: Any) -> tuple[int, str]:
    """Run a short-lived container; its exit code and output."""
    container = engine.containers.run(image, command, detach=True, labels=LABELS, **kwargs)
    try:
        code = container.wait(timeout=120)["StatusCode"]
        return code, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True, v=True)


def test_image_runs_as_unprivileged_user(engine: Any, sandbox_image: str) -> None:
    config = engine.images.get(sandbox_image).attrs["Config"]
    assert config["User"] == "lab" and config["Cmd"] == ["lab"]
    assert {"8888/tcp", "5000/tcp"} <= set(config["ExposedPorts"])
    code, out = _run(engine, sandbox_image, ["sh", "-c", "id -u; id -g"])
    assert code == 0 and out.split() == ["1000", "1000"]


def test_healthcheck_turns_healthy_when_jupyterlab_answers(engine: Any, sandbox_image: str) -> None:
    container = engine.containers.run(sandbox_image, detach=True, labels=LABELS, environment={"JUPYTER_TOKEN": "t"})
    try:
        assert container.attrs["Config"]["Healthcheck"]["Test"][-1] == "health"
        deadline = time.monotonic() + 180
        while (state := container.attrs["State"].get("Health", {}).get("Status")) != "healthy":
            assert time.monotonic() < deadline, f"health stayed {state!r}: {container.logs(tail=10).decode()}"
            time.sleep(1)
            container.reload()
    finally:
        container.remove(force=True, v=True)


def test_no_secret_left_in_the_image(engine: Any, sandbox_image: str) -> None:
    env = dict(item.split("=", 1) for item in engine.images.get(sandbox_image).attrs["Config"]["Env"])
    assert not {"PIP_CERT", "JUPYTER_TOKEN", "POSTGRES_PASSWORD"} & set(env)
    code, out = _run(engine, sandbox_image, ["sh", "-c", "echo \"PIP_CERT=[$PIP_CERT]\"; pip config list"])
    assert code == 0 and "PIP_CERT=[]" in out and "cert" not in out.replace("PIP_CERT=[]", "").lower()


def test_ca_bundle_mounted_for_the_build_is_not_kept(engine: Any, sandbox_image: str) -> None:
    """CI mounts the host's CA bundle over the base image's for pip; the image keeps the base's own."""
    import docker.errors

    base = os.environ.get("SANDBOX_BASE_IMAGE", "localhost/sandbox-base:bookworm")
    try:
        engine.images.get(base)
    except docker.errors.ImageNotFound:
        unavailable(f"base image {base} not here (the image was built on the official base)",
                    ".ci/engine.sh builds it under CI")
    command = ["sh", "-c", "sha256sum /etc/ssl/certs/ca-certificates.crt"]
    assert _run(engine, sandbox_image, command, entrypoint=[]) == _run(engine, base, command)


def test_image_holds_the_package_content_and_default_dataset(engine: Any, sandbox_image: str) -> None:
    code, out = _run(engine, sandbox_image, ["sh", "-c", "cd /opt/experimentierraum/workspace && "
                                             "ls notebooks templates synthetic_data/profiles >/dev/null && "
                                             "cat synthetic_data/generated/musterstadt-s42/manifest.json"])
    assert code == 0, out
    manifest = json.loads(out)
    assert manifest["profile"] == "musterstadt" and manifest["seed"] == 42 and "einwohner" in manifest["tables"]
    code, out = _run(engine, sandbox_image, ["python", "-c", "import sandbox, mlflow, jupyterlab, psycopg; print('ok')"])
    assert code == 0 and out.strip().endswith("ok")


def test_lab_refuses_to_start_without_token(engine: Any, sandbox_image: str) -> None:
    code, out = _run(engine, sandbox_image, ["lab"])
    assert code == 2 and "JUPYTER_TOKEN ist nicht gesetzt" in out


def test_built_on_the_requested_base(engine: Any, sandbox_image: str) -> None:
    """CI builds on the debootstrap base (Debian's Python 3.11 in a venv); the default is python:3.11-slim."""
    code, out = _run(engine, sandbox_image, ["sh", "-c", ". /etc/os-release; echo $VERSION_CODENAME; "
                                             "python -c 'import sys; print(sys.version_info[:2], sys.prefix)'"])
    assert code == 0
    assert out.split()[0] == "bookworm" and "(3, 11)" in out and "/opt/venv" in out
