"""`sandbox workshop start | status | reset | stop`: participant sandboxes through the Docker API.

``start`` prepares the volumes (original content, one working copy per
participant), starts the workshop's MLflow server (basic auth, one user per
participant, :mod:`sandbox.workshop.accounts`) and every participant's
JupyterLab side by side, each lab on its own network that only the MLflow
server joins, and waits until each answers. ``status`` reads everything back
from the engine (URL with token, state, memory in use). ``reset`` recreates a
participant's container on the original content, old files kept in a dated
backup folder. ``stop`` removes the containers and keeps the volumes unless
``purge``. A failed start removes what it started.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sandbox.errors import SandboxError
from sandbox.workshop import content
from sandbox.workshop.accounts import ADMIN, Account, create_seats, new_password
from sandbox.workshop.engine import (LABEL_PARTICIPANT, LABEL_ROLE, Names, connect, create_network, participant_id,
                                     port_free, published_ports)
from sandbox.workshop.lifecycle import HOST_IP, ContainerSpec, Lifecycle, answers
from sandbox.workshop.participants import (TRACKING_PORT, Facts, Limits, admin_of, facts_of, host_port, lab_url,
                                           participant_spec, status_url, tracking_spec)

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = ["Plan", "Seat", "Started", "start", "status", "reset", "stop", "admin", "READY_TIMEOUT"]

READY_TIMEOUT = 300.0
PARALLEL = 4


@dataclass(frozen=True)
class Plan:
    """What ``workshop start`` was asked for."""

    name: str
    participants: int
    image: str
    content: Path | None = None
    limits: Limits = field(default_factory=Limits)
    port_base: int = 8900
    tracking_port: int = 5050
    bind: str = HOST_IP  # where the participants' ports are published (the tracking server stays on HOST_IP)
    host: str = HOST_IP  # the name or address participants type

    def ports(self) -> list[int]:
        return [self.port_base + i for i in range(1, self.participants + 1)]


@dataclass
class Seat:
    """One participant as status shows it."""

    pid: str
    state: str  # running, exited, created, ... or "fehlt" (volume without container)
    url: str = ""
    token: str = ""
    port: int | None = None
    answers: bool = False
    password: str = ""  # MLflow password (user: pid); only the access sheet shows it
    memory: int | None = None  # bytes in use
    memory_limit: int | None = None


@dataclass
class Started:
    """What ``start`` made."""

    seats: list[Seat]
    tracking_url: str
    kept: list[str]
    seconds: float


def _containers(client: "docker.DockerClient", names: Names, role: str | None = None) -> list["Container"]:
    found = client.containers.list(all=True, filters=names.selector)
    return [c for c in found if role is None or c.labels.get(LABEL_ROLE) == role]


def _check_plan(client: "docker.DockerClient", plan: Plan, names: Names) -> None:
    import docker.errors

    if not 1 <= plan.participants <= 99:
        raise SandboxError(f"--participants muss zwischen 1 und 99 liegen, nicht {plan.participants}")
    running = _containers(client, names)
    if running:
        raise SandboxError(f"Workshop {plan.name!r} läuft schon ({len(running)} Container); "
                           "siehe `sandbox workshop status`, beenden mit `sandbox workshop stop`")
    try:
        client.images.get(plan.image)
    except docker.errors.ImageNotFound:
        raise SandboxError(f"Image {plan.image!r} nicht gefunden; bauen mit `docker build -t {plan.image} .` "
                           "oder mit --image ein anderes wählen") from None
    ports = [plan.tracking_port, *plan.ports()]
    if plan.tracking_port in plan.ports() or max(ports) > 65535:
        raise SandboxError(f"die Ports {plan.port_base + 1}-{max(ports)} und --tracking-port {plan.tracking_port} "
                           "müssen verschieden und höchstens 65535 sein")
    taken = published_ports(client)
    busy = [p for p in ports if p in taken or not port_free(p) or not port_free(p, plan.bind)]
    if busy:
        raise SandboxError(f"Port(s) {', '.join(map(str, busy))} auf {plan.bind} belegt; "
                           "bitte mit --port-base / --tracking-port andere wählen")


def _volume(client: "docker.DockerClient", name: str, labels: dict[str, str], fresh: bool = False) -> bool:
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


def _networks(client: "docker.DockerClient", names: Names, pids: list[str]) -> None:
    """One bridge network per participant (their lab and the tracking server), created where missing."""
    for pid in pids:
        if not client.networks.list(names=[names.network(pid)]):
            create_network(client, names.network(pid), names.labels("netz", pid))


def _join(client: "docker.DockerClient", container: "Container", networks: list[str], alias: str) -> None:
    """Connect the (created) tracking container to further participants' networks under ``alias``."""
    for network in networks:
        client.networks.get(network).connect(container, aliases=[alias])


def _launch(cycles: list[Lifecycle]) -> None:
    """Create and start every container (in parallel)."""
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: (c.create(), c.start()), cycles))


def _wait(cycles: list[Lifecycle], deadline: float) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: c.wait_ready(deadline), cycles))


def _discard(cycles: list[Lifecycle]) -> None:
    """Remove whatever of ``cycles`` was created (after a failed start)."""
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: c.remove() if c.phase.name not in ("DEFINED", "REMOVED") else None, cycles))


def start(plan: Plan, say: Callable[[str], None] = lambda _: None) -> Started:
    """Start the workshop of ``plan``; see the module docstring."""
    started_at = time.monotonic()
    client = connect()
    names = Names(plan.name)
    _check_plan(client, plan, names)
    pids = [participant_id(i) for i in range(1, plan.participants + 1)]
    say(f"Inhalt vorbereiten ({plan.content or 'Inhalte des Images'}) ...")
    _networks(client, names, pids)
    _volume(client, names.original, names.labels("inhalt"), fresh=True)
    content.fill_original(client, plan.image, names.original, names.labels("helfer"), plan.content)
    volumes = {pid: names.participant(pid) for pid in pids}
    for pid, volume in volumes.items():
        _volume(client, volume, names.labels("teilnehmer", pid))
    _volume(client, names.tracking, names.labels("tracking"))
    seeded = content.seed_participants(client, plan.image, names.original, volumes, names.labels("helfer"),
                                       owned={names.tracking: "/mlflow"})
    kept = [pid for pid in pids if pid not in seeded]
    deadline = time.monotonic() + READY_TIMEOUT
    admin_account = Account(ADMIN, new_password())
    tracking = Lifecycle(client, tracking_spec(names, plan.image, plan.tracking_port, admin_account.password, pids[0]))
    facts = [Facts(pid, plan.image, secrets.token_urlsafe(18), port, plan.limits, plan.bind, plan.host,
                   new_password()) for pid, port in zip(pids, plan.ports())]
    cycles = [Lifecycle(client, participant_spec(names, f)) for f in facts]
    say(f"MLflow ({tracking.url}) und {len(cycles)} JupyterLab-Container starten ...")
    try:  # all start side by side; JupyterLab does not need MLflow until a run is logged
        _join(client, tracking.create(), [names.network(pid) for pid in pids[1:]], tracking.spec.aliases[0])
        tracking.start()
        _launch(cycles)
        tracking.wait_ready(deadline)
        create_seats(tracking.url, admin_account, {names.experiment(f.pid): Account(f.pid, f.password) for f in facts})
        _wait(cycles, deadline)
    except BaseException:
        _discard([tracking, *cycles])
        raise
    seats = [Seat(f.pid, "running", lab_url(f.port, f.token, f.host), f.token, f.port, True, f.password)
             for f in facts]
    return Started(seats, tracking.url, kept, time.monotonic() - started_at)


def _memory(container: "Container") -> tuple[int | None, int | None]:
    try:
        stats = container.stats(stream=False)
    except Exception:  # noqa: BLE001 - a container that just died has no stats; status still shows it
        return None, None
    memory = stats.get("memory_stats") or {}
    usage = memory.get("usage")
    cache = (memory.get("stats") or {}).get("inactive_file") or (memory.get("stats") or {}).get("cache") or 0
    return (int(usage) - int(cache) if usage else None), (int(memory["limit"]) if memory.get("limit") else None)


def _seat(container: "Container") -> Seat:
    facts = facts_of(container)
    seat = Seat(facts.pid, container.status, lab_url(facts.port, facts.token, facts.host), facts.token, facts.port,
                password=facts.password)
    if container.status == "running":
        seat.answers = answers(status_url(facts))
        seat.memory, seat.memory_limit = _memory(container)
    return seat


def status(name: str) -> tuple[list[Seat], str | None]:
    """Every participant of workshop ``name`` (also those whose container is gone) and the MLflow URL."""
    client = connect()
    names = Names(name)
    participants = _containers(client, names, "teilnehmer")
    with ThreadPoolExecutor(PARALLEL) as pool:
        seats = {s.pid: s for s in pool.map(_seat, participants)}
    for volume in client.volumes.list(filters=names.selector):
        pid = volume.attrs.get("Labels", {}).get(LABEL_PARTICIPANT)
        if pid and pid not in seats:
            seats[pid] = Seat(pid, "fehlt")
    tracking = _containers(client, names, "tracking")
    url = None
    if tracking and tracking[0].status == "running":
        url = f"http://{HOST_IP}:{host_port(tracking[0], TRACKING_PORT)}"
    return [seats[k] for k in sorted(seats)], url


def reset(name: str, participant: str, say: Callable[[str], None] = lambda _: None) -> tuple[Seat, str]:
    """Recreate a participant's container on the original content; the backup folder's name."""
    client = connect()
    names = Names(name)
    pid = participant_id(participant)
    found = [c for c in _containers(client, names, "teilnehmer") if c.labels.get(LABEL_PARTICIPANT) == pid]
    if not found:
        known = sorted(c.labels.get(LABEL_PARTICIPANT, "") for c in _containers(client, names, "teilnehmer"))
        if not known:
            raise SandboxError(f"Workshop {name!r} läuft nicht; starten mit `sandbox workshop start`")
        raise SandboxError(f"Workshop {name!r} hat keine/n Teilnehmer/in {pid}; Teilnehmende: {', '.join(known)}")
    facts = facts_of(found[0])
    old = Lifecycle.adopt(client, participant_spec(names, facts), found[0])
    say(f"{pid}: Container anhalten ...")
    old.remove()
    backup = dt.datetime.now().strftime("backup-%Y%m%d-%H%M%S")
    say(f"{pid}: Dateien nach {backup}/ verschieben, Originalinhalt wiederherstellen ...")
    content.reset_participant(client, facts.image, names.original, names.participant(pid), backup,
                              names.labels("helfer", pid))
    fresh = Lifecycle(client, participant_spec(names, facts))
    fresh.run(time.monotonic() + READY_TIMEOUT)
    url = lab_url(facts.port, facts.token, facts.host)
    return Seat(pid, "running", url, facts.token, facts.port, True, facts.password), backup


def admin(name: str) -> Account:
    """The admin account of workshop ``name``'s MLflow server (for collect; never printed)."""
    tracking = _containers(connect(), Names(name), "tracking")
    if not tracking:
        raise SandboxError(f"workshop {name!r} has no MLflow server; start it with `sandbox workshop start`")
    return admin_of(tracking[0])


def stop(name: str, purge: bool = False) -> tuple[list[str], list[str]]:
    """Remove the workshop's containers and network (and volumes with ``purge``); what was removed."""
    import docker.errors

    client = connect()
    names = Names(name)
    containers = _containers(client, names)

    def remove(container: "Container") -> str:
        try:
            Lifecycle.adopt(client, ContainerSpec(container.name, image=""), container).remove()
        except docker.errors.NotFound:
            pass
        return container.name

    with ThreadPoolExecutor(PARALLEL) as pool:
        removed = sorted(pool.map(remove, containers))
    for network in client.networks.list(filters=names.selector):
        network.remove()
    volumes: list[str] = []
    if purge:
        for volume in client.volumes.list(filters=names.selector):
            volume.remove(force=True)
            volumes.append(volume.name)
    return removed, sorted(volumes)
