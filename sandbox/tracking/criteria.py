"""Success-criterion comparisons: ``value op threshold`` with ``op`` one of :data:`OPERATORS`.

The one home of the operators: ``sandbox.experiments.criteria`` checks the
``operator`` of a template's criteria against them, and
:func:`sandbox.tracking.log_success_criteria` judges with them. Tracking sits
below experiments in the layers, so both import from here; nothing here needs
MLflow.
"""

from __future__ import annotations

import math
import operator
from typing import Callable

from sandbox.errors import SandboxError

__all__ = ["OPERATORS", "criterion_met"]

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


def criterion_met(value: float, threshold: float, op: str) -> bool:
    """Whether ``value op threshold`` holds; NaN never meets a criterion."""
    if op not in OPERATORS:
        raise SandboxError(f"unbekannter Vergleich {op!r} in einem Erfolgskriterium; erlaubt: {', '.join(OPERATORS)}")
    return not (math.isnan(value) or math.isnan(threshold)) and OPERATORS[op](value, threshold)
