"""`sandbox experiment list`: every experiment with its latest run and that run's logged criteria."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import experiments, tracking
from sandbox.tracking import keys
from tests.support import cli, legacy_scorecard


def test_list_shows_latest_results(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "list")[1].startswith("Noch keine Experimente")
    for name in ("liste-a", "liste-b"):
        assert cli(capsys, "experiment", "new", name, "--template", "probe")[0] == 0
    assert cli(capsys, "experiment", "run", "liste-a", "--seeds", "7")[0] == 0
    rows = {s.experiment.name: s for s in experiments.overview()}
    assert rows["liste-b"].status is None and rows["liste-b"].runs == 0
    a = rows["liste-a"]
    assert (a.status, a.runs, a.seed) == ("FINISHED", 1, "7")
    assert {c.name: c.met for c in a.criteria} == {"einwohner": True, "seed_echo": False} and a.met == 1
    code, out, _ = cli(capsys, "experiment", "list")
    assert code == 0 and "noch nicht ausgeführt" in out and "✗ seed_echo < 3" in out


def test_list_shows_runs_only_whatever_was_scored(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "liste-c", "--template", "probe")[0] == 0
    assert cli(capsys, "experiment", "run", "liste-c", "--seeds", "1")[0] == 0
    before = experiments.overview()[0]
    card = tmp_path / "bewertung.yaml"
    card.write_text(cli(capsys, "experiment", "score", "liste-c", "--print-template")[1], encoding="utf-8")
    assert cli(capsys, "experiment", "score", "liste-c", "--file", str(card))[0] == 0
    legacy_scorecard("liste-c", "Alt Bestand")  # stored among the runs, as before scorecards had their own experiment
    after = experiments.overview()[0]
    assert (after.runs, after.run_id, after.status, after.criteria) == (1, before.run_id, "FINISHED", before.criteria)
    assert tracking.client().get_experiment_by_name(keys.scorecard_experiment("liste-c")) is not None
    code, out, _ = cli(capsys, "experiment", "list")
    assert code == 0 and "liste-c" in out and "Bewertungen" not in out
