"""Workshop benchmark: image size, time until N JupyterLabs answer through the proxy, idle memory per participant.

Run by hand against a real engine (figures go to README.md, section Container), never as a test:

    DOCKER_HOST=unix:///run/podman/podman.sock .venv/bin/python benchmarks/bench_workshop.py \\
        --image localhost/experimentierraum:ci --proxy-image localhost/sandbox-proxy:bookworm --participants 10
    ... --participants 20

One round runs ``sandbox.workshop.manage.start`` for a throw-away workshop
with everything a real one has (MLflow with a login per participant, an
internal network per participant, the TLS reverse proxy; ready means every
lab answers through the proxy), volumes purged first so every participant
gets a fresh copy, records when
each phase began, then the CPU seconds each container used until then (a
figure other load on the machine does not inflate: N times it, divided by
the cores, is the least wall time N participants can take), waits
``--settle`` seconds and reads each participant's memory in use as the engine
reports it (page cache subtracted where the engine says how much; Podman on
cgroup v1 does not, a few MB) as idle memory, and finally stops and purges
the workshop.
Targets: 20 participants ready within 60 s on 2 cores, under 300 MB each idle.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.workshop import manage  # noqa: E402
from sandbox.workshop.engine import Names, connect  # noqa: E402
from sandbox.workshop.participants import Limits  # noqa: E402
from sandbox.workshop.proxy_image import DEFAULT_IMAGE  # noqa: E402

NAME = "bench-workshop"


def cpu_seconds(container: object) -> float | None:
    stats = container.stats(stream=False)  # type: ignore[attr-defined]
    usage = ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
    return usage / 1e9 if usage else None


def engine_cpu_seconds() -> float | None:
    """CPU seconds of a local Podman API service so far (with runc and other children it reaped), if one runs here."""
    total = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if cmdline[:3] == [b"podman", b"system", b"service"]:
            total = (total or 0.0) + sum(map(int, stat[11:15])) / os.sysconf("SC_CLK_TCK")  # own + reaped children
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="experimentierraum:latest")
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait before reading idle memory")
    parser.add_argument("--proxy-image", default=DEFAULT_IMAGE)
    parser.add_argument("--port", type=int, default=27443, help="the proxy's port (the MLflow server: port + 1)")
    args = parser.parse_args()

    client = connect()
    image = client.images.get(args.image)
    manage.stop(NAME, purge=True)
    phases: list[tuple[float, str]] = []
    engine_before = engine_cpu_seconds()
    started = time.monotonic()
    plan = manage.Plan(NAME, args.participants, args.image, None, Limits(), args.port, args.port + 1,
                       proxy_image=args.proxy_image)
    result = manage.start(plan, say=lambda text: phases.append((time.monotonic() - started, text)))
    ready = time.monotonic() - started
    engine_after = engine_cpu_seconds()
    engine_cpu = engine_after - engine_before if engine_before is not None and engine_after is not None else 0.0
    names = Names(NAME)
    containers = {c.name: c for c in client.containers.list(filters=names.selector)}
    cpu = [cpu_seconds(containers[names.participant(s.pid)]) for s in result.seats]
    tracking_cpu = cpu_seconds(containers[names.tracking])
    proxy_cpu = cpu_seconds(containers[names.proxy])
    time.sleep(args.settle)
    seats, _ = manage.status(NAME)
    answering = sum(s.answers for s in seats)
    memory = [s.memory / 2**20 for s in seats if s.memory]
    shared = {role: manage._memory(containers[name])[0] for role, name in  # noqa: SLF001 - the status reading
              (("MLflow", names.tracking), ("Proxy", names.proxy))}
    manage.stop(NAME, purge=True)

    cores = os.cpu_count() or 1
    per_start = statistics.median([c for c in cpu if c])
    print(f"image {args.image}: {image.attrs['Size'] / 1e6:,.0f} MB")
    for at, text in phases:
        print(f"  {at:6.1f} s  {text}")
    print(f"participants: {args.participants}, all JupyterLabs answering after {ready:.1f} s (load average "
          f"{os.getloadavg()[0]:.1f} on {cores} cores)")
    print(f"CPU until ready: JupyterLab median {per_start:.1f} s each, MLflow {tracking_cpu or 0:.1f} s, "
          f"proxy {proxy_cpu or 0:.1f} s, "
          f"engine (Podman API service) {engine_cpu:.1f} s for all; lower bound for 20 on {cores} cores: "
          f"{(20 * per_start + (tracking_cpu or 0) + engine_cpu * 20 / args.participants) / cores:.0f} s")
    print(f"idle memory after {args.settle:.0f} s: median {statistics.median(memory):.0f} MiB, "
          f"max {max(memory):.0f} MiB per participant ({len(memory)} read, {answering} answering through the proxy); "
          + ", ".join(f"{role} {(value or 0) / 2**20:.0f} MiB" for role, value in shared.items()))


if __name__ == "__main__":
    main()
