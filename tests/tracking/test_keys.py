"""The run vocabulary is a contract with every stored run: these names must never change.

Everything else uses the constants of ``sandbox.tracking.keys``; this test is
the one place that spells the stored names out, so renaming a constant's
value (which would hide old runs from ``sandbox compare``) fails here.
"""

from __future__ import annotations

from sandbox.tracking import keys


def test_tags_and_params_keep_their_stored_names() -> None:
    assert (keys.EXPERIMENT, keys.TEMPLATE, keys.SEED, keys.ERROR) == (
        "sandbox.experiment", "sandbox.template", "sandbox.seed", "sandbox.fehler")
    assert (keys.QUESTION, keys.HYPOTHESIS, keys.TEAM) == ("sandbox.fragestellung", "sandbox.hypothese", "sandbox.team")
    assert (keys.KIND, keys.KIND_SCORECARD, keys.NOTE) == ("sandbox.art", "bewertung", "mlflow.note.content")
    assert (keys.GIT_COMMIT, keys.GIT_DIRTY, keys.MLFLOW_GIT_COMMIT) == (
        "sandbox.git.commit", "sandbox.git.dirty", "mlflow.source.git.commit")
    assert keys.version("mlflow") == "sandbox.version.mlflow"
    assert (keys.DATASET, keys.DATASET_PROFILE, keys.DATASET_SEED) == ("datensatz", "datensatz.profil", "datensatz.seed")
    assert (keys.DATASET_DIGEST, keys.DATASET_PATH) == ("sandbox.datensatz.digest", "sandbox.datensatz.pfad")


def test_metrics_keep_their_stored_names() -> None:
    assert keys.COST_METRICS == ("laufzeit_s", "cpu_zeit_s", "laufzeit_notebook_s", "cpu_zeit_notebook_s")
    assert [f("recall") for f in (keys.criterion_value, keys.criterion_threshold, keys.criterion_fulfilled)] == [
        "kriterium.recall.wert", "kriterium.recall.schwelle", "kriterium.recall.erfuellt"]
    assert keys.criterion_rule("recall") == "kriterium.recall.regel"
    assert (keys.score("nutzen"), keys.SCORE_OVERALL) == ("bewertung.nutzen", "bewertung.gesamt")
    assert keys.score_tag("nutzen.begruendung") == "sandbox.bewertung.nutzen.begruendung"
    assert keys.scorecard_experiment("posteingang") == "Bewertungen · posteingang"
    assert keys.SCORED_EXPERIMENT_ID == "sandbox.bewertung.experiment_id"


def test_a_criterion_name_is_read_back_from_its_outcome_metric() -> None:
    assert keys.fulfilled_criterion(keys.criterion_fulfilled("recall.Buergerbuero")) == "recall.Buergerbuero"
    assert keys.fulfilled_criterion(keys.criterion_value("recall")) is None
    assert keys.fulfilled_criterion("recall") is None


def test_sweep_tags_keep_their_stored_names() -> None:
    assert (keys.SWEEP, keys.SWEEP_DEFINITION, keys.RUN_KEY) == (
        "sandbox.sweep", "sandbox.sweep.definition", "sandbox.lauf_schluessel")
    assert (keys.PROFILE, keys.WORKER) == ("sandbox.profil", "sandbox.worker")
    assert keys.coordinate("schwelle") == "sandbox.koordinate.schwelle"
