"""A workspace with a small real template (``probe``, and ``stumm`` that records nothing).

Runs go to a temporary SQLite MLflow store, one per test module; the shipped
templates are exercised in tests/test_templates.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

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


def probe_notebook(path: Path, record: bool = True) -> None:
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
        probe_notebook(folder / "notebook.ipynb", record)
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_client() -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=os.environ["MLFLOW_TRACKING_URI"])


def runs_of(name: str) -> list[Any]:
    """The runs of experiment ``name``, including a profile sweep's ``name@<profile>`` experiments."""
    from sandbox.tracking import keys

    client = run_client()
    prefix = keys.transfer_experiment(name, "")
    ids = [e.experiment_id for e in client.search_experiments(max_results=1000)
           if e.name == name or e.name.startswith(prefix)]
    return client.search_runs(ids, order_by=["attributes.start_time ASC"], max_results=5000) if ids else []


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture(scope="session")
def small_town(_isolated_data_dir: Path) -> str:
    """A second municipality for profile sweeps: musterstadt scaled to 5,000 residents, seed 3 (its folder name)."""
    from sandbox.synth.writer import generate_dataset

    return generate_dataset("musterstadt", 3, population=5000).name


def sweep_metrics(name: str) -> dict[str, dict[str, float]]:
    """The runs of experiment ``name`` by coordinates (sweep id stripped): their metrics without timings."""
    from sandbox.tracking import keys

    out: dict[str, dict[str, float]] = {}
    for run in runs_of(name):
        label = run.data.tags[keys.RUN_KEY].split("/", 1)[1]
        assert label not in out, f"two runs for {label}"
        out[label] = {k: v for k, v in run.data.metrics.items() if k not in keys.COST_METRICS}
    return out
