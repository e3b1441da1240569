"""The sandbox's servers: `sandbox up/down/status` on this machine, and the image's entrypoint.

- ``control``: up (preflight, start, serve), down and status of JupyterLab and
  MLflow as local processes, in the workspace's store.
- ``local``: a :class:`Service` (one server process and its life) and the
  :class:`Sandbox` of a workspace, as kept in the state file (:mod:`sandbox.state`).
- ``commands``: the one builder of the JupyterLab and MLflow command lines.
- ``entrypoint``: the container image's roles (``lab``, ``tracking``,
  ``health``), with the same command lines; it imports nothing heavy, so the
  image's health check stays fast.
"""

from __future__ import annotations

from sandbox.services.control import (
    DEFAULT_JUPYTER_PORT,
    DEFAULT_MLFLOW_PORT,
    ServiceStatus,
    ensure_default_dataset,
    preflight,
    serve,
    start,
    status,
    stop,
)
from sandbox.services.local import Sandbox, Service

__all__ = ["ensure_default_dataset", "Service", "Sandbox", "ServiceStatus", "preflight", "start", "serve", "stop",
           "status", "DEFAULT_JUPYTER_PORT", "DEFAULT_MLFLOW_PORT"]
