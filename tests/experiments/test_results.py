"""`sandbox experiment list`: every experiment with its latest run and that run's logged criteria."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import experiments
from tests.support import cli


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
