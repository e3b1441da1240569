"""`sandbox experiment score`: evaluators' ratings on the vision's criteria, stored with the experiment in MLflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sandbox import compare, tracking
from sandbox.compare import scorecard
from sandbox.tracking import keys
from sandbox.tracking.runs import PARTICIPANT_ENV
from tests.compare.conftest import log_runs
from tests.support import cli, legacy_scorecard

KEYS = [c.key for c in scorecard.CRITERIA]


def card_yaml(evaluator: str = "Erika Beispiel", notes: dict[str, int] | None = None, **extra: object) -> dict:
    notes = notes or {}
    return {"bewerter": evaluator, "rolle": "Datenschutzbeauftragte",
            "kriterien": {k: {"note": notes.get(k, 4), "begruendung": f"{k}: nachvollziehbar begründet"} for k in KEYS},
            **extra}


@pytest.fixture(scope="module")
def experiments(store: str, musterstadt) -> list[str]:
    log_runs("bewertet", {"recall": [0.8, 0.9]}, musterstadt, seeds=(1, 2))
    log_runs("vergleich", {"recall": [0.7, 0.75]}, musterstadt, seeds=(1, 2))
    log_runs("unbewertet", {"recall": [0.7]}, musterstadt, seeds=(1,))
    return ["bewertet", "vergleich", "unbewertet"]


def _scorecard_runs(name: str) -> list:
    """Every run of the scorecard experiment of ``name`` (empty if it has none yet)."""
    client = tracking.client()
    found = client.get_experiment_by_name(keys.scorecard_experiment(name))
    return [] if found is None else client.search_runs([found.experiment_id])


def _write(tmp_path: Path, data: object, name: str = "bewertung.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_score_from_file_is_stored_queryably(experiments, tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, card_yaml(notes={"nutzen": 5, "aufwand": 2}, kommentar="Pilot lohnt sich."))
    code, out, err = cli(capsys, "experiment", "score", "bewertet", "--file", str(path))
    assert code == 0, err
    assert "Bewertung von Erika Beispiel für bewertet gespeichert (Gesamtnote 3,9" in out
    [run] = _scorecard_runs("bewertet")
    data = run.data
    assert run.info.status == "FINISHED" and run.info.run_name == "bewertung-erika-beispiel"
    assert data.metrics[keys.score("nutzen")] == 5 and data.metrics[keys.score("aufwand")] == 2
    assert data.metrics[keys.SCORE_OVERALL] == pytest.approx((5 + 2 + 4 * 5) / 7)
    assert data.params["bewerter"] == "Erika Beispiel" and data.params["rolle"] == "Datenschutzbeauftragte"
    assert data.tags[keys.score_tag("nutzen.begruendung")] == "nutzen: nachvollziehbar begründet"
    assert data.tags[keys.score_tag("kommentar")] == "Pilot lohnt sich."
    assert data.tags[keys.score_tag("zeitpunkt")].endswith("+00:00")  # ISO 8601, UTC
    assert "im Experiment „Bewertungen · bewertet“" in out
    client = tracking.client()
    scored = client.get_experiment_by_name("bewertet")
    runs = client.search_runs([scored.experiment_id])
    assert len(runs) == 2 and not any(keys.KIND in r.data.tags for r in runs)  # the run experiment holds runs only
    assert set(data.tags[keys.score_tag("laeufe")].split(",")) == {r.info.run_id for r in runs}  # the runs it saw
    assert (data.tags[keys.EXPERIMENT], data.tags[keys.SCORED_EXPERIMENT_ID]) == ("bewertet", scored.experiment_id)
    home = client.get_experiment_by_name(keys.scorecard_experiment("bewertet")).tags
    assert (home[keys.KIND], home[keys.EXPERIMENT], home[keys.SCORED_EXPERIMENT_ID]) == (
        keys.KIND_SCORECARD, "bewertet", scored.experiment_id)
    assert "bewertet" in home[keys.NOTE]
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["bewertung.json"]


def test_several_evaluators_are_all_kept_and_summarised(experiments, tmp_path: Path, capsys) -> None:
    for who, note in (("Anna Amt", 2), ("Bernd Bürgermeister", 5)):
        path = _write(tmp_path, card_yaml(who, {"datenschutz": note}), f"{who}.yaml")
        assert cli(capsys, "experiment", "score", "vergleich", "--file", str(path))[0] == 0
    client = tracking.client()
    cards = scorecard.load(client, client.get_experiment_by_name("vergleich").experiment_id)
    assert [c.evaluator for c in cards] == ["Anna Amt", "Bernd Bürgermeister"]
    assert all(c.when is not None and c.run_id for c in cards)
    c = compare.compare(["vergleich", "unbewertet"], out="-").comparison
    row = next(r for r in c.scores if r.key == "datenschutz")
    assert (row.cells[0].mean, row.cells[0].low, row.cells[0].high, row.cells[0].n) == (3.5, 2, 5, 2)
    assert row.cells[1] is None
    assert [len(s.runs) for s in c.subjects] == [2, 1]  # scorecards are no experiment runs
    assert not any(m.name.startswith("bewertung") for m in c.metrics)
    assert any("uneinig" in line and "Datenschutz" in line for line in c.uncertain)
    assert any("Noch nicht bewertet: unbewertet" in line for line in c.uncertain)
    html = compare.render(c, "html")
    assert "Anna Amt" in html and "Bernd Bürgermeister" in html and "datenschutz: nachvollziehbar begründet" in html
    assert html.count("data:image/png;base64,") == 3  # metrics, scorecard, cost


def test_scorecards_stored_among_the_runs_before_still_count(experiments, musterstadt, tmp_path: Path,
                                                              capsys) -> None:
    log_runs("altbestand", {"recall": [0.6, 0.65]}, musterstadt, seeds=(1, 2))
    old = legacy_scorecard("altbestand", "Alt Bestand", note=2)
    assert cli(capsys, "experiment", "score", "altbestand", "--file", str(_write(tmp_path, card_yaml("Neu Zugang"))))[0] == 0
    client = tracking.client()
    [new] = _scorecard_runs("altbestand")
    assert old not in new.data.tags[keys.score_tag("laeufe")].split(",")  # an old scorecard is no run it saw
    cards = scorecard.load(client, client.get_experiment_by_name("altbestand").experiment_id)
    assert [(c.evaluator, c.run_id) for c in cards] == [("Alt Bestand", old), ("Neu Zugang", new.info.run_id)]
    c = compare.compare(["altbestand", "unbewertet"], out="-").comparison
    assert [len(s.runs) for s in c.subjects] == [2, 1] and old not in {r.run_id for r in c.subjects[0].runs}
    assert [k.evaluator for k in c.cards[0]] == ["Alt Bestand", "Neu Zugang"]


def test_a_scorecard_experiment_is_neither_scored_nor_compared(experiments, musterstadt, tmp_path: Path,
                                                               capsys) -> None:
    log_runs("eigenes", {"recall": [0.6]}, musterstadt, seeds=(1,))
    path = _write(tmp_path, card_yaml())
    assert cli(capsys, "experiment", "score", "eigenes", "--file", str(path))[0] == 0
    code, _, err = cli(capsys, "experiment", "score", "Bewertungen · eigenes", "--file", str(path))
    assert code == 2 and "enthält Bewertungen, keine Läufe; bewertet wird das Experiment selbst: " \
                         "sandbox experiment score eigenes" in err
    code, _, err = cli(capsys, "compare", "Bewertungen · eigenes", "vergleich", "--out", str(tmp_path / "v.md"))
    assert code == 2 and "kein Experiment und kein Lauf heißt 'Bewertungen · eigenes'" in err
    assert len(_scorecard_runs("eigenes")) == 1 and not (tmp_path / "v.md").exists()


def test_a_workshop_seat_scores_apart_from_its_runs(experiments, musterstadt, tmp_path: Path, capsys,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PARTICIPANT_ENV, "tn01")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "werkstatt-tn01")
    log_runs("sitz-a", {"recall": [0.8]}, musterstadt, seeds=(1,))
    log_runs("sitz-b", {"recall": [0.7]}, musterstadt, seeds=(1,))
    code, out, err = cli(capsys, "experiment", "score", "sitz-a", "--file", str(_write(tmp_path, card_yaml("Sitz Anna"))))
    assert code == 0 and "„Bewertungen · werkstatt-tn01“" in out, err
    client = tracking.client()
    seat = client.get_experiment_by_name("werkstatt-tn01")
    assert not any(keys.KIND in r.data.tags for r in client.search_runs([seat.experiment_id]))
    [card] = _scorecard_runs("werkstatt-tn01")
    assert card.data.tags[keys.EXPERIMENT] == "sitz-a"
    c = compare.compare(["sitz-a", "sitz-b"], out="-").comparison
    assert [[k.evaluator for k in cards] for cards in c.cards] == [["Sitz Anna"], []]
    # workshop collect compares the seat experiments themselves, so a seat shows all its scorecards
    assert [k.evaluator for k in scorecard.load(client, seat.experiment_id, "werkstatt-tn01")] == ["Sitz Anna"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["kriterien"].update(kosten={"note": 3, "begruendung": "x"}),
     "unbekanntes Kriterium 'kosten'; die Kriterien sind nutzen, entlastung, datenschutz"),
    (lambda d: d["kriterien"].pop("aufwand"), "Kriterium 'aufwand' (Aufwand/Kosten) fehlt"),
    (lambda d: d["kriterien"]["nutzen"].update(note=6), "nutzen.note muss eine ganze Zahl von 1 bis 5 sein, nicht 6"),
    (lambda d: d["kriterien"]["nutzen"].update(note="vier"), "nutzen.note muss eine ganze Zahl von 1 bis 5 sein, nicht 'vier'"),
    (lambda d: d["kriterien"]["nutzen"].update(note=True), "nicht True"),
    (lambda d: d["kriterien"]["zuverlaessigkeit"].update(begruendung="  "), "zuverlaessigkeit.begruendung"),
    (lambda d: d.pop("bewerter"), "bewerter (wer bewertet) fehlt"),
    (lambda d: d.update(datum="heute"), "unbekannter Schlüssel 'datum'"),
    (lambda d: d.update(kriterien=[1, 2]), "kriterien muss jedem von nutzen"),
])
def test_invalid_scorecards_are_one_line_and_store_nothing(experiments, tmp_path: Path, capsys, change,
                                                           message: str) -> None:
    data = card_yaml()
    change(data)
    code, _, err = cli(capsys, "experiment", "score", "unbewertet", "--file", str(_write(tmp_path, data)))
    assert code == 2 and err.count("\n") == 1 and message in err and "bewertung.yaml" in err
    assert _scorecard_runs("unbewertet") == []


def test_unreadable_files_and_unknown_experiments(experiments, tmp_path: Path, capsys) -> None:
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("bewerter: [nicht geschlossen\n", encoding="utf-8")
    code, _, err = cli(capsys, "experiment", "score", "unbewertet", "--file", str(broken))
    assert code == 2 and "ist kein gültiges YAML" in err
    code, _, err = cli(capsys, "experiment", "score", "unbewertet", "--file", str(tmp_path / "fehlt.yaml"))
    assert code == 2 and "lässt sich nicht lesen" in err
    code, _, err = cli(capsys, "experiment", "score", "bewertt", "--file", str(_write(tmp_path, card_yaml())))
    assert code == 2 and "kein MLflow-Experiment heißt 'bewertt'; meinten Sie: bewertet" in err


def test_blank_template_lists_every_criterion_and_parses(capsys) -> None:
    code, out, _ = cli(capsys, "experiment", "score", "egal", "--print-template")
    assert code == 0 and all(f"  {k}: " in out for k in KEYS) and "Übertragbarkeit auf andere Kommunen" in out
    card = scorecard.parse(yaml.safe_load(out))
    assert card.evaluator == "Vorname Name" and set(card.ratings) == set(KEYS)


def test_interactive_scoring_asks_again_until_valid(experiments, store: str) -> None:
    answers = ["Clara Controlling", "Kämmerei"]
    for number, _ in enumerate(KEYS):
        answers += ["7", "x", str(1 + number % 5), "", f"Begründung {number}"] if number == 0 else \
                   [str(1 + number % 5), f"Begründung {number}"]
    answers.append("")  # no comment
    sandbox = Path(sys.executable).with_name("sandbox")
    done = subprocess.run([str(sandbox), "experiment", "score", "unbewertet"], input="\n".join(answers) + "\n",
                          capture_output=True, text=True, env={**os.environ, "MLFLOW_TRACKING_URI": store}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Bitte eine ganze Zahl von 1 bis 5 eingeben.") == 2  # for "7" and "x"
    assert done.stdout.count("Bitte die Note in einer Zeile begründen.") == 1
    assert "3/7 Datenschutz und Informationssicherheit" in done.stdout
    [run] = _scorecard_runs("unbewertet")
    assert run.data.params["bewerter"] == "Clara Controlling" and run.data.params["rolle"] == "Kämmerei"
    assert [run.data.metrics[keys.score(k)] for k in KEYS] == [1, 2, 3, 4, 5, 1, 2]
    assert run.data.tags[keys.score_tag("nutzen.begruendung")] == "Begründung 0"
