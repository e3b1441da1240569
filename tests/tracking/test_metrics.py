"""Metrics and success criteria of the active run, logged under the names of tracking.keys."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sandbox import tracking
from sandbox.errors import SandboxError
from sandbox.tracking import keys
from tests.tracking.conftest import run_client


def test_success_criteria_log_value_threshold_rule_and_outcome(workspace: Path) -> None:
    with tracking.start_run("kriterien") as run:
        met = tracking.log_success_criteria({
            "trefferquote": (0.93, 0.9, ">="),
            "wartezeit_tage": (12, 10, "<="),
            "abdeckung": (float("nan"), 0.5, ">"),
        })
    assert met == {"trefferquote": True, "wartezeit_tage": False, "abdeckung": False}
    data = run_client().get_run(run.info.run_id).data
    assert data.metrics[keys.criterion_fulfilled("trefferquote")] == 1.0
    assert data.metrics[keys.criterion_fulfilled("wartezeit_tage")] == 0.0
    assert data.metrics[keys.criterion_value("wartezeit_tage")] == 12
    assert data.metrics[keys.criterion_threshold("wartezeit_tage")] == 10
    assert math.isnan(data.metrics[keys.criterion_value("abdeckung")])
    assert data.metrics[keys.criterion_fulfilled("abdeckung")] == 0.0
    assert data.tags[keys.criterion_rule("trefferquote")] == ">= 0.9"


@pytest.mark.parametrize(("criteria", "message"), [
    ({"x": (1, 2, "=>")}, "unbekannter Vergleich '=>'"),
    ({"x": (1, 2)}, "Erfolgskriterium 'x' muss (wert, schwelle, operator) sein"),
    ({"x": ("viel", 2, ">")}, "Metrik 'x' muss eine Zahl sein"),
])
def test_bad_success_criteria_are_clear_errors(workspace: Path, criteria: dict, message: str) -> None:
    with tracking.start_run("kriterien"):
        with pytest.raises(SandboxError) as error:
            tracking.log_success_criteria(criteria)
    assert str(error.value).startswith(message)


def test_logging_outside_a_run_is_a_clear_error(workspace: Path) -> None:
    with pytest.raises(SandboxError, match="kein aktiver MLflow-Lauf"):
        tracking.log_metrics({"x": 1})
