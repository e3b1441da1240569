"""Experiments end to end: new / run / list through the CLI, read back from MLflow.

A small real template (``probe``) lives in a temporary workspace; runs go to a
temporary SQLite MLflow store. The shipped templates are exercised in
test_templates.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from sandbox import experiments
from sandbox.errors import SandboxError
from sandbox.experiments import params as P
from sandbox.experiments.record import OUTPUT_ENV, read_record
from tests.support import cli

PROBE_YAML = """\
titel: Probe
fragestellung: Zählt das Notebook die Einwohner richtig?
hypothese: Es sind mehr als tausend.
daten: {datensatz: musterstadt, tabellen: [einwohner]}
parameter:
  faktor: {typ: float, standard: 1.5, min: 0, beschreibung: Faktor}
  fehler: {typ: bool, standard: false, beschreibung: absichtlich scheitern}
  modus: {typ: str, standard: a, werte: [a, b], beschreibung: Auswahl}
metriken:
  einwohner: Einwohner mal Faktor
  seed_echo: der Seed, den das Notebook bekam
erfolgskriterien:
  - {metrik: einwohner, operator: ">=", schwelle: 1000, beschreibung: genug Leute}
  - {metrik: seed_echo, operator: "<", schwelle: 3, beschreibung: kleiner Seed}
"""


def _probe_notebook(path: Path, record: bool = True) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("datensatz = 'musterstadt'\nseed = 42\nfaktor = 1.5\nfehler = False\nmodus = 'a'")
    params.metadata["tags"] = ["parameters"]
    last = ("experiments.record({'einwohner': n * faktor, 'seed_echo': seed}, tables={'je_geschlecht': tab})"
            if record else "n")
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("from sandbox import datasets, experiments\nds = datasets.open(datensatz)\n"
                                  "n = len(ds['einwohner'])\ntab = ds['einwohner']['geschlecht'].value_counts().to_frame()"),
        nbformat.v4.new_code_cell("if fehler:\n    raise ValueError('absichtlich kaputt')"),
        nbformat.v4.new_code_cell(last),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str, musterstadt_path: Path) -> Path:
    """A workspace with the probe template (and a broken twin), runs tracked in the module's store."""
    for name, record in (("probe", True), ("stumm", False)):
        folder = tmp_path / "templates" / name
        folder.mkdir(parents=True)
        (folder / "template.yaml").write_text(PROBE_YAML, encoding="utf-8")
        (folder / "hilfstabelle.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        _probe_notebook(folder / "notebook.ipynb", record)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _client():
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=os.environ["MLFLOW_TRACKING_URI"])


def _runs(name: str) -> list:
    client = _client()
    found = client.get_experiment_by_name(name)
    return [] if found is None else client.search_runs([found.experiment_id], order_by=["attributes.start_time ASC"])


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# --- new -----------------------------------------------------------------------------------------

def test_new_creates_experiment_from_template(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "experiment", "new", "zaehlung", "--template", "probe")
    assert code == 0 and "zaehlung" in out
    folder = home / "experiments" / "zaehlung"
    assert _tree(folder) == ["README.md", "experiment.yaml", "hilfstabelle.csv", "notebook.ipynb"]
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
    (["gibtsnicht", "--template", "unbekannt"], "unknown template 'unbekannt'"),
    (["Mein Experiment", "--template", "probe"], "not a valid folder name"),
    (["../ausbruch", "--template", "probe"], "not a valid folder name"),
    (["x", "--template", "probe"], "not a valid folder name"),
    ([".versteckt", "--template", "probe"], "not a valid folder name"),
])
def test_new_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    code, out, err = cli(capsys, "experiment", "new", *args)
    assert code == 2 and expected in err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert _tree(home / "experiments") == []
    assert not (home.parent / "ausbruch").exists()


def test_new_refuses_existing_name(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "doppelt", "--template", "probe")[0] == 0
    spec = home / "experiments" / "doppelt" / "experiment.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Name (Rolle, Amt)", "Team Posteingang"), encoding="utf-8")
    before = _tree(home / "experiments")
    code, _, err = cli(capsys, "experiment", "new", "doppelt", "--template", "probe")
    assert code == 2 and "already exists" in err and err.count("\n") == 1
    assert _tree(home / "experiments") == before
    assert "Team Posteingang" in spec.read_text(encoding="utf-8")


# --- run: bad input creates nothing ------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("args, expected", [
    (["nichtda"], "no experiment 'nichtda'"),
    (["probelauf", "--param", "gibtsnicht=1"], "unknown parameter 'gibtsnicht'"),
    (["probelauf", "--param", "faktor=viel"], "parameter faktor (--param) must be a number"),
    (["probelauf", "--param", "faktor=-1"], "must be at least 0"),
    (["probelauf", "--param", "fehler=vielleicht"], "must be true or false"),
    (["probelauf", "--param", "modus=c"], "must be one of a, b"),
    (["probelauf", "--param", "faktor"], "--param expects NAME=VALUE"),
    (["probelauf", "--seeds", "1,zwei"], "--seeds expects whole numbers"),
    (["probelauf", "--seeds", "1", "--param", "seed=3"], "not both"),
    (["probelauf", "--param", "datensatz=gibtsnicht"], "sandbox data generate --profile gibtsnicht"),
])
def test_run_rejects_bad_input(home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    assert cli(capsys, "experiment", "new", "probelauf", "--template", "probe")[0] == 0
    runs_before = len(_runs("probelauf"))
    before = _tree(home)
    code, _, err = cli(capsys, "experiment", "run", *args)
    assert code == 2 and expected in err, err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert len(_runs("probelauf")) == runs_before == 0
    assert _tree(home) == before


def test_run_with_unreachable_server_creates_nothing(home: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(capsys, "experiment", "new", "ohne-server", "--template", "probe")[0] == 0
    before = _tree(home)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{_free_port()}")
    code, _, err = cli(capsys, "experiment", "run", "ohne-server")
    assert code == 2 and "not reachable" in err and err.count("\n") == 1
    assert _tree(home) == before
    code, _, err = cli(capsys, "experiment", "list")
    assert code == 2 and "not reachable" in err and err.count("\n") == 1


def test_run_reports_table_missing_from_dataset(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = home / "templates" / "probe"
    (folder / "template.yaml").write_text(PROBE_YAML.replace("tabellen: [einwohner]", "tabellen: [einwohner, fehlt]"))
    assert cli(capsys, "experiment", "new", "alt", "--template", "probe")[0] == 0
    code, _, err = cli(capsys, "experiment", "run", "alt")
    assert code == 2 and "has no table fehlt" in err and "--force" in err
    assert _runs("alt") == []


# --- run: tracked results ----------------------------------------------------------------------

def test_run_logs_one_mlflow_run_per_seed(home: Path, capsys: pytest.CaptureFixture[str], musterstadt) -> None:
    subprocess.run(["git", "init", "-q"], cwd=home, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"],
                   cwd=home, check=True)
    assert cli(capsys, "experiment", "new", "seeds", "--template", "probe")[0] == 0
    code, out, err = cli(capsys, "experiment", "run", "seeds", "--seeds", "1,5", "--param", "faktor=2")
    assert code == 0, err
    runs = _runs("seeds")
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    residents = len(musterstadt["einwohner"])
    for run, seed in zip(runs, (1, 5)):
        data = run.data
        assert data.tags["sandbox.experiment"] == "seeds" and data.tags["sandbox.template"] == "probe"
        assert data.tags["sandbox.seed"] == str(seed) and data.params["seed"] == str(seed)
        assert data.params["faktor"] == "2.0" and data.params["modus"] == "a"
        assert data.metrics["seed_echo"] == seed  # the seed reached the notebook
        assert data.metrics["einwohner"] == residents * 2
        assert data.metrics["kriterium.einwohner.erfuellt"] == 1.0
        assert data.metrics["kriterium.seed_echo.erfuellt"] == (1.0 if seed < 3 else 0.0)
        assert data.tags["kriterium.seed_echo.regel"] == "< 3"
        assert data.tags["sandbox.datensatz.digest"] == musterstadt.digest
        assert data.tags["sandbox.git.dirty"] in ("true", "false") and len(data.tags["sandbox.git.commit"]) == 40
        assert "sandbox.version.mlflow" in data.tags
        assert {"laufzeit_s", "cpu_zeit_s", "cpu_zeit_notebook_s"} <= set(data.metrics)
        [inp] = run.inputs.dataset_inputs
        assert inp.dataset.digest == musterstadt.digest[:len(inp.dataset.digest)] and inp.dataset.name == "musterstadt-s42"
        assert json.loads(inp.dataset.profile)["seed"] == 42
    client = _client()
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


def test_failing_notebook_marks_run_failed_and_keeps_earlier_runs(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "experiment", "new", "wackelig", "--template", "probe")[0] == 0
    assert cli(capsys, "experiment", "run", "wackelig")[0] == 0
    code, _, err = cli(capsys, "experiment", "run", "wackelig", "--param", "fehler=ja")
    assert code == 1 and "ValueError: absichtlich kaputt" in err and err.count("\n") == 1
    first, failed = _runs("wackelig")
    assert first.info.status == "FINISHED" and first.data.metrics["kriterium.einwohner.erfuellt"] == 1.0
    assert failed.info.status == "FAILED"
    assert "ValueError: absichtlich kaputt" in failed.data.tags["sandbox.fehler"]
    client = _client()
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
    [run] = _runs("ohne-ergebnis")
    assert run.info.status == "FAILED"


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


def test_templates_list(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "templates", "list")
    assert code == 0 and "probe" in out and "einwohner >= 1000" in out


# --- pieces --------------------------------------------------------------------------------------

def test_record_writes_merges_and_shows_criteria(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    (tmp_path / "experiment.yaml").write_text(
        "erfolgskriterien:\n  - {metrik: recall.Buergerbuero, operator: '>=', schwelle: 0.5}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(OUTPUT_ENV, raising=False)
    shown = experiments.record({"recall Bürgerbüro": 0.4})
    assert list(shown["Metrik"]) == ["recall_Buergerbuero"] and list(shown.get("erfüllt", [])) == [""]
    shown = experiments.record({"recall.Bürgerbüro": 0.6})
    assert list(shown["erfüllt"]) == ["ja"]
    assert read_record(tmp_path) is None  # interactive: nothing written
    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path / "out"))
    experiments.record({"a": 1, "b": 2}, tables={"t": pd.DataFrame({"x": [1]})})
    experiments.record({"b": 3.5, "c": float("nan")})
    rec = read_record(tmp_path / "out")
    assert rec.metrics["a"] == 1 and rec.metrics["b"] == 3.5 and rec.metrics["c"] != rec.metrics["c"]
    assert [p.name for p in rec.tables] == ["t.csv"] and (tmp_path / "out" / "t.csv").read_text() == "x\n1\n"
    with pytest.raises(ValueError, match="must be a number"):
        experiments.record({"a": "hoch"})
    with pytest.raises(ValueError, match="table name"):
        experiments.record({}, tables={"../x": pd.DataFrame()})


def test_parameter_values_are_typed() -> None:
    p = P.Parameter("s", "float", 0.5, minimum=0, maximum=1)
    assert p.coerce("0,8", "x") == 0.8 and p.coerce(1, "x") == 1.0
    with pytest.raises(SandboxError, match="at most 1"):
        p.coerce("2", "x")
    assert P.convert_value("12", "int") == 12 and P.convert_value("1.5", "int") is None
    assert P.convert_value(3.0, "int") == 3 and P.convert_value(True, "int") is None
    assert P.convert_value("nein", "bool") is False and P.convert_value("nan", "float") is None
    assert P.convert_value(7, "str") == "7" and P.convert_value(None, "str") is None
    assert P.parse_seeds("1, 2,3") == [1, 2, 3] and P.parse_seeds(None) is None
    for bad in ("", "1,,2", "-1", "1,1"):
        with pytest.raises(SandboxError):
            P.parse_seeds(bad)
    assert P.parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(SandboxError, match="twice"):
        P.parse_assignments(["a=1", "a=2"])


@pytest.mark.parametrize("change, expected", [
    (("typ: float", "typ: zahl"), "needs typ"),
    (("standard: 1.5", "standard: viel"), "must be a number"),
    (("metrik: einwohner,", "metrik: unbekannt,"), "undeclared metrics unbekannt"),
    (("operator: \">=\"", "operator: \"=>\""), "operator '=>'"),
    (("titel: Probe\n", ""), "lacks titel"),
    (("[a, b]", "[a, b"), "not valid YAML"),
])
def test_malformed_template_is_one_clear_error(home: Path, change: tuple[str, str], expected: str) -> None:
    path = home / "templates" / "probe" / "template.yaml"
    path.write_text(PROBE_YAML.replace(*change, 1), encoding="utf-8")
    with pytest.raises(SandboxError) as info:
        experiments.load_template("probe")
    assert expected in str(info.value) and "template.yaml" in str(info.value)


# --- the committed examples --------------------------------------------------------------------

EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parent.parent / "experiments").iterdir()
                  if (p / "experiment.yaml").is_file())


def test_at_least_two_examples_are_committed() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_committed_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str,
                                musterstadt_path: Path) -> None:
    """A copy of the example runs on musterstadt: its parameters fit its template and the notebook works."""
    import shutil

    shutil.copytree(Path(__file__).resolve().parent.parent / "experiments" / name, tmp_path / "experiments" / name)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    exp = experiments.load_experiment(name)
    assert exp.team and "Name (Rolle" not in " ".join(exp.team) and exp.hypothesis
    [result] = experiments.run_experiment(name)
    assert result.status == "FINISHED", result.error
    assert len(result.outcomes) == len(exp.criteria)
