"""The tracking store a comparison reads: opened only if it exists, its errors as one German line.

Reading must never create an embedded store (a typo in MLFLOW_TRACKING_URI
would otherwise leave an empty database behind), and an MLflow error while
reading becomes a :class:`~sandbox.errors.SandboxError` naming the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from sandbox import tracking
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["guard", "missing_store", "open_store"]

_T = TypeVar("_T")


def guard(call: Callable[[], _T]) -> _T:
    """The result of ``call``; an MLflow error becomes one German line naming the store."""
    from mlflow.exceptions import MlflowException

    try:
        return call()
    except MlflowException as exc:
        first = str(exc.message).strip().splitlines()[0] if str(exc.message).strip() else type(exc).__name__
        raise SandboxError(f"der Tracking-Speicher {tracking.tracking_uri()} antwortete mit einem Fehler: {first}") from None


def missing_store(uri: str) -> Path | None:
    """The SQLite file of ``uri`` if it does not exist yet (reading must not create it)."""
    if not uri.startswith("sqlite:///"):
        return None
    path = Path(uri[len("sqlite:///"):].split("?", 1)[0])
    return None if path.is_file() else path


def open_store() -> "MlflowClient":
    """A client for the tracking store; a missing embedded store or an unreachable server is an error."""
    missing = missing_store(tracking.tracking_uri())
    if missing is not None:
        raise SandboxError(f"noch keine Läufe protokolliert ({missing} gibt es nicht); zuerst ein Experiment ausführen: "
                           "sandbox experiment run NAME")
    return tracking.client()
