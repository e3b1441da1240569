"""The workshop's reverse proxy: every participant under one host name, with TLS, one path each.

Participants' labs sit on internal networks (no route out, no published
port); the proxy is the only way in. It joins every participant's network
and the workshop's own network (where its HTTPS port is published: on
127.0.0.1, or in the room when the trainer names ``--host``), and routes
``/tn01/`` to participant 1's JupyterLab, whose ``ServerApp.base_url`` is
``/tn01/`` (Caddy passes the Host header and upgrades websockets, so kernels
and terminals work). Upstreams are named, not addressed: Caddy resolves the
container name on every connection, so a participant's container recreated
by ``reset`` is found again without touching the proxy.

TLS: the trainer's certificate and key (``--cert``/``--key``, checked here,
copied into the container, never written elsewhere), else a self-signed
certificate the image makes for the host name at start; the access sheet
prints its SHA-256 fingerprint so participants can compare it with the
browser's warning.
"""

from __future__ import annotations

import hashlib
import io
import socket
import ssl
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from sandbox.errors import SandboxError
from sandbox.workshop.engine import Names
from sandbox.workshop.lifecycle import ContainerSpec, probe_address
from sandbox.workshop.proxy_image import CONFIG_DIR, PROXY_UID

if TYPE_CHECKING:
    from docker.models.containers import Container

__all__ = ["Proxy", "TLSFiles", "caddyfile", "proxy_spec", "install", "fingerprint", "read_tls", "PROXY_PORT"]

PROXY_PORT = 8443  # inside the container (unprivileged); published on the trainer's --port
HEALTH = "/healthz"  # answers 200 once Caddy serves
_NOT_FOUND = "Experimentierraum-Workshop: bitte die Adresse vom Zugangsblatt verwenden."


@dataclass(frozen=True)
class Proxy:
    """Where the proxy is published (``bind``:``port``) and the name participants type (``host``)."""

    image: str
    port: int
    bind: str
    host: str

    @property
    def base(self) -> str:
        """The proxy's address as participants type it (``https://host[:port]``)."""
        return f"https://{self.host}{'' if self.port == 443 else f':{self.port}'}"

    def public(self, pid: str) -> str:
        """A participant's base URL as participants type it (``https://host[:port]/tnNN/``)."""
        return f"{self.base}/{pid}/"

    def probe(self, pid: str) -> str:
        """The same through this machine's address of the proxy (for readiness and status)."""
        return f"https://{probe_address(self.bind)}:{self.port}/{pid}/"


@dataclass(frozen=True)
class TLSFiles:
    """The trainer's certificate chain and private key (PEM)."""

    cert: bytes
    key: bytes


def read_tls(cert: Path | None, key: Path | None) -> TLSFiles | None:
    """Read ``--cert``/``--key`` (both or neither); the pair must load as one TLS identity."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise SandboxError("--cert und --key nur zusammen angeben (Zertifikat und privater Schlüssel, PEM)")
    for path in (cert, key):
        if not path.is_file():
            raise SandboxError(f"{path} gibt es nicht; bitte Zertifikat und Schlüssel als PEM-Dateien angeben")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise SandboxError(f"--cert {cert} und --key {key} passen nicht zusammen oder sind kein PEM ({exc})") from None
    return TLSFiles(cert.read_bytes(), key.read_bytes())


def caddyfile(names: Names, pids: Sequence[str], host: str) -> str:
    """Caddy's configuration: TLS on :8443, ``/tnNN/`` to participant NN's lab, everything else 404."""
    routes = "".join(f"\tredir /{pid} /{pid}/ 308\n\thandle /{pid}/* {{\n\t\treverse_proxy {names.participant(pid)}:8888\n"
                     "\t}\n" for pid in pids)
    return ("{\n\tadmin off\n\tauto_https disable_redirects\n\tskip_install_trust\n"
            f"\tdefault_sni {host}\n\tservers {{\n\t\tprotocols h1 h2\n\t}}\n}}\n"
            f":{PROXY_PORT} {{\n\ttls {CONFIG_DIR}/cert.pem {CONFIG_DIR}/key.pem\n{routes}"
            f'\thandle {HEALTH} {{\n\t\trespond "ok" 200\n\t}}\n\thandle {{\n\t\trespond "{_NOT_FOUND}" 404\n\t}}\n}}\n')


def proxy_spec(names: Names, proxy: Proxy) -> ContainerSpec:
    """The proxy container on the workshop's network, its HTTPS port published on ``proxy.bind``."""
    return ContainerSpec(
        name=names.proxy, image=proxy.image, labels=names.labels("proxy"), environment={"PROXY_HOST": proxy.host},
        port=PROXY_PORT, host_port=proxy.port, bind=proxy.bind, probe_url=f"https://{probe_address(proxy.bind)}:"
        f"{proxy.port}{HEALTH}", network=names.public, user=f"{PROXY_UID}:{PROXY_UID}", mem_limit="256m",
        nano_cpus=int(1e9), pids_limit=256)


def _archive(files: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, PROXY_UID, PROXY_UID
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def install(container: "Container", config: str, tls: TLSFiles | None) -> None:
    """Put the Caddyfile (and the trainer's certificate) into the created, not yet started container."""
    files = {"Caddyfile": (config.encode("utf-8"), 0o644)}
    if tls is not None:
        files |= {"cert.pem": (tls.cert, 0o644), "key.pem": (tls.key, 0o600)}
    if not container.put_archive(CONFIG_DIR, _archive(files)):
        raise SandboxError(f"die Konfiguration des Proxys lässt sich nicht in {container.name} ablegen")


def fingerprint(proxy: Proxy) -> str:
    """SHA-256 fingerprint of the certificate the proxy presents (``AB:CD:...``), as browsers show it."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # we read the certificate, trust nothing
    try:
        with socket.create_connection((probe_address(proxy.bind), proxy.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=proxy.host) as tls:
                der = tls.getpeercert(binary_form=True) or b""
    except OSError as exc:
        raise SandboxError(f"der Proxy antwortet nicht auf Port {proxy.port} ({exc}); siehe `sandbox workshop status`") from None
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
