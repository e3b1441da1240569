"""The container engine and the names and labels of a workshop's objects.

Every container, volume and network a workshop creates carries the label
``experimentierraum.workshop=<name>`` (and the participant's id where it has
one), so status, reset and stop find them through the engine alone: the
engine is the only record of what runs. Names are derived from the workshop
name, e.g. ``kurs-tn03`` for participant 3's container and volume.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker

__all__ = ["connect", "create_network", "Names", "participant_id", "port_free", "published_ports", "check_name",
           "LABEL_WORKSHOP", "LABEL_PARTICIPANT", "LABEL_ROLE", "DEFAULT_IMAGE"]

LABEL_WORKSHOP = "experimentierraum.workshop"
LABEL_PARTICIPANT = "experimentierraum.teilnehmer"
LABEL_ROLE = "experimentierraum.rolle"
DEFAULT_IMAGE = "experimentierraum:latest"
DOCKER_SOCKET = "/var/run/docker.sock"
PODMAN_SOCKET = "/run/podman/podman.sock"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PARTICIPANT = re.compile(r"^(?:[a-z0-9-]*-tn|tn)?0*(\d{1,3})$")


def connect() -> "docker.DockerClient":
    """A client of the engine at $DOCKER_HOST that has answered a ping.

    Without DOCKER_HOST: Docker's default socket, else Podman's rootful API socket.
    """
    import docker
    import docker.errors

    if not os.environ.get("DOCKER_HOST") and not Path(DOCKER_SOCKET).exists() and Path(PODMAN_SOCKET).exists():
        os.environ["DOCKER_HOST"] = f"unix://{PODMAN_SOCKET}"  # Podman's Docker API, as on the CI machines
    where = os.environ.get("DOCKER_HOST") or f"the default socket {DOCKER_SOCKET}"
    try:
        client = docker.from_env(timeout=180)
        client.ping()
    except docker.errors.DockerException as exc:
        reason = str(exc).splitlines()[0][:200]
        raise SandboxError(f"unter {where} antwortet keine Container-Engine ({reason}); bitte Docker oder den API-Dienst "
                           "von Podman starten und DOCKER_HOST setzen (README, Abschnitt Container)") from None
    return client


def create_network(client: "docker.DockerClient", name: str, labels: dict[str, str], internal: bool = False) -> None:
    """A bridge network whose containers reach no container of another such network.

    ``internal``: no route out of the network at all (no gateway for its
    containers, no published port): a participant's network, whose lab is
    reached only through the proxy and reaches only the proxy and the tracking
    server on the same network. That holds on every engine, also where bridge
    isolation is not enforced. Docker isolates bridge networks from each other
    by itself; Podman (netavark) does so only for networks created with its
    ``isolate`` option, which its Docker API drops, so there the network is
    created through Podman's own API. netavark enforces that option from 1.5
    (Podman 4.4); on older ones (Debian 12's Podman 4.3) ``internal`` is what
    separates participants.
    """
    components = [c.get("Name", "") for c in client.version().get("Components") or []]
    if not any("Podman" in c for c in components):
        client.networks.create(name, driver="bridge", labels=labels, internal=internal)
        return
    answer = client.api.post(f"{client.api.base_url}/v4.0.0/libpod/networks/create",
                             json={"name": name, "driver": "bridge", "labels": labels, "dns_enabled": True,
                                   "internal": internal, "options": {"isolate": "true"}})
    if answer.status_code >= 400:
        raise SandboxError(f"cannot create network {name}: {answer.text[:200]}")


def check_name(name: str) -> str:
    """A workshop name: lowercase letters, digits and dashes, so every derived name is valid."""
    if not _NAME.match(name):
        raise SandboxError(f"--name darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten (höchstens 40), nicht {name!r}")
    return name


def participant_id(value: str | int) -> str:
    """``3``, ``03``, ``tn3``, ``tn03`` or ``kurs-tn03`` -> ``tn03``."""
    found = _PARTICIPANT.match(str(value).strip().lower())
    if not found or int(found.group(1)) < 1:
        raise SandboxError(f"Teilnehmer/in muss eine Nummer wie 3 oder eine Kennung wie tn03 sein, nicht {value!r}")
    return f"tn{int(found.group(1)):02d}"


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def published_ports(client: "docker.DockerClient") -> set[int]:
    """Host ports the engine's containers publish (Podman forwards them without binding a socket)."""
    ports: set[int] = set()
    for container in client.containers.list(all=True, ignore_removed=True):
        for bindings in (container.attrs.get("HostConfig", {}).get("PortBindings") or {}).values():
            ports.update(int(b["HostPort"]) for b in bindings or [] if str(b.get("HostPort", "")).isdigit())
    return ports


@dataclass(frozen=True)
class Names:
    """Names of one workshop's engine objects."""

    workshop: str

    def participant(self, pid: str) -> str:
        return f"{self.workshop}-{pid}"

    @property
    def original(self) -> str:
        return f"{self.workshop}-inhalt"

    @property
    def tracking(self) -> str:
        return f"{self.workshop}-mlflow"

    @property
    def proxy(self) -> str:
        return f"{self.workshop}-proxy"

    @property
    def public(self) -> str:
        """The workshop's own network: proxy and tracking server, where their ports are published."""
        return f"{self.workshop}-netz"

    def network(self, pid: str) -> str:
        """A participant's own internal network: their lab, the tracking server and the proxy, nobody else."""
        return f"{self.workshop}-netz-{pid}"

    def experiment(self, pid: str) -> str:
        return f"{self.workshop}-{pid}"

    def labels(self, role: str, pid: str | None = None) -> dict[str, str]:
        labels = {LABEL_WORKSHOP: self.workshop, LABEL_ROLE: role}
        if pid:
            labels[LABEL_PARTICIPANT] = pid
        return labels

    @property
    def selector(self) -> dict[str, list[str]]:
        """The engine filter for everything of this workshop."""
        return {"label": [f"{LABEL_WORKSHOP}={self.workshop}"]}
