"""`sandbox experiment run NAME --profiles ...` and `sandbox compare --transfer NAME`: one shipped template
on four municipality types, each run for real (papermill, MLflow), then judged per criterion and metric."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox import compare
from sandbox.compare import report
from sandbox.experiments import new_experiment
from tests.experiments.conftest import runs_of
from tests.support import cli

REPO = Path(__file__).resolve().parents[2]
PROFILES = "grossstadt,musterstadt,landkreis,landgemeinde"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, store: str) -> Path:
    home = tmp_path_factory.mktemp("transfer")
    shutil.copytree(REPO / "synthetic_data" / "profiles", home / "synthetic_data" / "profiles")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_HOME", str(home))
        mp.setenv("MLFLOW_TRACKING_URI", store)
        new_experiment("posteingang", "ki-posteingang")
    return home


@pytest.mark.slow
def test_one_template_on_four_profiles_is_judged_for_transferability(
        workspace: Path, store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", str(workspace))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.chdir(workspace)
    code, out, err = cli(capsys, "experiment", "run", "posteingang", "--profiles", PROFILES, "--seeds", "1,2",
                         "--population", "10000")
    assert code == 0, err
    assert "Übertragbarkeit vergleichen: sandbox compare --transfer posteingang" in out
    for profile in PROFILES.split(","):
        runs = runs_of(f"posteingang@{profile}")
        assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
        assert {r.data.params["datensatz.profil"] for r in runs} == {profile}
        assert {r.data.tags["sandbox.uebertragung"] for r in runs} == {"posteingang"}

    c = compare.compare([], out="-", transfer="posteingang").comparison
    assert [s.label for s in c.subjects] == [f"posteingang@{p}" for p in PROFILES.split(",")]
    assert c.command == "sandbox compare --transfer posteingang"
    rows = {t.name: t for t in c.transfer}
    assert {"macro_f1", "automatisch_accuracy", "automatisch_anteil", "verbesserung_macro_f1"} <= set(rows)
    for t in c.transfer:
        assert len(t.holds) == 4
        held = [p for p, h in zip(PROFILES.split(","), t.holds) if h]
        if t.judgement == "übertragbar":
            assert all(t.holds)
        elif t.judgement.startswith("nur in "):
            assert t.judgement == "nur in " + ", ".join(held) and 1 < len(held) < 4
        else:
            assert t.judgement.startswith(("nicht übertragbar", "nicht beurteilbar"))
    assert not any(n.level == "hoch" for n in c.notices)  # different data is the point here, not an alarm
    md = report.render(c, "md")
    assert "## Übertragbarkeit auf andere Kommunentypen" in md and "| grossstadt |" in md.replace(" (Basis)", "")

    assert 'id="uebertragbarkeit"' in report.render(c, "html")
    line = compare.transfer_evidence("posteingang")["uebertragbarkeit"]
    carried = sum(t.judgement == "übertragbar" for t in c.transfer if t.kind == "Kriterium")
    assert line.startswith(f"Beleg aus den Läufen auf mehreren Kommunentypen: {carried} von 4 Erfolgskriterien")
    assert compare.transfer_evidence("gibt-es-nicht") == {}

    code, out, err = cli(capsys, "compare", "--transfer", "posteingang", "a")
    assert code == 2 and "nicht beides" in err


def test_profiles_are_datasets_or_safe_profile_names(workspace: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HOME", str(workspace))
    for given, message in (("grossstadt,grossstadt", "doppelt"), ("grossstadt,Gross Stadt", "weder ein Datensatz"),
                           ("grossstadt,gibtsnicht", "gibtsnicht")):
        code, _, err = cli(capsys, "experiment", "run", "posteingang", "--profiles", given)
        assert code == 2 and message in err and err.count("\n") == 1, err
