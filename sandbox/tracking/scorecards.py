"""Where evaluators' scorecards live in MLflow: apart from the runs they score.

An experiment's runs stay in its own MLflow experiment (``posteingang``); the
scorecards of ``sandbox experiment score`` go to a second one,
``Bewertungen · posteingang`` (:func:`sandbox.tracking.keys.scorecard_experiment`),
so the MLflow UI, run listings and comparisons show runs only. Both sides are
linked by tags: the scorecard experiment and each scorecard run carry
``sandbox.art=bewertung``, ``sandbox.experiment`` (the scored experiment's
name) and ``sandbox.bewertung.experiment_id`` (its MLflow id); each card names
the runs it saw (``sandbox.bewertung.laeufe``).

In a workshop seat every run lands in the participant's own experiment
(:func:`sandbox.tracking.runs.seat_experiment`) with the requested name as the
tag ``sandbox.experiment``; the seat's scorecards then go to
``Bewertungen · <seat experiment>`` with the same tag, and readers pick a
requested experiment's cards by it.

Scorecard runs written before this split sit in the run experiment itself;
:func:`is_scorecard` still recognises them, so run readers keep skipping them,
and :func:`scorecard_runs` still finds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.tracking import keys
from sandbox.tracking.store import experiment_id

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

__all__ = ["is_scorecard", "is_scorecard_experiment", "scorecard_home", "scorecard_runs"]

_MAX_RUNS = 1000


def is_scorecard(run: "Run") -> bool:
    """Whether ``run`` is an evaluator's scorecard (new or one stored among the runs before the split)."""
    return run.data.tags.get(keys.KIND) == keys.KIND_SCORECARD


def is_scorecard_experiment(name: str, tags: dict[str, str] | None = None) -> bool:
    """Whether the MLflow experiment ``name`` (with its ``tags``) holds scorecards, not runs."""
    return name.startswith(keys.SCORECARD_EXPERIMENT_PREFIX) or (tags or {}).get(keys.KIND) == keys.KIND_SCORECARD


def _description(name: str) -> str:
    return (f"Bewertungen (Scorecards) des Experiments **{name}** nach den Kriterien der Vision „Kommune der "
            f"Zukunft“, erfasst mit `sandbox experiment score`. Die bewerteten Läufe liegen im MLflow-Experiment "
            f"**{name}**; jede Bewertung nennt die Läufe, die sie gesehen hat (Tag `{keys.score_tag('laeufe')}`).")


def scorecard_home(client: "MlflowClient", scored_id: str) -> str:
    """The id of the scorecard experiment of the MLflow experiment ``scored_id``, created (and linked) if missing."""
    scored = client.get_experiment(scored_id)
    link = {keys.KIND: keys.KIND_SCORECARD, keys.EXPERIMENT: scored.name, keys.SCORED_EXPERIMENT_ID: str(scored_id)}
    return experiment_id(client, keys.scorecard_experiment(scored.name), _description(scored.name), link)


def _search(client: "MlflowClient", experiment_id_: str) -> list["Run"]:
    return list(client.search_runs([experiment_id_], filter_string=f"tags.`{keys.KIND}` = '{keys.KIND_SCORECARD}'",
                                   max_results=_MAX_RUNS, order_by=["attributes.start_time ASC"]))


def scorecard_runs(client: "MlflowClient", scored_id: str, requested: str | None = None) -> list["Run"]:
    """Every scorecard run of the MLflow experiment ``scored_id``, oldest first.

    Reads the scorecard experiment and, for scorecards stored before the split, the run
    experiment itself. ``requested``: the experiment name the user asked for; when it is not
    the MLflow experiment's own name (a workshop seat), only the cards tagged with it count.
    """
    scored = client.get_experiment(scored_id)
    home: Any = client.get_experiment_by_name(keys.scorecard_experiment(scored.name))
    runs = _search(client, scored_id)
    if home is not None and home.lifecycle_stage == "active":
        runs += _search(client, home.experiment_id)
    if requested is not None and requested != scored.name:
        runs = [r for r in runs if r.data.tags.get(keys.EXPERIMENT) == requested]
    return sorted(runs, key=lambda r: r.info.start_time or 0)
