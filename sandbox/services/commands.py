"""The command lines of the two servers, JupyterLab and MLflow, built in one place.

``sandbox up`` runs them as local processes on 127.0.0.1
(:mod:`sandbox.services.local`); the image's entrypoint runs them as the
``lab`` and ``tracking`` roles of a container on 0.0.0.0
(:mod:`sandbox.services.entrypoint`). Both take the same options from here,
so a change to how a server starts reaches both. Each runs with this
interpreter (``python -m``), so the servers of the sandbox's environment start,
whatever is first on PATH.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["jupyter_command", "mlflow_command", "environment_path", "lab_environment", "WELCOME", "KERNEL_NAME",
           "LAB_SETTINGS"]


WELCOME = "notebooks/00_Willkommen.ipynb"
#: the kernel every notebook names (``python3``), shown in JupyterLab under the project's name
KERNEL_NAME = "python3"
KERNEL_TITLE = "Experimentierraum (Python {}.{})".format(*sys.version_info[:2])
#: JupyterLab's default settings for the sandbox: German interface, no news, no update check
LAB_SETTINGS = Path(__file__).resolve().parent / "lab"


def jupyter_command(root: Path, host: str, port: int) -> list[str]:
    """JupyterLab on ``host:port`` serving ``root``, opening the welcome notebook; no browser, no other port.

    The token is not on the command line (visible in ``ps``): the caller
    passes it as ``JUPYTER_TOKEN`` in the environment. No news feed and no
    update check: both fetch from the internet, which a municipal network
    blocks, and pop up in English. No CORS for foreign pages: by default
    Jupyter Server echoes any ``Origin`` of a token-authenticated request as
    ``Access-Control-Allow-Origin``; the pattern ``^$`` matches no origin, so
    only JupyterLab's own pages (same origin, which needs no CORS header)
    talk to the server. German interface and no news pop-up come from the
    settings in :data:`LAB_SETTINGS`.
    """
    return [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.ip={host}",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
            f"--LabApp.default_url=/lab/tree/{WELCOME}", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            f"--LabApp.app_settings_dir={LAB_SETTINGS}", "--ServerApp.allow_origin_pat=^$"]


def lab_environment(folder: Path) -> dict[str, str]:
    """The environment JupyterLab needs beside its command: PATH, and the sandbox's kernel spec in ``folder``.

    The kernel spec is written at start, since it names this interpreter:
    ``folder/kernels/python3/kernel.json``, found first through
    ``JUPYTER_PATH``, so every notebook (they all name ``python3``) runs in
    the sandbox's environment under the title "Experimentierraum", with
    ``sandbox`` on the PATH of its shell commands (``!sandbox ...``).
    """
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    kernel = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
              "display_name": KERNEL_TITLE, "language": "python", "env": {"PATH": environment_path()},
              "metadata": {"debugger": True}}
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    paths = [str(folder), os.environ.get("JUPYTER_PATH", "")]
    return {"PATH": environment_path(), "JUPYTER_PATH": os.pathsep.join(filter(None, paths))}


def environment_path() -> str:
    """PATH with this interpreter's ``bin`` first: ``sandbox`` works in JupyterLab's terminals and kernels."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]).rstrip(os.pathsep)


def mlflow_command(backend_store: str, artifacts: str, host: str, port: int, *, serve_artifacts: bool,
                   workers: str = "1", allowed_hosts: str | None = None) -> list[str]:
    """The MLflow tracking server on ``host:port`` with ``backend_store``.

    ``serve_artifacts``: clients send artifacts through the server, which
    keeps them in the folder ``artifacts`` (a container, whose clients cannot
    reach its disk); else clients write to the URI ``artifacts`` themselves
    (local, where the embedded fallback reads the same folder).
    ``allowed_hosts`` names the Host headers the server answers besides its own.
    """
    if serve_artifacts:
        storage = ["--serve-artifacts", "--artifacts-destination", artifacts]
    else:
        storage = ["--default-artifact-root", artifacts, "--no-serve-artifacts"]
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", backend_store, *storage,
               "--host", host, "--port", str(port), "--workers", workers]
    return command + (["--allowed-hosts", allowed_hosts] if allowed_hosts else [])
