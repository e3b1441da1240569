"""Fixtures for tests against a real container engine (marker ``containers``).

A plugin (``pytest_plugins`` in tests/conftest.py), so that the workshop,
the compose stack and the PostgreSQL loader share one engine fixture and one
cleanup per session, and the compose tests one running stack (:func:`stack`).

Where no engine answers, these tests are skipped with the reason; under
``CI=true`` they fail instead, because CI provisions the engine
(``.ci/engine.sh``, Podman serving the Docker API). Everything a test starts
is labelled with this session's name (:data:`SESSION`, ``pytest<pid>``: the
workshop's name, the compose project's name) and removed by a session
fixture when the session ends; at its start, the session removes what
sessions that are no longer running left behind (several test sessions may
share one engine). When a test fails, the logs of every container of the
session are printed with its report.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import pytest

from tests.support import unavailable

REPO = Path(__file__).resolve().parents[1]
WORKSHOP_LABEL = "experimentierraum.workshop"
COMPOSE_LABEL = "com.docker.compose.project"
SESSION = f"pytest{os.getpid()}"  # prefix of every workshop, compose project and label value this session makes
_OWNER = re.compile(r"^pytest(\d+)")


def _owner(labels: dict[str, str] | None) -> int | None:
    """The pid of the test session that made an object with these labels, or None if no test made it."""
    labels = labels or {}
    for key in (WORKSHOP_LABEL, COMPOSE_LABEL):
        found = _OWNER.match(labels.get(key, ""))
        if found:
            return int(found.group(1))
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours(labels: dict[str, str] | None) -> bool:
    return _owner(labels) == os.getpid()


def _stale(labels: dict[str, str] | None) -> bool:
    owner = _owner(labels)
    return owner is not None and (owner == os.getpid() or not _alive(owner))


def remove_test_objects(client: Any, which: Callable[[dict[str, str] | None], bool] = _ours) -> None:
    """Remove the containers, networks and volumes ``which`` selects by their labels (default: this session's)."""
    import docker.errors

    for container in client.containers.list(all=True, ignore_removed=True):
        if which(container.labels):
            try:
                container.remove(force=True, v=True)
            except docker.errors.APIError:
                pass
    for network in client.networks.list():
        if which(network.attrs.get("Labels")):
            try:
                network.remove()
            except docker.errors.APIError:
                pass
    for volume in client.volumes.list():
        if which(volume.attrs.get("Labels")):
            try:
                volume.remove(force=True)
            except docker.errors.APIError:
                pass


@pytest.fixture(scope="session")
def engine() -> Iterator[Any]:
    """A docker SDK client of the engine; test objects removed before and after the session."""
    try:
        import docker

        from sandbox.workshop.engine import DOCKER_SOCKET, PODMAN_SOCKET

        if not os.environ.get("DOCKER_HOST") and not Path(DOCKER_SOCKET).exists() and Path(PODMAN_SOCKET).exists():
            os.environ["DOCKER_HOST"] = f"unix://{PODMAN_SOCKET}"  # as sandbox.workshop.engine.connect does
        client = docker.from_env(timeout=300)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the engine means: no engine
        unavailable(f"no container engine: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                    f"(DOCKER_HOST={os.environ.get('DOCKER_HOST', 'unset')})", ".ci/engine.sh provisions it")
    remove_test_objects(client, _stale)  # left by sessions that died; never another running session's
    yield client
    remove_test_objects(client)
    client.close()


@pytest.fixture(scope="session")
def sandbox_image(engine: Any) -> str:
    """The sandbox image: $SANDBOX_TEST_IMAGE (CI builds it), else built now by the project's script.

    With Podman, ``.ci/engine.sh image`` builds it on the debootstrap base (layer
    cache: seconds when only code changed); with Docker, ``docker build`` on the
    official base image.
    """
    given = os.environ.get("SANDBOX_TEST_IMAGE")
    if given:
        engine.images.get(given)
        return given
    tag = "localhost/experimentierraum:test"
    if shutil.which("podman"):
        command = ["bash", str(REPO / ".ci" / "engine.sh"), "image"]
        env = {**os.environ, "SANDBOX_IMAGE": tag}
    else:
        command, env = ["docker", "build", "-t", tag, str(REPO)], dict(os.environ)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=3000)
    if done.returncode != 0:
        pytest.fail(f"building the image failed: {done.stderr[-2000:]}")
    return tag


@pytest.fixture(scope="session")
def postgres_image(engine: Any) -> str:
    """PostgreSQL: $SANDBOX_TEST_POSTGRES_IMAGE, else the locally built one, else the official image."""
    import docker.errors

    given = os.environ.get("SANDBOX_TEST_POSTGRES_IMAGE")
    if given:
        return given
    try:
        engine.images.get("localhost/sandbox-postgres:bookworm")
        return "localhost/sandbox-postgres:bookworm"
    except docker.errors.ImageNotFound:
        return "postgres:16"


def free_ports(count: int, engine: Any) -> int:
    """A random base port such that base+1 .. base+count are free on 127.0.0.1 and published by no container.

    Random, so that concurrent sessions, and port forwards an engine failed to clean up, rarely meet.
    """
    from sandbox.workshop.engine import port_free, published_ports

    taken = published_ports(engine)
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 50000 - count)
        ports = range(base + 1, base + count + 1)
        if not taken.intersection(ports) and all(port_free(p) for p in ports):
            return base
    raise RuntimeError("no free port range")


class Stack:
    """One compose project of docker-compose.yml (with the ``dask`` profile): ports, secrets, compose commands."""

    def __init__(self, project: str, env_file: Path, ports: dict[str, int], secrets_: dict[str, str], engine: Any) -> None:
        self.project, self.env_file, self.ports, self.secrets, self.engine = project, env_file, ports, secrets_, engine

    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        binary = shutil.which("docker-compose")
        command = [binary] if binary else ["docker", "compose"]
        return subprocess.run([*command, "-p", self.project, "-f", str(REPO / "docker-compose.yml"),
                               "--env-file", str(self.env_file), "--profile", "dask", *args],
                              capture_output=True, text=True, timeout=timeout, cwd=REPO,
                              env={**os.environ, "COMPOSE_INTERACTIVE_NO_CLI": "1"})

    def containers(self, service: str) -> list[Any]:
        return self.engine.containers.list(all=True, filters={"label": [f"com.docker.compose.project={self.project}",
                                                                         f"com.docker.compose.service={service}"]})

    def container(self, service: str) -> Any:
        found = self.containers(service)
        assert len(found) == 1, f"{service}: {[c.name for c in found]}"
        return found[0]

    def exec_python(self, service: str, code: str) -> str:
        exit_code, output = self.container(service).exec_run(["python", "-c", code])
        text = output.decode("utf-8", "replace")
        assert exit_code == 0, text
        return text

    def db_url(self, user: str = "experimentierraum", password: str = "POSTGRES_PASSWORD",
               database: str = "experimentierraum") -> str:
        """A URL from the host; ``password`` names the secret (the superuser's by default)."""
        return (f"postgresql://{user}:{quote(self.secrets[password], safe='')}@127.0.0.1:{self.ports['DB_PORT']}/"
                f"{database}")

    def lab_answers(self) -> bool:
        url = f"http://127.0.0.1:{self.ports['JUPYTER_PORT']}/api/status?token={self.secrets['JUPYTER_TOKEN']}"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def up(self) -> None:
        done = self.compose("up", "-d", "--no-build")
        assert done.returncode == 0, done.stderr[-3000:]
        deadline = time.monotonic() + 300
        while not (self.lab_answers() and self.container("data").status == "exited"):
            assert time.monotonic() < deadline, "the stack did not come up: " + self.compose("ps").stdout
            time.sleep(1)
            self.container("data").reload()


@pytest.fixture(scope="session")
def stack(engine: Any, sandbox_image: str, postgres_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """docker-compose.yml with its ``dask`` profile, started once per session on the session's images, with
    secrets (URL-hostile characters included) in a temporary .env file; removed with its volumes at the end."""
    if not shutil.which("docker-compose") and subprocess.run(["docker", "compose", "version"],
                                                              capture_output=True).returncode != 0:
        unavailable("no compose client (docker-compose or docker compose) is installed", ".ci/engine.sh installs it")
    names = ("JUPYTER_PORT", "MLFLOW_PORT", "DB_PORT", "DASK_SCHEDULER_PORT", "DASK_DASHBOARD_PORT")
    base = free_ports(len(names), engine)
    ports = {name: base + 1 + i for i, name in enumerate(names)}
    secrets_ = {"JUPYTER_TOKEN": secrets.token_urlsafe(16), "POSTGRES_PASSWORD": "p@ss:" + secrets.token_hex(4) + "/%",
                "LAB_DB_PASSWORD": "l'ab:" + secrets.token_hex(4) + "/%", "MLFLOW_DB_PASSWORD": 'm"l@' + secrets.token_hex(4)}
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    values = {**secrets_, **{k: str(v) for k, v in ports.items()}, "SANDBOX_IMAGE": sandbox_image,
              "POSTGRES_IMAGE": postgres_image, "DASK_WORKERS": "2"}
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    result = Stack(f"{SESSION}x{secrets.token_hex(3)}", env_file, ports, secrets_, engine)
    try:
        result.up()
        yield result
    finally:
        result.compose("down", "-v", "--remove-orphans")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a failed container test, print the logs of every test container (shown in the report)."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed or "engine" not in request.fixturenames:
        return
    client = request.getfixturevalue("engine")
    for container in client.containers.list(all=True, ignore_removed=True):
        if _ours(container.labels):
            logs = container.logs(tail=60).decode("utf-8", "replace")
            print(f"\n----- logs of {container.name} ({container.status}) -----\n{logs}")
