"""Where runs go: the tracking URI, a checked MlflowClient, and experiments created on first use.

Runs go to ``$MLFLOW_TRACKING_URI`` when it is set, else to the MLflow server
of the running sandbox (``sandbox up``, found through :mod:`sandbox.state`),
else to the embedded store: a SQLite database and an artifact folder in
:func:`sandbox.config.store_dir`, so tracking works without any server.
mlflow takes about 2 s to import, so it is imported inside the functions.
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from sandbox.config import artifacts_dir, store_dir
from sandbox.errors import SandboxError
from sandbox.state import process_alive, read_state
from sandbox.tracking import keys

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["embedded_uri", "tracking_uri", "check_reachable", "client", "activate", "usable_uri", "experiment_id",
           "tracking_to"]


def embedded_uri() -> str:
    """The embedded store: ``sqlite:///<workspace>/.sandbox/mlflow/mlflow.db``."""
    return f"sqlite:///{store_dir() / 'mlflow.db'}"


def tracking_uri() -> str:
    """$MLFLOW_TRACKING_URI, else the running sandbox's MLflow server, else the embedded SQLite store."""
    env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if env:
        return env
    server = (read_state() or {}).get("services", {}).get("mlflow", {})
    if server.get("url") and process_alive(server.get("pid"), server.get("ticks")):
        return str(server["url"])
    return embedded_uri()


def check_reachable(uri: str, timeout: float = 5.0) -> None:
    """Raise SandboxError if ``uri`` is an http(s) tracking server that does not answer."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout):
            return
    except urllib.error.HTTPError:
        return  # something answered; MLflow itself reports what is wrong
    except (urllib.error.URLError, OSError):
        pass
    raise SandboxError(f"Tracking-Server {uri} ist nicht erreichbar; starten mit `sandbox up` "
                       "oder MLFLOW_TRACKING_URI entfernen")


def activate(uri: str) -> None:
    """Point mlflow at ``uri`` without pinning it: mlflow also exports it as MLFLOW_TRACKING_URI, which
    would outrank a sandbox started later in this process (a notebook kernel lives long)."""
    import mlflow

    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)


def usable_uri() -> str:
    """:func:`tracking_uri`, checked to answer (a server) or with its folder made (the embedded store)."""
    from sandbox.tracking.guard import prepare_store

    uri = tracking_uri()
    check_reachable(uri)
    if uri == embedded_uri():
        store_dir().mkdir(parents=True, exist_ok=True)
    prepare_store(uri)  # a SQLite store is created and migrated by one process at a time
    return uri


def client() -> "MlflowClient":
    """An MlflowClient for :func:`tracking_uri`, after checking that a server answers."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=usable_uri())


def experiment_id(mlflow_client: "MlflowClient", name: str, description: str | None = None,
                  tags: Mapping[str, str] | None = None) -> str:
    """The id of MLflow experiment ``name``, created if missing (embedded: artifacts beside the database).

    Every experiment is marked as model training (:data:`keys.EXPERIMENT_KIND`),
    so MLflow 3's UI opens it on its list of runs instead of the GenAI view with
    "Traces 0"; an older experiment gets the mark when it is next used.
    ``description`` (Markdown: question and hypothesis) becomes the
    experiment's description in the UI; ``tags`` are further experiment tags (e.g. what a
    scorecard experiment belongs to, :mod:`sandbox.tracking.scorecards`).
    """
    from mlflow.exceptions import MlflowException

    wanted = {keys.EXPERIMENT_KIND: keys.EXPERIMENT_KIND_MODEL}
    if description:
        wanted[keys.NOTE] = description
    wanted |= dict(tags or {})
    found = mlflow_client.get_experiment_by_name(name)
    if found is None:
        location = None
        if mlflow_client.tracking_uri.startswith("sqlite:"):  # embedded: artifacts beside the database
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
            location = (artifacts_dir() / safe).as_uri()
        try:
            return str(mlflow_client.create_experiment(name, artifact_location=location, tags=wanted))
        except MlflowException:  # created meanwhile by a parallel run
            found = mlflow_client.get_experiment_by_name(name)
            if found is None:
                raise
    if found.lifecycle_stage == "deleted":
        raise SandboxError(f"MLflow-Experiment {name!r} ist gelöscht; in der MLflow-Oberfläche wiederherstellen oder einen anderen Namen wählen")
    for key, value in wanted.items():
        if found.tags.get(key) != value:
            mlflow_client.set_experiment_tag(found.experiment_id, key, value)
    return str(found.experiment_id)


_TARGET = threading.Condition()  # MLFLOW_TRACKING_* belong to the whole process, as does mlflow's tracking URI
_target: dict[str, str] | None = None
_users = 0
_saved: dict[str, str | None] = {}


@contextmanager
def tracking_to(uri: str, account: Any = None) -> Iterator[None]:
    """MLFLOW_TRACKING_URI set to ``uri`` for the duration of the block (a workshop's or a sweep's server),
    and with ``account`` (``.user``, ``.password``) MLflow's login for a server with authentication.

    Threads of one process share the setting: blocks with the same target run at once (the runs of one
    sweep on a threaded worker), a block with another target waits until the others have left, and the
    values from before come back when the last block ends.
    """
    global _target, _users
    wanted = {"MLFLOW_TRACKING_URI": uri}
    if account is not None:
        wanted |= {"MLFLOW_TRACKING_USERNAME": account.user, "MLFLOW_TRACKING_PASSWORD": account.password}
    with _TARGET:
        _TARGET.wait_for(lambda: _users == 0 or _target == wanted)
        if _users == 0:
            _saved.clear()
            _saved.update({key: os.environ.get(key) for key in wanted})
            os.environ.update(wanted)
            _target = wanted
        _users += 1
    try:
        yield
    finally:
        with _TARGET:
            _users -= 1
            if _users == 0:
                for key, value in _saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                _target = None
                _TARGET.notify_all()
