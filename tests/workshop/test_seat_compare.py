"""In a workshop seat, `sandbox compare` and the intro notebooks find experiments by the names they asked for.

Every run a participant starts lands in their seat's experiment (``kurs-tn01``)
with the requested name as a tag; comparing ``proaktiv`` with ``posteingang``
(as notebook 03 does) must read those runs back, and only those. Real runs in
a temporary SQLite store, logged as the runner logs them.
"""

from __future__ import annotations

import pytest

from sandbox import compare
from sandbox.errors import SandboxError
from sandbox.tracking.runs import PARTICIPANT_ENV
from tests.compare.conftest import log_runs, store  # noqa: F401 - the temporary tracking store fixture


@pytest.fixture(scope="module")
def seat_runs(store: str) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PARTICIPANT_ENV, "tn01")
        mp.setenv("MLFLOW_EXPERIMENT_NAME", "kurs-tn01")
        log_runs("proaktiv", {"trefferquote": [0.80, 0.82, 0.81]}, None)
        log_runs("posteingang", {"trefferquote": [0.70, 0.71, 0.72]}, None)
    log_runs("anderswo", {"trefferquote": [0.5, 0.6, 0.7]}, None)  # outside any seat, in its own experiment
    return store


def test_requested_names_resolve_inside_the_seat_and_only_there(seat_runs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=seat_runs)
    assert client.get_experiment_by_name("proaktiv") is None  # the runs went to the seat's experiment
    monkeypatch.setenv(PARTICIPANT_ENV, "tn01")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "kurs-tn01")
    assert compare.finished_runs("proaktiv") == 3 and compare.finished_runs("posteingang") == 3
    c = compare.compare(["proaktiv", "posteingang"], out="-").comparison
    assert [s.label for s in c.subjects] == ["proaktiv", "posteingang"]
    assert [sorted(r.metrics["trefferquote"] for r in s.runs) for s in c.subjects] == [[0.80, 0.81, 0.82],
                                                                                        [0.70, 0.71, 0.72]]
    monkeypatch.delenv(PARTICIPANT_ENV)
    with pytest.raises(SandboxError):  # outside the seat the names mean nothing
        compare.compare(["proaktiv", "anderswo"], out="-")
