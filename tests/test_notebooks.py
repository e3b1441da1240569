"""Every onboarding notebook in notebooks/ executes without error (papermill, the venv's kernel).

The notebooks run against the session's musterstadt dataset and a temporary
MLflow store, from inside notebooks/ as in JupyterLab; none of them may
write into the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

from sandbox.tracking import keys

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))


def _outputs(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _untracked_or_changed() -> set[str]:
    done = subprocess.run(["git", "status", "--porcelain", "--", "experiments", "notebooks", "templates"],
                          cwd=NOTEBOOKS.parent, capture_output=True, text=True)
    return set(done.stdout.splitlines())


def test_onboarding_notebooks_exist() -> None:
    assert [p.name for p in ALL][:3] == ["00_Willkommen.ipynb", "01_Daten_erkunden.ipynb", "02_Erstes_Experiment.ipynb"]
    for path in ALL:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name} has outputs"
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "from sandbox import" in code and "def " not in code and "class " not in code  # thin: no logic


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_executes(path: Path, musterstadt_path: Path, tmp_path: Path, store: str,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    before = _untracked_or_changed()
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = _outputs(executed)
    assert "Traceback" not in text
    if path.stem.startswith("02"):
        assert text.count("FINISHED") >= 2 and keys.criterion_fulfilled("recall") in text
    if path.stem.startswith("01"):
        assert "musterstadt-s42" in text and "einwohner" in text
    if path.stem.startswith("04"):
        assert "Entscheidung:" in text and "Zwilling: zwilling," in text
    assert _untracked_or_changed() == before, "the notebook wrote into the repository"
