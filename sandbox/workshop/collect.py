"""`sandbox workshop collect`: every participant's runs in one comparison report.

Each participant logs into their own MLflow experiment (``<workshop>-tnNN``)
on the workshop's tracking server, whatever experiment name a notebook or
``sandbox experiment run`` uses (:func:`sandbox.tracking.runs.seat_experiment`
redirects every run opened in a participant's container; the requested name
stays as a tag). Collecting asks that server which of
these experiments hold finished runs (as the server's admin: each
participant sees only their own) and hands them to ``sandbox compare``,
one column per participant, so the report (HTML, Markdown or JSON) is the
same the lab uses for any comparison. Participants without a finished run
are named, not silently dropped. ``compare`` sits beside ``workshop`` in the
layers, so the caller hands its entry point in (the CLI passes
``sandbox.compare.compare``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from sandbox.errors import SandboxError
from sandbox.tracking.store import tracking_to
from sandbox.workshop import manage
from sandbox.workshop.engine import Names

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["Collected", "collect"]


@dataclass
class Collected:
    """The written report, who is in it and who has no finished run yet."""

    path: Path | None
    text: str
    included: list[str]
    missing: list[str]
    result: Any


def _has_finished_run(client: "MlflowClient", experiment: str) -> bool:
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return False
    runs = client.search_runs([found.experiment_id], "attributes.status = 'FINISHED'", max_results=1)
    return bool(runs)


Compare = Callable[[Sequence[str], str, str], Any]  # (experiment names, out, format) -> result with .path, .text


def collect(name: str, out: Path | None, fmt: str, compare: Compare) -> Collected:
    """Compare the participants' experiments of workshop ``name`` into ``out`` (default ``<name>-ergebnisse.<fmt>``)."""
    from mlflow.tracking import MlflowClient

    seats, tracking_url = manage.status(name)
    if not seats:
        raise SandboxError(f"Workshop {name!r} läuft nicht; starten mit `sandbox workshop start`")
    if tracking_url is None:
        raise SandboxError(f"der MLflow-Server von Workshop {name!r} läuft nicht; "
                           "`sandbox workshop stop` und `start` holen ihn zurück (die Volumes bleiben)")
    names = Names(name)
    with tracking_to(tracking_url, manage.admin(name)):
        client = MlflowClient(tracking_uri=tracking_url)
        included, missing = [], []
        for seat in seats:
            (included if _has_finished_run(client, names.experiment(seat.pid)) else missing).append(seat.pid)
        if not included:
            raise SandboxError(f"noch niemand im Workshop {name!r} hat einen abgeschlossenen Lauf (Experimente "
                               f"{names.experiment(seats[0].pid)} ...); dort landen die Läufe aus den Notebooks")
        target = str(out) if out is not None else str(Path.cwd() / f"{name}-ergebnisse.{fmt}")
        result = compare([names.experiment(pid) for pid in included], target, fmt)
    return Collected(result.path, result.text, included, missing, result)
