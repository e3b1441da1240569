"""`sandbox workshop start | status | reset | stop`: participant sandboxes through the Docker API.

``start`` prepares the volumes (original content, one working copy per
participant), starts the workshop's MLflow server (basic auth, one user per
participant, :mod:`sandbox.workshop.accounts`), the reverse proxy
(:mod:`sandbox.workshop.proxy`: one host name, TLS, ``/tnNN/`` per
participant) and every participant's JupyterLab side by side, each lab on its
own internal network that only the MLflow server and the proxy join, and
waits until each answers through the proxy. ``status`` reads everything back
from the engine (URL with token, state, memory in use). ``reset`` recreates a
participant's container on the original content, old files kept in a dated
backup folder. ``stop`` removes the containers and networks and keeps the
volumes unless ``purge``. A failed start removes what it started.
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
from sandbox.workshop import content, proxy_image, steps
from sandbox.workshop.accounts import ADMIN, Account, create_seats, new_password
from sandbox.workshop.engine import LABEL_PARTICIPANT, LABEL_ROLE, Names, connect, participant_id, port_free, published_ports
from sandbox.workshop.lifecycle import HOST_IP, ContainerSpec, Lifecycle, answers
from sandbox.workshop.participants import (TRACKING_ALIAS, TRACKING_PORT, Facts, Limits, admin_of, facts_of, host_port,
                                           lab_url, participant_spec, status_url, tracking_spec)
from sandbox.workshop.proxy import Proxy, TLSFiles, caddyfile, fingerprint, install, proxy_spec

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = ["Plan", "Seat", "Started", "start", "status", "reset", "stop", "admin", "READY_TIMEOUT"]

READY_TIMEOUT = 300.0
PARALLEL = steps.PARALLEL


@dataclass(frozen=True)
class Plan:
    """What ``workshop start`` was asked for."""

    name: str
    participants: int
    image: str
    content: Path | None = None
    limits: Limits = field(default_factory=Limits)
    port: int = 8443  # the proxy's HTTPS port, for every participant
    tracking_port: int = 5050
    bind: str = HOST_IP  # where the proxy's port is published (the tracking server stays on HOST_IP)
    host: str = HOST_IP  # the name or address participants type
    proxy_image: str = proxy_image.DEFAULT_IMAGE
    tls: TLSFiles | None = None  # the trainer's certificate; None: self-signed

    @property
    def proxy(self) -> Proxy:
        return Proxy(self.proxy_image, self.port, self.bind, self.host)


@dataclass
class Seat:
    """One participant as status shows it."""

    pid: str
    state: str  # running, exited, created, ... or "fehlt" (volume without container)
    url: str = ""
    token: str = ""
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
    fingerprint: str = ""  # SHA-256 of the proxy's certificate


def _containers(client: "docker.DockerClient", names: Names, role: str | None = None) -> list["Container"]:
    found = client.containers.list(all=True, filters=names.selector)
    return [c for c in found if role is None or c.labels.get(LABEL_ROLE) == role]


def _check_plan(client: "docker.DockerClient", plan: Plan, names: Names, say: Callable[[str], None]) -> None:
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
    if plan.port == plan.tracking_port or max(plan.port, plan.tracking_port) > 65535:
        raise SandboxError(f"--port {plan.port} und --tracking-port {plan.tracking_port} müssen verschieden und "
                           "höchstens 65535 sein")
    taken = published_ports(client)
    busy = [f"{p} auf {a}" for p, a in ((plan.tracking_port, HOST_IP), (plan.port, plan.bind))
            if p in taken or not port_free(p) or not port_free(p, a)]
    if busy:
        raise SandboxError(f"Port {', '.join(busy)} belegt; bitte mit --port / --tracking-port andere wählen")
    proxy_image.ensure(client, plan.proxy_image, say)


def _prepare(client: "docker.DockerClient", plan: Plan, names: Names, pids: list[str]) -> list[str]:
    """Networks and volumes (original content, participants' copies); the participants whose work was kept."""
    steps.networks(client, names, pids)
    steps.volume(client, names.original, names.labels("inhalt"), fresh=True)
    content.fill_original(client, plan.image, names.original, names.labels("helfer"), plan.content)
    volumes = {pid: names.participant(pid) for pid in pids}
    for pid, volume in volumes.items():
        steps.volume(client, volume, names.labels("teilnehmer", pid))
    steps.volume(client, names.tracking, names.labels("tracking"))
    seeded = content.seed_participants(client, plan.image, names.original, volumes, names.labels("helfer"),
                                       owned={names.tracking: "/mlflow"})
    return [pid for pid in pids if pid not in seeded]


def start(plan: Plan, say: Callable[[str], None] = lambda _: None) -> Started:
    """Start the workshop of ``plan``; see the module docstring."""
    started_at = time.monotonic()
    client = connect()
    names = Names(plan.name)
    _check_plan(client, plan, names, say)
    pids = [participant_id(i) for i in range(1, plan.participants + 1)]
    say(f"Inhalt vorbereiten ({plan.content or 'Inhalte des Images'}) ...")
    kept = _prepare(client, plan, names, pids)
    deadline = time.monotonic() + READY_TIMEOUT
    admin_account = Account(ADMIN, new_password())
    tracking = Lifecycle(client, tracking_spec(names, plan.image, plan.tracking_port, admin_account.password))
    gate = Lifecycle(client, proxy_spec(names, plan.proxy))
    facts = [Facts(pid, plan.image, secrets.token_urlsafe(18), plan.limits, plan.proxy.public(pid),
                   plan.proxy.probe(pid), new_password()) for pid in pids]
    cycles = [Lifecycle(client, participant_spec(names, f)) for f in facts]
    say(f"MLflow ({tracking.url}), Proxy ({plan.proxy.base}) und {len(cycles)} JupyterLab-Container starten ...")
    networks = [names.network(pid) for pid in pids]
    try:  # all start side by side; JupyterLab does not need MLflow until a run is logged
        steps.join(client, tracking.create(), networks, TRACKING_ALIAS)
        tracking.start()
        proxy_container = gate.create()
        steps.join(client, proxy_container, networks)
        install(proxy_container, caddyfile(names, pids, plan.host), plan.tls)
        gate.start()
        steps.launch(cycles)
        tracking.wait_ready(deadline)
        create_seats(tracking.url, admin_account, {names.experiment(f.pid): Account(f.pid, f.password) for f in facts})
        gate.wait_ready(deadline)
        steps.wait(cycles, deadline)
        certificate = fingerprint(plan.proxy)
    except BaseException:
        steps.discard([tracking, gate, *cycles])
        raise
    seats = [Seat(f.pid, "running", lab_url(f), f.token, True, f.password) for f in facts]
    return Started(seats, tracking.url, kept, time.monotonic() - started_at, certificate)


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
    seat = Seat(facts.pid, container.status, lab_url(facts), facts.token, password=facts.password)
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
    return Seat(pid, "running", lab_url(facts), facts.token, True, facts.password), backup


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
