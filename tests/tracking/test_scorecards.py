"""Where scorecards live: their own MLflow experiment, linked to the scored one; older ones among the runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox import tracking
from sandbox.tracking import keys, scorecards
from sandbox.tracking.store import experiment_id
from tests.support import legacy_scorecard


def _scorecard_in(client: Any, experiment_id: str, requested: str) -> str:
    run = client.create_run(experiment_id, tags={keys.KIND: keys.KIND_SCORECARD, keys.EXPERIMENT: requested})
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id


def test_home_is_created_once_and_linked(workspace: Path) -> None:
    client = tracking.client()
    scored = experiment_id(client, "zaehlung")
    home = scorecards.scorecard_home(client, scored)
    assert scorecards.scorecard_home(client, scored) == home  # the same experiment on every call
    found = client.get_experiment(home)
    assert found.name == "Bewertungen · zaehlung" and scorecards.is_scorecard_experiment(found.name, found.tags)
    assert (found.tags[keys.KIND], found.tags[keys.EXPERIMENT], found.tags[keys.SCORED_EXPERIMENT_ID]) == (
        keys.KIND_SCORECARD, "zaehlung", scored)
    assert found.tags[keys.EXPERIMENT_KIND] == keys.EXPERIMENT_KIND_MODEL  # the UI opens its list of runs
    assert not scorecards.is_scorecard_experiment("zaehlung", client.get_experiment(scored).tags)


def test_runs_are_read_from_home_and_from_among_the_runs(workspace: Path) -> None:
    client = tracking.client()
    scored = experiment_id(client, "sitzplatz")
    with tracking.start_run("sitzplatz"):
        pass
    old = legacy_scorecard("sitzplatz", "Alt")
    home = scorecards.scorecard_home(client, scored)
    mine, other = _scorecard_in(client, home, "sitzplatz"), _scorecard_in(client, home, "anderes")
    runs = client.search_runs([scored])
    assert [scorecards.is_scorecard(r) for r in sorted(runs, key=lambda r: r.info.start_time)] == [False, True]
    assert {r.info.run_id for r in scorecards.scorecard_runs(client, scored)} == {old, mine, other}
    # a name that is not the MLflow experiment's own (a workshop seat's requested experiment) narrows by tag
    assert [r.info.run_id for r in scorecards.scorecard_runs(client, scored, "anderes")] == [other]
    assert scorecards.scorecard_runs(client, experiment_id(client, "leer")) == []
