"""The containers of a workshop: one JupyterLab per participant and the shared MLflow server.

A participant's container is built from few facts (workshop, id, image,
token, port, limits); :func:`participant_spec` turns them into a
:class:`~sandbox.workshop.lifecycle.ContainerSpec`, and :func:`limits_of` /
:func:`facts_of` read them back from a running container, so ``reset`` can
recreate exactly the container ``start`` made: same URL, same token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError
from sandbox.tracking.runs import PARTICIPANT_ENV
from sandbox.workshop.accounts import ADMIN, Account, new_password
from sandbox.workshop.engine import LABEL_PARTICIPANT, Names
from sandbox.workshop.lifecycle import ALL_INTERFACES, HOST_IP, ContainerSpec

if TYPE_CHECKING:
    from docker.models.containers import Container

__all__ = ["Limits", "Facts", "participant_spec", "tracking_spec", "facts_of", "limits_of", "host_port", "lab_url", "status_url",
           "admin_of", "URL_ENV",
           "parse_memory", "parse_cpus", "parse_address",
           "WORKSPACE", "TRACKING_ALIAS", "LAB_PORT", "TRACKING_PORT"]

WORKSPACE = "/home/lab/work"
MLFLOW_HOME = "/home/lab/mlflow"
TRACKING_ALIAS = "mlflow"
LAB_PORT = 8888
TRACKING_PORT = 5000
URL_ENV = "SANDBOX_WORKSHOP_URL"
PROBE_ENV = "SANDBOX_WORKSHOP_PROBE"


_MEMORY = re.compile(r"^(\d+)([kmg])$")
MIN_MEMORY = 256 * 2**20


def parse_memory(value: str) -> str:
    """``2g``, ``768m`` (at least 256m: JupyterLab needs it) in the engine's notation."""
    found = _MEMORY.match(value.strip().lower())
    if not found:
        raise SandboxError(f"--memory muss eine Größe wie 2g oder 768m sein, nicht {value!r}")
    size = int(found.group(1)) * {"k": 2**10, "m": 2**20, "g": 2**30}[found.group(2)]
    if size < MIN_MEMORY:
        raise SandboxError(f"--memory muss mindestens 256m sein (JupyterLab braucht das), nicht {value!r}")
    return f"{found.group(1)}{found.group(2)}"


_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def parse_address(host: str | None, bind: str | None) -> tuple[str, str]:
    """(bind address, host name for URLs) from ``--host`` and ``--bind``.

    Neither: 127.0.0.1 for both (only this machine). ``--host`` alone opens the
    proxy's port on all interfaces (the trainer's opt-in) and prints ``host`` in
    every URL; ``--bind`` alone publishes on that address and names it.
    """
    import ipaddress

    if bind is not None:
        try:
            if ipaddress.ip_address(bind).version != 4:
                raise ValueError
        except ValueError:
            raise SandboxError(f"--bind braucht eine IPv4-Adresse dieses Rechners wie 192.168.1.20 oder 0.0.0.0, "
                               f"nicht {bind!r}") from None
    if host is not None and not _HOST.match(host):
        raise SandboxError(f"--host braucht einen Rechnernamen oder eine IP-Adresse wie labor.local oder "
                           f"192.168.1.20, nicht {host!r}")
    chosen = bind or (ALL_INTERFACES if host else HOST_IP)
    if host is None and chosen == ALL_INTERFACES:
        raise SandboxError("mit --bind 0.0.0.0 auch --host NAME angeben: den Namen oder die Adresse, unter der "
                           "die Teilnehmenden diesen Rechner erreichen")
    return chosen, host or chosen


def parse_cpus(value: str) -> float:
    """A positive number of CPUs such as ``1`` or ``0.5`` (at least 0.1)."""
    try:
        cpus = float(value.replace(",", "."))
    except ValueError:
        raise SandboxError(f"--cpus muss eine Zahl wie 1 oder 0.5 sein, nicht {value!r}") from None
    if not 0.1 <= cpus <= 256:
        raise SandboxError(f"--cpus muss zwischen 0.1 und 256 liegen, nicht {value!r}")
    return cpus


@dataclass(frozen=True)
class Limits:
    """What one participant may use: memory (e.g. ``2g``), CPUs and processes."""

    memory: str = "2g"
    cpus: float = 1.0
    pids: int = 512

    @property
    def nano_cpus(self) -> int:
        return int(round(self.cpus * 1e9))


@dataclass(frozen=True)
class Facts:
    """What identifies a participant's container: enough to create it again."""

    pid: str
    image: str
    token: str
    limits: Limits
    url: str  # the lab's base URL as participants type it, through the proxy (https://host:port/tnNN/)
    probe: str  # the same base URL from this machine (https://127.0.0.1:port/tnNN/)
    password: str = ""  # the participant's MLflow password (user: pid)


def participant_spec(names: Names, facts: Facts) -> ContainerSpec:
    """JupyterLab for one participant under ``/tnNN/``: own token, volume, internal network, MLflow user and limits.

    No port is published: the lab's network is internal, the proxy is the only way in.
    """
    environment = {
        "JUPYTER_TOKEN": facts.token,
        "MLFLOW_TRACKING_URI": f"http://{TRACKING_ALIAS}:{TRACKING_PORT}",
        "MLFLOW_TRACKING_USERNAME": facts.pid, "MLFLOW_TRACKING_PASSWORD": facts.password,
        # with PARTICIPANT_ENV: every run lands in the own experiment, whatever a notebook names
        "MLFLOW_EXPERIMENT_NAME": names.experiment(facts.pid),
        "LOGNAME": facts.pid, "USER": facts.pid,  # MLflow records it as the run's user
        PARTICIPANT_ENV: facts.pid,
        URL_ENV: facts.url, PROBE_ENV: facts.probe,  # read back by facts_of: status and reset show the same URL
    }
    return ContainerSpec(
        name=names.participant(facts.pid), image=facts.image, command=["lab", f"--ServerApp.base_url=/{facts.pid}/"],
        environment=environment, labels=names.labels("teilnehmer", facts.pid), port=LAB_PORT,
        probe_url=facts.probe + "api", volumes={names.participant(facts.pid): WORKSPACE},
        network=names.network(facts.pid), mem_limit=facts.limits.memory, nano_cpus=facts.limits.nano_cpus,
        pids_limit=facts.limits.pids)


def tracking_spec(names: Names, image: str, port: int, admin_password: str) -> ContainerSpec:
    """The workshop's MLflow server with basic auth (SQLite and artifacts in its volume).

    Created on the workshop's network (its port published on 127.0.0.1 for the
    trainer); ``start`` connects it to every participant's network as ``mlflow``.
    """
    hosts = f"{TRACKING_ALIAS},{TRACKING_ALIAS}:*,{names.tracking},{names.tracking}:*"
    environment = {"MLFLOW_ALLOWED_HOSTS": hosts, "MLFLOW_AUTH_ADMIN_PASSWORD": admin_password,
                   "MLFLOW_FLASK_SERVER_SECRET_KEY": new_password()}
    return ContainerSpec(
        name=names.tracking, image=image, command=["tracking"], labels=names.labels("tracking"),
        environment=environment, port=TRACKING_PORT, host_port=port, ready_path="/health",
        volumes={names.tracking: MLFLOW_HOME}, network=names.public,
        mem_limit="2g", nano_cpus=int(1e9), pids_limit=512)


def admin_of(tracking: "Container") -> Account:
    """The admin account of a running tracking container (from its environment; never printed)."""
    return Account(ADMIN, _env(tracking).get("MLFLOW_AUTH_ADMIN_PASSWORD", ""))


def _env(container: "Container") -> dict[str, str]:
    pairs = (item.split("=", 1) for item in container.attrs.get("Config", {}).get("Env") or [] if "=" in item)
    return dict(pairs)


def _binding(container: "Container", port: int) -> dict[str, str]:
    bindings = (container.attrs.get("HostConfig", {}).get("PortBindings") or {}).get(f"{port}/tcp") or []
    for binding in bindings:
        if binding.get("HostPort"):
            return dict(binding)
    raise SandboxError(f"Container {container.name} veröffentlicht keinen Port {port}; bitte den Workshop stoppen und neu starten")


def host_port(container: "Container", port: int) -> int:
    return int(_binding(container, port)["HostPort"])


def limits_of(container: "Container") -> Limits:
    host = container.attrs.get("HostConfig", {})
    memory = int(host.get("Memory") or 0)
    return Limits(memory=f"{memory // (1024 * 1024)}m" if memory else Limits.memory,
                  cpus=(int(host.get("NanoCpus") or 0) / 1e9) or Limits.cpus,
                  pids=int(host.get("PidsLimit") or 0) or Limits.pids)


def facts_of(container: "Container") -> Facts:
    """Read a participant container's facts back from the engine."""
    env = _env(container)
    return Facts(pid=container.labels[LABEL_PARTICIPANT], image=container.attrs["Config"]["Image"],
                 token=env.get("JUPYTER_TOKEN", ""), limits=limits_of(container), url=env.get(URL_ENV, ""),
                 probe=env.get(PROBE_ENV, ""), password=env.get("MLFLOW_TRACKING_PASSWORD", ""))


def lab_url(facts: Facts) -> str:
    """The address a participant opens: through the proxy, token included (the QR code holds it)."""
    return f"{facts.url}lab?token={facts.token}"


def status_url(facts: Facts) -> str:
    """Where this machine asks the participant's JupyterLab, through the proxy, whether it answers."""
    return f"{facts.probe}api/status?token={facts.token}"
