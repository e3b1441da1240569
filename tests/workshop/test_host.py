"""`workshop start --host NAME`: participants reach their sandbox from another machine in the room.

On the real engine: the lab port is published on all interfaces only when the
trainer names the host, the access sheet and `status` carry that name, and the
lab answers on the machine's own network address (not just 127.0.0.1).
"""

from __future__ import annotations

import secrets
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.containers import SESSION, free_ports
from tests.support import cli, unavailable

pytestmark = pytest.mark.containers

NAME = f"{SESSION}-host{secrets.token_hex(2)}"


def _room_address() -> str:
    """This machine's address on its network (where a participant's laptop would connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; the kernel picks the outgoing address
        address = probe.getsockname()[0]
    if address.startswith("127."):
        unavailable("this machine has no network address besides loopback", "CI machines have one")
    return address


def test_participants_reach_their_lab_by_the_trainers_host_name(engine: Any, sandbox_image: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    address = _room_address()
    base = free_ports(3, engine)
    sheet = tmp_path / "zugaenge.html"
    code, out, err = cli(capsys, "workshop", "start", "-n", "1", "--name", NAME, "--image", sandbox_image,
                         "--port-base", str(base), "--tracking-port", str(base + 2), "--memory", "1g",
                         "--host", address, "--sheet", str(sheet))
    try:
        assert code == 0, err
        container = engine.containers.get(f"{NAME}-tn01")
        binding = container.attrs["HostConfig"]["PortBindings"]["8888/tcp"][0]
        assert binding["HostIp"] in ("0.0.0.0", "")  # the trainer opted in: all interfaces
        tracking = engine.containers.get(f"{NAME}-mlflow")
        assert tracking.attrs["HostConfig"]["PortBindings"]["5000/tcp"][0]["HostIp"] == "127.0.0.1"
        token = next(e.split("=", 1)[1] for e in container.attrs["Config"]["Env"] if e.startswith("JUPYTER_TOKEN="))
        url = f"http://{address}:{base + 1}/lab?token={token}"
        assert url in sheet.read_text(encoding="utf-8") and url in out
        with urllib.request.urlopen(f"http://{address}:{base + 1}/api/status?token={token}", timeout=20) as answer:
            assert answer.status == 200
        code, out, err = cli(capsys, "workshop", "status", "--name", NAME)
        assert code == 0 and f"{address}:{base + 1}" in out.replace("\n", "").replace("│", "").replace(" ", "")
    finally:
        cli(None, "workshop", "stop", "--name", NAME, "--purge")
