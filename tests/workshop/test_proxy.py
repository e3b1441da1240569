"""A participant reaches their lab from a laptop in the room: through the proxy, by host name, over TLS.

On the real engine: ``workshop start --host workshop.test`` publishes only the
proxy's HTTPS port (on all interfaces: the trainer named a host), the labs
publish nothing. A laptop that resolves ``workshop.test`` to this machine's
address in the room (:mod:`tests.workshop.web`, no /etc/hosts) gets a
certificate for that name whose fingerprint the access sheet prints, its lab
under ``/tn01/`` with its token, a kernel over the websocket, and nothing of
another participant's lab without that participant's token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest

from tests.containers import SESSION, free_ports
from tests.support import cli, unavailable
from tests.workshop.web import Laptop, certificate_of

pytestmark = pytest.mark.containers

NAME = f"{SESSION}-px{secrets.token_hex(2)}"
HOST = "workshop.test"


def _room_address() -> str:
    """This machine's address on its network (where a participant's laptop would connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; the kernel picks the outgoing address
        address = probe.getsockname()[0]
    if address.startswith("127."):
        unavailable("this machine has no network address besides loopback", "CI machines have one")
    return address


def _token(container: Any) -> str:
    return next(e.split("=", 1)[1] for e in container.attrs["Config"]["Env"] if e.startswith("JUPYTER_TOKEN="))


def test_participant_reaches_the_lab_through_the_proxy_by_host_name(
        engine: Any, sandbox_image: str, proxy_image: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    address = _room_address()
    port = free_ports(2, engine) + 1
    sheet = tmp_path / "zugaenge.html"
    code, out, err = cli(capsys, "workshop", "start", "-n", "2", "--name", NAME, "--image", sandbox_image,
                         "--proxy-image", proxy_image, "--port", str(port), "--tracking-port", str(port + 1),
                         "--memory", "1g", "--host", HOST, "--sheet", str(sheet))
    try:
        assert code == 0, err
        lab_a, lab_b = (engine.containers.get(f"{NAME}-tn0{i}") for i in (1, 2))
        proxy = engine.containers.get(f"{NAME}-proxy")
        assert proxy.attrs["HostConfig"]["PortBindings"]["8443/tcp"][0]["HostIp"] in ("0.0.0.0", "")  # opted in
        assert not any((lab_a.attrs["HostConfig"].get("PortBindings") or {}).values())  # the proxy is the only way in
        tracking = engine.containers.get(f"{NAME}-mlflow")
        assert tracking.attrs["HostConfig"]["PortBindings"]["5000/tcp"][0]["HostIp"] == "127.0.0.1"
        token_a, token_b = _token(lab_a), _token(lab_b)
        url = f"https://{HOST}:{port}/tn01/lab?token={token_a}"
        text = sheet.read_text(encoding="utf-8")
        assert f'href="{url}"' in text and url in out

        pem = certificate_of(address, port)
        fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
        shown = re.search(r"<code>([0-9A-F:]{95})</code>", text).group(1)  # type: ignore[union-attr]
        assert shown.replace(":", "") == fingerprint and shown in out
        laptop = Laptop(HOST, port, address, pem)
        with pytest.raises(ssl.SSLCertVerificationError):  # the certificate names the host, not any name
            Laptop("anderer.test", port, address, pem).request("/tn01/api")

        status, _, body = laptop.request(f"/tn01/api/status?token={token_a}")
        assert status == 200 and b"started" in body
        assert laptop.request("/tn01/api/status")[0] == 403
        assert laptop.request(f"/tn02/api/status?token={token_a}")[0] == 403  # A's token opens only A's lab
        assert laptop.request(f"/tn02/api/status?token={token_b}")[0] == 200
        status, headers, _ = laptop.request(f"/tn01/lab?token={token_a}")
        assert status in (200, 302) and "server" in headers
        status, headers, _ = laptop.request("/tn01")
        assert status == 308 and headers["location"].endswith("/tn01/")
        assert laptop.request("/tn07/api")[0] == 404 and laptop.request("/")[0] == 404

        assert laptop.run_in_kernel("/tn01/", token_a, "import os; print(6 * 7, os.environ['USER'])").strip() == "42 tn01"

        code, out, err = cli(capsys, "workshop", "status", "--name", NAME)
        flat = out.replace("\n", "").replace("│", "").replace(" ", "")
        assert code == 0 and f"https://{HOST}:{port}/tn02/lab?token={token_b}" in flat and "jaja" not in flat
    finally:
        cli(None, "workshop", "stop", "--name", NAME, "--purge")
