"""The steps of ``workshop start`` on the engine: volumes, networks, joining networks, containers side by side.

:mod:`sandbox.workshop.manage` strings these together; each is small and
idempotent where it can be (a volume or network that exists is kept), so a
start after a ``stop`` finds the participants' work again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from sandbox.workshop.engine import Names, create_network
from sandbox.workshop.lifecycle import Lifecycle

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = ["volume", "networks", "join", "launch", "wait", "discard", "PARALLEL"]

PARALLEL = 4


def volume(client: "docker.DockerClient", name: str, labels: dict[str, str], fresh: bool = False) -> bool:
    """Ensure a labelled volume exists (``fresh``: recreate it empty); whether it was created now."""
    import docker.errors

    try:
        existing = client.volumes.get(name)
    except docker.errors.NotFound:
        existing = None
    if existing is not None and fresh:
        existing.remove(force=True)
        existing = None
    if existing is None:
        client.volumes.create(name, labels=labels)
        return True
    return False


def networks(client: "docker.DockerClient", names: Names, pids: list[str]) -> None:
    """The workshop's network (proxy, tracking) and one internal network per participant, where missing."""
    wanted = [(names.public, names.labels("netz"), False)]
    wanted += [(names.network(pid), names.labels("netz", pid), True) for pid in pids]
    for name, labels, internal in wanted:
        if not client.networks.list(names=[name]):
            create_network(client, name, labels, internal=internal)


def join(client: "docker.DockerClient", container: "Container", networks_: list[str], alias: str | None = None) -> None:
    """Connect a created container to further networks (under ``alias`` where given)."""
    for network in networks_:
        client.networks.get(network).connect(container, aliases=[alias] if alias else None)


def launch(cycles: list[Lifecycle]) -> None:
    """Create and start every container (in parallel)."""
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: (c.create(), c.start()), cycles))


def wait(cycles: list[Lifecycle], deadline: float) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: c.wait_ready(deadline), cycles))


def discard(cycles: list[Lifecycle]) -> None:
    """Remove whatever of ``cycles`` was created (after a failed start)."""
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: c.remove() if c.phase.name not in ("DEFINED", "REMOVED") else None, cycles))
