"""`sandbox compare`: real MLflow runs in, a report an evaluator can read out; bad input is one line, exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sandbox import compare
from sandbox.compare import report
from sandbox.errors import SandboxError
from tests.compare.conftest import log_failed, log_runs, start_running
from tests.support import cli, free_port

CRITERIA = {"recall": (0.75, ">="), "precision": (0.8, ">=")}


@pytest.fixture(scope="module")
def runs(store: str, musterstadt, other_dataset) -> dict[str, list[str]]:
    """The experiments every test here compares (built once)."""
    ids = {
        "basis": log_runs("basis", {"recall": [0.8, 0.82, 0.81], "precision": [0.80, 0.86, 0.74],
                                    "anzahl": [100, 101, 99]}, musterstadt,
                          params={"modell": "regeln", "schwelle": 0.5}, criteria=CRITERIA),
        "variante": log_runs("variante", {"recall": [0.7, 0.71, 0.69], "precision": [0.82, 0.75, 0.88],
                                          "anzahl": [100, 101, 99]}, musterstadt,
                             params={"modell": "regeln", "schwelle": 0.7}, criteria=CRITERIA),
        "einzeln": log_runs("einzeln", {"recall": [0.9], "precision": [0.8], "anzahl": [100]}, musterstadt,
                            seeds=(1,), params={"modell": "regeln", "schwelle": 0.9}),
        "andere-daten": log_runs("andere-daten", {"recall": [0.8, 0.81, 0.79], "precision": [0.8, 0.8, 0.8],
                                                  "anzahl": [7, 8, 9]}, other_dataset,
                                 params={"modell": "regeln", "schwelle": 0.5}),
        "ohne-gemeinsam": log_runs("ohne-gemeinsam", {"mae_tage": [3.0, 4.0, 5.0]}, musterstadt),
        "mit-abbruch": log_runs("mit-abbruch", {"recall": [0.6, 0.64], "precision": [0.9, 0.9], "anzahl": [1, 2]},
                                musterstadt, seeds=(1, 2), params={"modell": "ki"}),
        "frueher": log_runs("frueher", {"recall": [0.1, 0.1, 0.1], "precision": [0.1, 0.1, 0.1], "anzahl": [1, 1, 1]},
                            musterstadt, params={"modell": "regeln", "schwelle": 0.3}),
    }
    ids["mit-abbruch"].append(log_failed("mit-abbruch", musterstadt, 3, {"modell": "ki"}))
    ids["mit-abbruch"].append(start_running("mit-abbruch", musterstadt, 4, {"modell": "ki"}))
    ids["nur-fehler"] = [log_failed("nur-fehler", musterstadt, 1, {"modell": "ki"})]
    ids["frueher"] += log_runs("frueher", {"recall": [0.5, 0.52], "precision": [0.5, 0.5], "anzahl": [1, 1]},
                               musterstadt, seeds=(1, 2), params={"modell": "regeln", "schwelle": 0.5})
    return ids


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- what the report says ------------------------------------------------------------------------

def test_html_report_with_intervals_verdicts_criteria_and_parameters(runs, tmp_path: Path, capsys,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "compare", "basis", "variante")
    assert code == 0, err
    path = tmp_path / "vergleich-basis-variante.html"
    assert f"Bericht: {path}" in out and _files(tmp_path) == [path.name]
    assert "klar schlechter bei recall (0,7 statt 0,81)" in out
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="de">' in html
    for text in ("0,81", "0,7", "-0,11", "klar schlechter", "im Rauschen", "Erfolgskriterien", "erfüllt",
                 "nicht erfüllt", "gleicher Datensatz", "Methodik", "15 W je Kern", "Umweltbundesamt"):
        assert text in html, text
    assert html.count("data:image/png;base64,") >= 2  # metrics and cost charts; no scorecard yet
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html) and "url(http" not in html
    assert "<script" not in html
    schwelle = re.search(r'<tr class="differs">\s*<td><code>schwelle</code>', html)
    assert schwelle, "the differing parameter is highlighted"
    assert not re.search(r'<tr class="differs">\s*<td><code>modell</code>', html)


def test_verdicts_follow_the_bootstrap_and_the_metric_direction(runs) -> None:
    c = compare.compare(["basis", "variante"], out="-").comparison
    rows = {row.name: row for row in c.metrics}
    assert list(rows) == ["precision", "recall", "anzahl"]  # metrics with a success criterion first
    recall = rows["recall"]
    assert recall.better == "hoch" and recall.estimates[0].mean == pytest.approx(0.81)
    assert recall.differences[1].value == pytest.approx(-0.11) and recall.verdict(1) == "schlechter"
    assert rows["precision"].verdict(1) == "rauschen"
    assert rows["anzahl"].better is None and rows["anzahl"].verdict(1) == "rauschen"  # identical values
    crit = {row.name: row for row in c.criteria}
    assert crit["recall"].cells[0].verdict == "erfüllt" and crit["recall"].cells[0].met == 3
    assert crit["recall"].cells[1].verdict == "nicht erfüllt" and crit["recall"].cells[1].rule == ">= 0.75"
    assert crit["precision"].cells[0].verdict == "teilweise erfüllt" and crit["precision"].cells[0].met == 2
    assert c.same_data is True and c.costs[0].runs == 3 and c.costs[0].cpu_s > 2.0  # notebook CPU counted
    assert c.costs[0].energy_wh == pytest.approx(c.costs[0].cpu_s * 15 / 3600)
    assert "kein klarer Unterschied bei precision" in c.summary[0]
    assert any("precision" in line and "Zufall" in line for line in c.uncertain)
    assert any("3 Seeds" in line for line in c.uncertain)


def test_single_seed_is_warned_and_not_judged(runs) -> None:
    c = compare.compare(["basis", "einzeln"], out="-").comparison
    assert all(row.verdict(1) == "offen" for row in c.metrics)
    assert any(n.level == "mittel" and "einzeln: nur ein Lauf" in n.text for n in c.notices)
    assert "nicht beurteilbar (ein Lauf)" in c.summary[0]
    html = report.render(c, "html")
    assert "nur 1 Lauf" in html and "nicht beurteilbar" in html


def test_different_datasets_are_a_loud_warning(runs, other_dataset, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "v.html"
    code, out, err = cli(capsys, "compare", "basis", "andere-daten", "--out", str(out_file))
    assert code == 0 and "WARNUNG: Achtung: Die Experimente liefen auf unterschiedlichen Datensätzen" in err
    html = out_file.read_text(encoding="utf-8")
    assert '<div class="notice hoch" role="alert">' in html and other_dataset.path.name in html
    assert other_dataset.digest[:16] in html
    c = compare.compare(["basis", "andere-daten"], out="-").comparison
    assert c.same_data is False and c.uncertain[0].startswith("Die Experimente liefen auf unterschiedlichen")


def test_running_and_failed_runs_are_shown_but_not_averaged(runs) -> None:
    c = compare.compare(["basis", "mit-abbruch"], out="-").comparison
    subject = c.subjects[1]
    assert [r.seed for r in subject.runs] == ["1", "2"]
    assert sorted(r.status for r in subject.excluded) == ["FAILED", "RUNNING"]
    recall = next(row for row in c.metrics if row.name == "recall")
    assert recall.estimates[1].n == 2 and recall.estimates[1].mean == pytest.approx(0.62)
    assert any("mit-abbruch: 2 Läufe nicht abgeschlossen" in n.text for n in c.notices)
    html = report.render(c, "html")
    assert "FAILED" in html and "RUNNING" in html and "nicht eingerechnet: ValueError: absichtlich kaputt" in html


def test_only_the_latest_batch_counts(runs) -> None:
    c = compare.compare(["basis", "frueher"], out="-").comparison
    subject = c.subjects[1]
    assert [r.params["schwelle"] for r in subject.runs] == ["0.5", "0.5"] and subject.superseded == 3
    recall = next(row for row in c.metrics if row.name == "recall")
    assert recall.estimates[1].mean == pytest.approx(0.51)
    assert any("frueher: 3 ältere Läufe" in n.text for n in c.notices)


def test_single_runs_across_experiments(runs) -> None:
    c = compare.compare(["basis-seed1", runs["variante"][1]], out="-").comparison
    assert [s.kind for s in c.subjects] == ["lauf", "lauf"]
    assert [s.experiment for s in c.subjects] == ["basis", "variante"]
    recall = next(row for row in c.metrics if row.name == "recall")
    assert recall.estimates[0].mean == 0.8 and recall.estimates[1].mean == 0.71 and recall.verdict(1) == "offen"


def test_markdown_and_json(runs, tmp_path: Path, capsys) -> None:
    code, out, _ = cli(capsys, "compare", "basis", "variante", "einzeln", "--format", "md", "--out", "-")
    assert code == 0 and out.startswith("# Vergleich: basis vs. variante vs. einzeln")
    assert "| recall (höher ist besser) | 0,81 [0,8 bis 0,82], n = 3 |" in out
    assert "Differenz variante − basis" in out and "Differenz einzeln − basis" in out
    assert "## Erfolgskriterien" in out and "## Datenherkunft" in out
    target = tmp_path / "v.json"
    assert cli(capsys, "compare", "basis", "variante", "--format", "json", "--out", str(target))[0] == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    recall = next(m for m in data["metrics"] if m["name"] == "recall")
    assert recall["verdicts"] == [None, "schlechter"] and recall["estimates"][0]["n"] == 3
    assert recall["differences"][1]["clear"] is True and recall["differences"][0] is None
    assert data["same_data"] is True and data["power"]["value"] == 15 and data["grid"]["value"] == 380
    assert [s["label"] for s in data["subjects"]] == ["basis", "variante"]
    assert data["method"]["resamples"] == 10_000 and data["summary"]


def test_numbers_are_reproducible(runs) -> None:
    first = report.to_json_data(compare.compare(["basis", "variante"], out="-").comparison)
    second = report.to_json_data(compare.compare(["basis", "variante"], out="-").comparison)
    first.pop("created"), second.pop("created")
    assert first == second


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["basis", "ohne-gemeinsam"], "keine gemeinsame Metrik (basis: anzahl, precision, recall; ohne-gemeinsam: mae_tage); Experimente mit"),
    (["basis", "variant"], "kein Experiment und kein Lauf heißt 'variant'; meinten Sie: variante"),
    (["basis", "gibt-es-nicht-xyz"], "(Experimente: andere-daten, basis,"),
    (["basis", "nur-fehler"], "Experiment 'nur-fehler' hat noch keinen abgeschlossenen Lauf (1 FAILED)"),
    (["basis"], "bitte mindestens zwei Experimente oder Läufe"),
    (["basis", "basis"], "basis ist mehrfach genannt"),
    (["basis", "variante", "--format", "docx"], "--format muss eines von html, md, json, pdf sein"),
])
def test_bad_input_is_one_line_and_writes_nothing(runs, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch,
                                                  args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "compare", *args)
    assert code == 2 and err.startswith("Fehler: ") and err.count("\n") == 1
    assert message in err
    assert _files(tmp_path) == []


def test_failed_run_named_directly_is_refused(runs, capsys) -> None:
    code, _, err = cli(capsys, "compare", "basis", runs["nur-fehler"][0])
    assert code == 2 and "ist FAILED: ValueError: absichtlich kaputt" in err


def test_unreachable_server_is_one_line_exit_2(runs, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    code, _, err = cli(capsys, "compare", "basis", "variante")
    assert code == 2 and "nicht erreichbar" in err and err.count("\n") == 1 and "Traceback" not in err
    assert _files(tmp_path) == []


def test_missing_store_is_reported_not_created(tmp_path: Path, capsys, monkeypatch) -> None:
    db = tmp_path / "nie" / "mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    code, _, err = cli(capsys, "compare", "a", "b")
    assert code == 2 and "noch keine Läufe protokolliert" in err and not db.exists()


def test_a_failure_leaves_the_previous_report_untouched(runs, tmp_path: Path, capsys) -> None:
    target = tmp_path / "bericht.html"
    target.write_text("alter Bericht", encoding="utf-8")
    assert cli(capsys, "compare", "basis", "variant", "--out", str(target))[0] == 2
    with pytest.raises(UnicodeEncodeError):  # fails while writing: the temporary file goes, the old report stays
        report.write_atomic(target, "Anfang " + "\udcff")
    assert target.read_text(encoding="utf-8") == "alter Bericht" and _files(tmp_path) == ["bericht.html"]
    assert cli(capsys, "compare", "basis", "variante", "--out", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") and _files(tmp_path) == ["bericht.html"]


def test_output_folder_must_exist(runs, tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="gibt es nicht"):
        compare.compare(["basis", "variante"], out=tmp_path / "fehlt" / "v.html")
    with pytest.raises(SandboxError, match="ist ein Ordner"):
        compare.compare(["basis", "variante"], out=tmp_path)


def test_different_questions_can_be_compared_on_criteria_scorecard_and_cost(runs, tmp_path: Path, capsys) -> None:
    target = tmp_path / "portfolio.md"
    code, out, err = cli(capsys, "compare", "basis", "ohne-gemeinsam", "--allow-different-metrics",
                         "--format", "md", "--out", str(target))
    assert code == 0, err
    assert out.startswith("- Keine gemeinsame Metrik")
    c = compare.compare(["basis", "ohne-gemeinsam"], out="-", allow_different_metrics=True).comparison
    assert c.metrics == () and [row.name for row in c.own_metrics] == ["precision", "recall", "anzahl", "mae_tage"]
    mae = c.own_metrics[-1]
    assert mae.estimates[0] is None and mae.estimates[1].mean == 4.0 and mae.differences == (None, None)
    assert any(n.level == "mittel" and "keine gemeinsame Metrik" in n.text for n in c.notices)
    text = target.read_text(encoding="utf-8")
    assert "**Nur in einzelnen Experimenten gemessen**" in text and "| mae_tage | – | 4 [" in text
    assert "Differenz" not in text.split("## Erfolgskriterien")[0]
