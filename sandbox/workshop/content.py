"""Workshop content in volumes: one original, one working copy per participant, reset with backup.

The original volume (``<workshop>-inhalt``) holds what every participant
starts with: the image's workspace (profiles, reference data, the default
dataset, templates, examples, notebooks), its ``notebooks/`` replaced by the
trainer's ``--content`` folder when one is given. Each participant's volume
is a fresh copy of it. ``reset`` moves a participant's files into
``backup-YYYYMMDD-HHMMSS/`` inside their volume and copies the original in
again, so nothing a participant wrote is lost.

All file work happens in short-lived helper containers of the workshop image
(root inside, but only the capabilities to copy and chown, no network), so it
works the same on any Docker-API engine, local or remote.
"""

from __future__ import annotations

import io
import shlex
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError
from sandbox.workshop.lifecycle import logs_tail

if TYPE_CHECKING:
    import docker

__all__ = ["fill_original", "seed_participants", "reset_participant", "content_archive", "UPLOAD", "WORK_UID"]

UPLOAD = "/tmp/inhalt-upload"
WORK_UID = "1000:1000"
ORIGINAL_MOUNT = "/inhalt"
HELPER_TIMEOUT = 300


def content_archive(folder: Path) -> bytes:
    """A tar of ``folder``'s files under ``inhalt-upload/`` (for put_archive into ``/tmp``)."""
    if not folder.is_dir():
        raise SandboxError(f"--content {folder} ist kein Ordner; bitte den Ordner der Workshop-Notebooks angeben")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(folder, arcname=Path(UPLOAD).name,
                filter=lambda info: None if Path(info.name).name in (".ipynb_checkpoints", "__pycache__") else info)
    return buffer.getvalue()


def _helper(client: "docker.DockerClient", image: str, script: str, volumes: dict[str, str],
            labels: dict[str, str], upload: bytes | None = None) -> str:
    """Run ``script`` in a throw-away container of ``image`` with ``volumes`` mounted; its output.

    Fails with the container's last log lines when the script does not exit 0.
    """
    import docker.errors

    try:
        helper = client.containers.create(
            image, entrypoint=["/bin/sh", "-c"], command=[script], user="0:0", labels=labels, network_mode="none",
            volumes={name: {"bind": path, "mode": "rw"} for name, path in volumes.items()},
            cap_drop=["ALL"], cap_add=["CHOWN", "DAC_OVERRIDE", "FOWNER"], security_opt=["no-new-privileges"],
            detach=True)
    except docker.errors.ImageNotFound:
        raise SandboxError(f"Image {image!r} nicht gefunden; bauen mit `docker build -t {image} .` "
                           "oder mit --image ein anderes wählen") from None
    try:
        if upload is not None and not helper.put_archive("/tmp", upload):
            raise SandboxError("die Workshop-Inhalte ließen sich nicht in den Hilfscontainer kopieren")
        helper.start()
        outcome = helper.wait(timeout=HELPER_TIMEOUT)
        if outcome.get("StatusCode") != 0:
            raise SandboxError(f"Vorbereiten der Workshop-Volumes fehlgeschlagen: {logs_tail(helper)}")
        return helper.logs().decode("utf-8", "replace")
    finally:
        try:
            helper.remove(force=True)
        except docker.errors.NotFound:
            pass


def fill_original(client: "docker.DockerClient", image: str, volume: str, labels: dict[str, str],
                  content: Path | None) -> None:
    """Fill the original volume: the image's workspace, notebooks/ from ``content`` if given."""
    steps = [f'cp -a "$SANDBOX_APP/workspace/." {ORIGINAL_MOUNT}/']
    if content is not None:
        steps += [f"rm -rf {ORIGINAL_MOUNT}/notebooks", f"cp -a {UPLOAD} {ORIGINAL_MOUNT}/notebooks"]
    steps.append(f"chown -R {WORK_UID} {ORIGINAL_MOUNT}")
    _helper(client, image, " && ".join(steps), {volume: ORIGINAL_MOUNT}, labels,
            content_archive(content) if content is not None else None)


def seed_participants(client: "docker.DockerClient", image: str, original: str, volumes: dict[str, str],
                      labels: dict[str, str], owned: dict[str, str] | None = None) -> list[str]:
    """Copy the original into each participant volume that is still empty; the ids that were.

    ``volumes`` maps participant id to volume name. A volume that already holds
    files (kept from an earlier start) is left as it is. ``owned`` (volume ->
    mount point) are further volumes whose top folder must belong to the
    image's user, such as the MLflow server's.
    """
    extra = owned or {}
    mounts = {original: ORIGINAL_MOUNT, **{vol: f"/tn/{pid}" for pid, vol in volumes.items()}, **extra}
    lines = []
    for pid in volumes:
        target = f"/tn/{pid}"
        lines.append(f'if [ -z "$(ls -A {target})" ]; then cp -a {ORIGINAL_MOUNT}/. {target}/ && echo seeded:{pid}; fi'
                     f" && chown {WORK_UID} {target}")
    lines += [f"chown {WORK_UID} {path}" for path in extra.values()]
    script = " && ".join(lines)
    output = _helper(client, image, script, mounts, labels)
    return [line.split(":", 1)[1] for line in output.split() if line.startswith("seeded:")]


def reset_participant(client: "docker.DockerClient", image: str, original: str, volume: str, backup: str,
                      labels: dict[str, str]) -> None:
    """Move the volume's files (except older backups) into ``backup``, then copy the original in again."""
    target = "/tn/work"
    quoted = shlex.quote(backup)
    script = (f"cd {target} && mkdir -p {quoted} && "
              f"find . -mindepth 1 -maxdepth 1 ! -name 'backup-*' -exec mv -t {quoted} {{}} + && "
              f"cp -a {ORIGINAL_MOUNT}/. {target}/ && chown {WORK_UID} {target} {quoted}")
    _helper(client, image, script, {original: ORIGINAL_MOUNT, volume: target}, labels)
