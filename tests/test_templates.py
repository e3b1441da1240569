"""Every shipped template: declarations match its notebook, and it runs end to end.

A run goes through the real path: ``new_experiment`` into a temporary
workspace, ``run_experiment`` with papermill on the session's musterstadt
dataset, one MLflow run in a temporary store, read back with MlflowClient.
Each template's metrics must answer its question, so besides "finished" the
tests check the relations between them.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Callable

import nbformat
import pytest

from sandbox import experiments
from sandbox.experiments.paths import templates_dir
from sandbox.tracking import keys

ROOT = Path(__file__).resolve().parent.parent / "templates"
NAMES = sorted(p.name for p in ROOT.iterdir() if (p / "template.yaml").is_file())


def test_the_four_templates_ship() -> None:
    assert {"ki-posteingang", "proaktive-leistung", "prozessanalyse", "nachfrageprognose"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_declarations_match_notebook(name: str) -> None:
    import papermill

    template = experiments.load_template(name)
    assert template.path == ROOT / name and (template.path / "README.md").is_file()
    assert template.question and template.hypothesis and template.criteria
    declared = papermill.inspect_notebook(str(template.notebook))
    assert set(declared) == set(template.parameters), "parameters cell and template.yaml differ"
    for pname, spec in template.parameters.items():
        assert ast.literal_eval(declared[pname]["default"]) == spec.default, pname
    nb = nbformat.read(template.notebook, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    assert "experiments.record(" in nb.cells[-1].source


CHECKS: dict[str, Callable[[dict[str, float]], None]] = {}


def check(name: str) -> Callable[[Callable[[dict[str, float]], None]], Callable[[dict[str, float]], None]]:
    def register(fn: Callable[[dict[str, float]], None]) -> Callable[[dict[str, float]], None]:
        CHECKS[name] = fn
        return fn
    return register


@check("proaktive-leistung")
def _proaktiv(m: dict[str, float]) -> None:
    assert m["anspruchs_haushalte"] > 0
    assert m["recall"] == pytest.approx(m["erreichte_haushalte"] / m["anspruchs_haushalte"])
    assert m["precision"] == pytest.approx(m["erreichte_haushalte"] / (m["erreichte_haushalte"] + m["fehlhinweise"]))
    assert 0 < m["precision"] <= 1 and 0 < m["recall"] <= 1


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One MLflow store for the module: creating a SQLite store takes seconds."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_template_runs_end_to_end(name: str, musterstadt_path: Path, tmp_path: Path, store: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))  # experiments/ goes here; templates come from the checkout
    uri = store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert templates_dir() == ROOT
    template = experiments.load_template(name)
    experiments.new_experiment(f"test-{name}", name)
    [result] = experiments.run_experiment(f"test-{name}")
    assert result.status == "FINISHED", result.error
    run = MlflowClient(tracking_uri=uri).get_run(result.run_id)
    metrics = run.data.metrics
    expected = {m for m in template.metrics if not m.endswith(".*")}
    assert expected <= set(metrics), f"declared but not recorded: {expected - set(metrics)}"
    for family in (m[:-1] for m in template.metrics if m.endswith(".*")):
        assert any(k.startswith(family) for k in metrics), f"no metric {family}*"
    for criterion in template.criteria:
        assert metrics[keys.criterion_fulfilled(criterion.metric)] in (0.0, 1.0)
        assert not math.isnan(metrics[criterion.metric])
    assert run.data.tags[keys.TEMPLATE] == name
    CHECKS[name](metrics)


@check("ki-posteingang")
def _posteingang(m: dict[str, float]) -> None:
    assert m["verbesserung_macro_f1"] == pytest.approx(m["macro_f1"] - m["baseline_macro_f1"])
    assert 0 < m["automatisch_anteil"] <= 1 and 0 < m["automatisch_accuracy"] <= 1
    assert m["macro_f1"] > 1 / 12  # better than guessing one of twelve offices
    recalls = [v for k, v in m.items() if k.startswith("recall.")]
    assert len(recalls) >= 10 and all(0 <= r <= 1 for r in recalls)
    assert m["testnachrichten"] > 100


@check("prozessanalyse")
def _prozess(m: dict[str, float]) -> None:
    assert m["faelle"] > 50 and m["varianten"] >= 2
    assert m["whatif_durchlaufzeit_median_tage"] <= m["durchlaufzeit_median_tage"]
    assert m["ersparnis_median_tage"] == pytest.approx(m["durchlaufzeit_median_tage"]
                                                       - m["whatif_durchlaufzeit_median_tage"])
    assert 0 < m["ersparnis_anteil"] < 1 and m["eingesparte_falltage"] > 0
    assert 0 < m["engpass_anteil"] < 1


@check("nachfrageprognose")
def _prognose(m: dict[str, float]) -> None:
    assert m["verbesserung_mae"] == pytest.approx(m["baseline_mae"] - m["mae"])
    assert m["testwochen"] == 13 and m["trainingswochen"] >= 52
    assert 0 < m["mae"] < m["nachfrage_mittel"] and 0 < m["mape"] < 1 and m["baseline_mae"] > 0
