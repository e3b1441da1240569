"""`sandbox experiment new`: an experiment folder from a template, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox import experiments
from tests.experiments.conftest import tree
from tests.support import cli


def test_new_creates_experiment_from_template(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "experiment", "new", "zaehlung", "--template", "probe")
    assert code == 0 and "zaehlung" in out
    folder = home / "experiments" / "zaehlung"
    assert tree(folder) == ["README.md", "experiment.yaml", "hilfstabelle.csv", "notebook.ipynb"]
    spec = yaml.safe_load((folder / "experiment.yaml").read_text(encoding="utf-8"))
    assert spec["vorlage"] == "probe" and spec["datensatz"] == "musterstadt"
    assert spec["fragestellung"] == "Zählt das Notebook die Einwohner richtig?"
    assert spec["hypothese"] == "Es sind mehr als tausend." and spec["team"]
    assert spec["parameter"] == {"seed": 42, "faktor": 1.5, "fehler": False, "modus": "a"}
    assert [c["metrik"] for c in spec["erfolgskriterien"]] == ["einwohner", "seed_echo"]
    exp = experiments.load_experiment("zaehlung")
    assert exp.template == "probe" and exp.criteria[0].threshold == 1000
    assert "sandbox experiment run zaehlung" in (folder / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, expected", [
    (["gibtsnicht", "--template", "unbekannt"], "unbekannte Vorlage 'unbekannt'"),
    (["Mein Experiment", "--template", "probe"], "kein gültiger Ordnername"),
    (["../ausbruch", "--template", "probe"], "kein gültiger Ordnername"),
    (["x", "--template", "probe"], "kein gültiger Ordnername"),
    ([".versteckt", "--template", "probe"], "kein gültiger Ordnername"),
])
def test_new_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    code, out, err = cli(capsys, "experiment", "new", *args)
    assert code == 2 and expected in err
    assert err.startswith("Fehler: ") and err.count("\n") == 1 and "Traceback" not in err
    assert tree(home / "experiments") == []
    assert not (home.parent / "ausbruch").exists()


def test_new_refuses_existing_name(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "doppelt", "--template", "probe")[0] == 0
    spec = home / "experiments" / "doppelt" / "experiment.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Name (Rolle, Amt)", "Team Posteingang"), encoding="utf-8")
    before = tree(home / "experiments")
    code, _, err = cli(capsys, "experiment", "new", "doppelt", "--template", "probe")
    assert code == 2 and "gibt es schon" in err and err.count("\n") == 1
    assert tree(home / "experiments") == before
    assert "Team Posteingang" in spec.read_text(encoding="utf-8")
