"""`sandbox experiment run`: bad input creates nothing; each seed is one MLflow run with lineage and criteria.

A small real template (``probe``) lives in a temporary workspace (see
conftest.py); the committed examples in experiments/ run here too.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from sandbox import experiments
from sandbox.tracking import keys
from tests.experiments.conftest import PROBE_YAML, run_client, runs_of, tree
from tests.support import cli, free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args, expected", [
    (["nichtda"], "kein Experiment 'nichtda'"),
    (["probelauf", "--param", "gibtsnicht=1"], "unbekannter Parameter 'gibtsnicht'"),
    (["probelauf", "--param", "faktor=viel"], "Parameter faktor (--param) muss eine Zahl sein"),
    (["probelauf", "--param", "faktor=-1"], "muss mindestens 0"),
    (["probelauf", "--param", "fehler=vielleicht"], "muss true oder false sein"),
    (["probelauf", "--param", "modus=c"], "muss einer von a, b sein"),
    (["probelauf", "--param", "faktor"], "--param erwartet NAME=WERT"),
    (["probelauf", "--seeds", "1,zwei"], "--seeds erwartet ganze Zahlen"),
    (["probelauf", "--seeds", "1", "--param", "seed=3"], "nicht beides"),
    (["probelauf", "--param", "datensatz=gibtsnicht"], "sandbox data generate --profile gibtsnicht"),
])
def test_run_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    assert cli(capsys, "experiment", "new", "probelauf", "--template", "probe")[0] == 0
    runs_before = len(runs_of("probelauf"))
    before = tree(home)
    code, _, err = cli(capsys, "experiment", "run", *args)
    assert code == 2 and expected in err, err
    assert err.startswith("Fehler: ") and err.count("\n") == 1
    assert len(runs_of("probelauf")) == runs_before == 0
    assert tree(home) == before


def test_run_with_unreachable_server_creates_nothing(home: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(capsys, "experiment", "new", "ohne-server", "--template", "probe")[0] == 0
    before = tree(home)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    code, _, err = cli(capsys, "experiment", "run", "ohne-server")
    assert code == 2 and "nicht erreichbar" in err and err.count("\n") == 1
    assert tree(home) == before
    code, _, err = cli(capsys, "experiment", "list")
    assert code == 2 and "nicht erreichbar" in err and err.count("\n") == 1


def test_run_reports_table_missing_from_dataset(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = home / "templates" / "probe"
    (folder / "template.yaml").write_text(PROBE_YAML.replace("tabellen: [einwohner]", "tabellen: [einwohner, fehlt]"))
    assert cli(capsys, "experiment", "new", "alt", "--template", "probe")[0] == 0
    code, _, err = cli(capsys, "experiment", "run", "alt")
    assert code == 2 and "hat keine Tabelle fehlt" in err and "--force" in err
    assert runs_of("alt") == []


def test_run_logs_one_mlflow_run_per_seed(home: Path, capsys: pytest.CaptureFixture[str], musterstadt) -> None:
    subprocess.run(["git", "init", "-q"], cwd=home, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"],
                   cwd=home, check=True)
    assert cli(capsys, "experiment", "new", "seeds", "--template", "probe")[0] == 0
    code, out, err = cli(capsys, "experiment", "run", "seeds", "--seeds", "1,5", "--param", "faktor=2")
    assert code == 0, err
    runs = runs_of("seeds")
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    residents = len(musterstadt["einwohner"])
    for run, seed in zip(runs, (1, 5)):
        data = run.data
        assert data.tags[keys.EXPERIMENT] == "seeds" and data.tags[keys.TEMPLATE] == "probe"
        assert data.tags[keys.SEED] == str(seed) and data.params["seed"] == str(seed)
        assert data.params["faktor"] == "2.0" and data.params["modus"] == "a"
        assert data.metrics["seed_echo"] == seed  # the seed reached the notebook
        assert data.metrics["einwohner"] == residents * 2
        assert data.metrics[keys.criterion_fulfilled("einwohner")] == 1.0
        assert data.metrics[keys.criterion_fulfilled("seed_echo")] == (1.0 if seed < 3 else 0.0)
        assert data.tags[keys.criterion_rule("seed_echo")] == "< 3"
        assert data.tags[keys.DATASET_DIGEST] == musterstadt.digest
        assert data.tags[keys.GIT_DIRTY] in ("true", "false") and len(data.tags[keys.GIT_COMMIT]) == 40
        assert keys.version("mlflow") in data.tags
        assert {keys.WALL_TIME, keys.CPU_TIME, keys.NOTEBOOK_CPU_TIME} <= set(data.metrics)
        [inp] = run.inputs.dataset_inputs
        assert inp.dataset.digest == musterstadt.digest[:len(inp.dataset.digest)] and inp.dataset.name == "musterstadt-s42"
        assert json.loads(inp.dataset.profile)["seed"] == 42
    client = run_client()
    artifacts = {a.path for a in client.list_artifacts(runs[0].info.run_id)}
    assert {"notebook.ipynb", "experiment.yaml", "tabellen"} <= artifacts
    local = Path(client.download_artifacts(runs[0].info.run_id, "notebook.ipynb", str(home / "dl")))
    executed = nbformat.read(local, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "seed = 1" in injected[0].source and "faktor = 2.0" in injected[0].source
    assert any(o.get("output_type") == "execute_result" for c in executed.cells if c.cell_type == "code"
               for o in c.outputs)
    assert [a.path for a in client.list_artifacts(runs[0].info.run_id, "tabellen")] == ["tabellen/je_geschlecht.csv"]
    assert "✓ einwohner >= 1000" in out
    assert "notebook.html" in artifacts  # what MLflow's artifact view renders as a page
    page = Path(client.download_artifacts(runs[0].info.run_id, "notebook.html", str(home / "dl"))).read_text()
    assert '<html lang="de">' in page and "seed = 1" in re.sub(r"<[^>]+>", "", page) and "<script" not in page
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", page)
    cost = runs[0].data.metrics[keys.NOTEBOOK_WALL_TIME]
    assert cost == round(cost, keys.COST_DECIMALS)
    experiment = client.get_experiment(runs[0].info.experiment_id)
    assert experiment.tags[keys.EXPERIMENT_KIND] == keys.EXPERIMENT_KIND_MODEL  # MLflow opens the run list
    description = experiment.tags[keys.NOTE]
    spec = experiments.load_experiment("seeds")
    assert spec.question in description and spec.hypothesis in description and "**Fragestellung:**" in description


def test_failing_notebook_marks_run_failed_and_keeps_earlier_runs(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "wackelig", "--template", "probe")[0] == 0
    assert cli(capsys, "experiment", "run", "wackelig")[0] == 0
    code, _, err = cli(capsys, "experiment", "run", "wackelig", "--param", "fehler=ja")
    assert code == 1 and "ValueError: absichtlich kaputt" in err and err.count("\n") == 1
    first, failed = runs_of("wackelig")
    assert first.info.status == "FINISHED" and first.data.metrics[keys.criterion_fulfilled("einwohner")] == 1.0
    assert failed.info.status == "FAILED"
    assert "ValueError: absichtlich kaputt" in failed.data.tags[keys.ERROR]
    client = run_client()
    paths = {a.path for a in client.list_artifacts(failed.info.run_id)}
    assert {"notebook.ipynb", "fehler.txt"} <= paths
    trace = Path(client.download_artifacts(failed.info.run_id, "fehler.txt", str(home / "dl"))).read_text()
    assert "raise ValueError('absichtlich kaputt')" in trace
    code, out, _ = cli(capsys, "experiment", "list")
    assert code == 0 and "wackelig" in out and "FAILED" in out and "2" in out


def test_notebook_without_record_fails(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "ohne-ergebnis", "--template", "stumm")[0] == 0
    code, _, err = cli(capsys, "experiment", "run", "ohne-ergebnis")
    assert code == 1 and "experiments.record" in err
    [run] = runs_of("ohne-ergebnis")
    assert run.info.status == "FAILED"


EXAMPLES = sorted(p.name for p in (REPO / "experiments").iterdir() if (p / "experiment.yaml").is_file())


def test_at_least_two_examples_are_committed() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_committed_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str,
                                musterstadt_path: Path) -> None:
    """A copy of the example runs on musterstadt: its parameters fit its template and the notebook works."""
    import shutil

    shutil.copytree(REPO / "experiments" / name, tmp_path / "experiments" / name)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    exp = experiments.load_experiment(name)
    assert exp.team and "Name (Rolle" not in " ".join(exp.team) and exp.hypothesis
    [result] = experiments.run_experiment(name)
    assert result.status == "FINISHED", result.error
    assert len(result.outcomes) == len(exp.criteria)
