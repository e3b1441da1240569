"""The success-criterion operators, shared by tracking and experiments (tracking.criteria)."""

from __future__ import annotations

import math

import pytest

from sandbox.errors import SandboxError
from sandbox.tracking.criteria import OPERATORS, criterion_met


@pytest.mark.parametrize(("value", "threshold", "op", "expected"), [
    (1.0, 1.0, ">=", True), (1.0, 1.0, ">", False), (1.0, 1.0, "<=", True), (0.9, 1.0, "<", True), (2.0, 2.0, "==", True),
])
def test_criterion_met(value: float, threshold: float, op: str, expected: bool) -> None:
    assert criterion_met(value, threshold, op) is expected


def test_nan_never_meets_and_an_unknown_operator_names_the_known_ones() -> None:
    assert not criterion_met(math.nan, 1.0, "<=") and not criterion_met(1.0, math.nan, ">=")
    with pytest.raises(SandboxError, match="unbekannter Vergleich '=>'.*erlaubt: >=, >, <=, <, =="):
        criterion_met(1.0, 1.0, "=>")
    assert list(OPERATORS) == [">=", ">", "<=", "<", "=="]
