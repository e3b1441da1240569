"""A container's life as one typed sequence: create -> start -> wait until ready -> stop -> remove.

As DockerSpawner does it, every container the workshop runs (a participant's
JupyterLab, the shared MLflow server) goes through the same steps, in order,
each a method of :class:`Lifecycle` that refuses to run out of turn. Waiting
ends when the server answers on its published port, or fails early with the
container's last log lines when it exits. A :class:`ContainerSpec` holds
everything the engine needs, including the isolation every participant gets:
memory, CPU and process limits, all capabilities dropped, no privilege
escalation, a non-root user.
"""

from __future__ import annotations

import enum
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = ["ContainerSpec", "Lifecycle", "Phase", "logs_tail", "answers", "HOST_IP", "ALL_INTERFACES", "probe_address"]

HOST_IP = "127.0.0.1"  # ports are published here unless the trainer opts in (workshop start --host/--bind)
ALL_INTERFACES = "0.0.0.0"


def probe_address(bind: str) -> str:
    """Where this machine checks a port published on ``bind`` (all interfaces: through 127.0.0.1)."""
    return HOST_IP if bind == ALL_INTERFACES else bind
STOP_TIMEOUT = 10


class Phase(enum.IntEnum):
    """Where a container is in its life; each step moves it one phase on."""

    DEFINED = 0
    CREATED = 1
    STARTED = 2
    READY = 3
    STOPPED = 4
    REMOVED = 5


@dataclass
class ContainerSpec:
    """What to create: image, command, environment, labels, ports, volumes, network and limits."""

    name: str
    image: str
    command: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    port: int = 8888  # the container port the server listens on
    host_port: int = 0  # published on ``bind``; 0: not published (a lab on an internal network)
    bind: str = HOST_IP
    ready_path: str = "/"
    probe_url: str = ""  # where this machine probes readiness, if not url + ready_path (e.g. through the proxy)
    volumes: dict[str, str] = field(default_factory=dict)  # volume name -> mount point
    network: str | None = None
    aliases: tuple[str, ...] = ()
    user: str = "1000:1000"
    mem_limit: str | None = None
    nano_cpus: int | None = None
    pids_limit: int | None = None
    hardened: bool = True  # cap_drop ALL and no-new-privileges
    healthcheck: bool = False  # the image's HEALTHCHECK; off by default, wait_ready probes the server itself

    def _published(self) -> int | tuple[str, int]:
        # all interfaces as a bare port: Podman's Docker API does not forward an explicit 0.0.0.0 binding
        return self.host_port if self.bind == ALL_INTERFACES else (self.bind, self.host_port)

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``client.containers.create``."""
        kwargs: dict[str, Any] = {
            "name": self.name, "command": self.command or None, "environment": self.environment,
            "labels": self.labels, "ports": {f"{self.port}/tcp": self._published()} if self.host_port else {},
            "volumes": {vol: {"bind": path, "mode": "rw"} for vol, path in self.volumes.items()},
            "user": self.user, "detach": True,
        }
        if self.network:
            kwargs["network"] = self.network
        if self.mem_limit:
            kwargs["mem_limit"] = self.mem_limit
            kwargs["memswap_limit"] = self.mem_limit  # no swap beyond the limit
        if self.nano_cpus:
            kwargs["nano_cpus"] = self.nano_cpus
        if self.pids_limit:
            kwargs["pids_limit"] = self.pids_limit
        if not self.healthcheck:
            kwargs["healthcheck"] = {"test": ["NONE"]}  # a probe process per container costs CPU when 20 start
        if self.hardened:
            kwargs["cap_drop"] = ["ALL"]
            kwargs["security_opt"] = ["no-new-privileges"]
        return kwargs


def logs_tail(container: "Container", lines: int = 8) -> str:
    """The container's last log lines on one line, for error messages."""
    try:
        text = container.logs(tail=lines).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the container may be gone; the message must still be written
        return "(no logs)"
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "(empty log)"


def _unverified() -> ssl.SSLContext:
    """TLS without verification: readiness probes of the workshop's own proxy (self-signed) on this machine."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def answers(url: str, timeout: float = 3) -> bool:
    """Whether ``url`` answers 200 (one probe; an https URL's certificate is not checked)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout,
                                    context=_unverified() if url.startswith("https:") else None) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Lifecycle:
    """One container taken through create -> start -> wait_ready -> stop -> remove."""

    def __init__(self, client: "docker.DockerClient", spec: ContainerSpec) -> None:
        self.client = client
        self.spec = spec
        self.phase = Phase.DEFINED
        self.container: "Container | None" = None

    @classmethod
    def adopt(cls, client: "docker.DockerClient", spec: ContainerSpec, container: "Container") -> "Lifecycle":
        """Take over an existing container (e.g. one a previous command started) to stop and remove it."""
        cycle = cls(client, spec)
        cycle.container = container
        cycle.phase = Phase.STARTED if container.status in ("running", "restarting", "paused") else Phase.CREATED
        return cycle

    def _step(self, expected: Phase, to: Phase) -> None:
        if self.phase != expected:
            raise RuntimeError(f"{self.spec.name}: cannot go to {to.name} from {self.phase.name}")
        self.phase = to

    def create(self) -> "Container":
        import docker.errors

        self._step(Phase.DEFINED, Phase.CREATED)
        try:
            self.container = self.client.containers.create(self.spec.image, **self.spec.create_kwargs())
        except docker.errors.ImageNotFound:
            raise SandboxError(f"Image {self.spec.image!r} nicht gefunden; bauen mit "
                               f"`docker build -t {self.spec.image} .` oder mit --image ein anderes wählen") from None
        except docker.errors.APIError as exc:
            raise SandboxError(f"Container {self.spec.name} lässt sich nicht anlegen: {exc.explanation or exc}") from None
        if self.spec.network and self.spec.aliases:
            network = self.client.networks.get(self.spec.network)
            network.disconnect(self.container)
            network.connect(self.container, aliases=list(self.spec.aliases))
        return self.container

    def start(self) -> None:
        import docker.errors

        self._step(Phase.CREATED, Phase.STARTED)
        assert self.container is not None
        try:
            self.container.start()
        except docker.errors.APIError as exc:
            raise SandboxError(f"{self.spec.name} lässt sich nicht starten: {exc.explanation or exc}") from None

    @property
    def url(self) -> str:
        return self.spec.probe_url or f"http://{probe_address(self.spec.bind)}:{self.spec.host_port}"

    def ready(self) -> bool:
        """Whether the server answers 200 on its ready path or probe URL (one probe)."""
        return answers(self.spec.probe_url or self.url + self.spec.ready_path)

    def wait_ready(self, deadline: float) -> None:
        """Probe until the server answers; fail with the logs if the container exits or time runs out."""
        self._step(Phase.STARTED, Phase.READY)
        assert self.container is not None
        checks = 0
        while not self.ready():
            checks += 1
            if checks % 5 == 0:
                self.container.reload()
                if self.container.status in ("exited", "dead"):
                    raise SandboxError(f"{self.spec.name} hat sich beim Start beendet: {logs_tail(self.container)}")
            if time.monotonic() > deadline:
                raise SandboxError(f"{self.spec.name} hat unter {self.url} nicht rechtzeitig geantwortet: {logs_tail(self.container)}")
            time.sleep(0.25)

    def stop(self, timeout: int = STOP_TIMEOUT) -> None:
        import docker.errors

        if self.phase not in (Phase.CREATED, Phase.STARTED, Phase.READY):
            raise RuntimeError(f"{self.spec.name}: cannot stop from {self.phase.name}")
        self.phase = Phase.STOPPED
        if self.container is not None:
            try:
                self.container.stop(timeout=timeout)
            except docker.errors.NotFound:
                pass

    def remove(self) -> None:
        import docker.errors

        if self.phase != Phase.STOPPED:
            self.stop()
        self._step(Phase.STOPPED, Phase.REMOVED)
        if self.container is not None:
            try:
                self.container.remove(force=True)
            except docker.errors.NotFound:
                pass

    def run(self, deadline: float) -> None:
        """create, start and wait until ready; on any failure stop and remove again."""
        try:
            self.create()
            self.start()
            self.wait_ready(deadline)
        except BaseException:
            if self.phase != Phase.DEFINED:
                self.remove()
            raise
