"""The workshop's reverse-proxy image: Debian's Caddy and OpenSSL, nothing else.

One source for every place that builds it: ``.ci/engine.sh`` writes the build
context with ``python -m sandbox.workshop.proxy_image DIR`` and builds it on
the debootstrap base (no registry there); ``workshop start`` builds it through
the Docker API when the image is missing on a trainer's machine
(:func:`ensure`), on ``debian:bookworm-slim``. The image runs as an
unprivileged user; its entrypoint makes a self-signed certificate for
``$PROXY_HOST`` unless the workshop put the trainer's certificate in
:data:`CONFIG_DIR`, then runs Caddy on the Caddyfile the workshop put there.
The image holds no secret.
"""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker

__all__ = ["DEFAULT_IMAGE", "CONFIG_DIR", "PROXY_UID", "context_files", "ensure", "write_context"]

DEFAULT_IMAGE = "localhost/sandbox-proxy:bookworm"
TRAINER_BASE = "debian:bookworm-slim"  # what a trainer's engine pulls; CI passes its debootstrap base
CONFIG_DIR = "/srv/proxy"  # Caddyfile, cert.pem, key.pem
PROXY_UID = 1000

DOCKERFILE = f"""\
# Reverse proxy of a workshop (sandbox.workshop.proxy_image): Debian's Caddy, TLS, one path per participant.
ARG BASE_IMAGE={TRAINER_BASE}
FROM ${{BASE_IMAGE}}
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends caddy openssl >/dev/null \\
 && cp /usr/bin/caddy /usr/local/bin/caddy \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \\
 && mkdir -p {CONFIG_DIR} /var/lib/proxy \\
 && chown {PROXY_UID}:{PROXY_UID} {CONFIG_DIR} /var/lib/proxy
# the copy in /usr/local/bin carries no file capabilities, so it starts with all capabilities dropped
COPY entrypoint.sh /usr/local/bin/proxy-entrypoint
RUN chmod 755 /usr/local/bin/proxy-entrypoint
ENV HOME=/var/lib/proxy XDG_DATA_HOME=/var/lib/proxy XDG_CONFIG_HOME=/var/lib/proxy
USER {PROXY_UID}:{PROXY_UID}
EXPOSE 8443
ENTRYPOINT ["proxy-entrypoint"]
"""

ENTRYPOINT = f"""\
#!/bin/sh
# Self-signed certificate for $PROXY_HOST unless one was provided, then Caddy on the workshop's Caddyfile.
set -eu
dir={CONFIG_DIR}
if [ ! -s "$dir/cert.pem" ]; then
    host="${{PROXY_HOST:-localhost}}"
    case "$host" in
        *[!0-9.]*) san="DNS:$host" ;;
        *) san="IP:$host" ;;
    esac
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host/O=Experimentierraum Workshop" \\
        -addext "subjectAltName=$san,DNS:localhost,IP:127.0.0.1" \\
        -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    echo "self-signed certificate for $host"
fi
exec caddy run --config "$dir/Caddyfile" --adapter caddyfile
"""


def context_files() -> dict[str, tuple[str, int]]:
    """The build context: file name -> (text, mode)."""
    return {"Dockerfile": (DOCKERFILE, 0o644), "entrypoint.sh": (ENTRYPOINT, 0o755)}


def write_context(folder: Path) -> Path:
    """Write the build context into ``folder`` (for ``podman build``/``docker build``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (text, mode) in context_files().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
    return folder


def _context_tar() -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (text, mode) in context_files().items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def ensure(client: "docker.DockerClient", image: str, say: Callable[[str], None] | None = None) -> None:
    """Build ``image`` from :data:`DOCKERFILE` on Debian bookworm when the engine does not have it."""
    import docker.errors

    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    if say is not None:
        say(f"Proxy-Image {image} fehlt; wird aus Debian-Paketen gebaut (einmalig, etwa eine Minute) ...")
    try:
        client.images.build(fileobj=_context_tar(), custom_context=True, tag=image, rm=True, pull=False)
    except (docker.errors.BuildError, docker.errors.APIError) as exc:
        raise SandboxError(f"das Proxy-Image {image} lässt sich nicht bauen ({str(exc)[:200]}); bitte vorab mit "
                           f"Netz bauen: python -m sandbox.workshop.proxy_image ordner && docker build -t {image} "
                           "ordner (docs/WORKSHOP.md)") from None


if __name__ == "__main__":  # python -m sandbox.workshop.proxy_image DIR
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m sandbox.workshop.proxy_image DIR")
    print(write_context(Path(sys.argv[1])))
