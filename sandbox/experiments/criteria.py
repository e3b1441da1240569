"""Success criteria: a metric, a comparison and a threshold, with a German sentence.

Declared in template.yaml (and copied into experiment.yaml, where a team may
tighten them), evaluated by the runner against the metrics a notebook
recorded. A criterion whose metric is missing counts as not met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from sandbox.errors import SandboxError
from sandbox.german import significant
from sandbox.tracking.criteria import OPERATORS, criterion_met

__all__ = ["Criterion", "Outcome", "parse_criteria", "evaluate"]


@dataclass(frozen=True)
class Criterion:
    """``metric operator threshold``, e.g. ``macro_f1 >= 0.8``."""

    metric: str
    operator: str
    threshold: float
    description: str

    def __str__(self) -> str:
        return f"{self.metric} {self.operator} {significant(self.threshold, 4)}"

    def to_yaml(self) -> dict[str, Any]:
        return {"metrik": self.metric, "operator": self.operator, "schwelle": self.threshold,
                "beschreibung": self.description}


@dataclass(frozen=True)
class Outcome:
    """A criterion evaluated against one run's metrics (``value`` None: metric missing)."""

    criterion: Criterion
    value: float | None
    met: bool


def parse_criteria(raw: Any, where: str) -> list[Criterion]:
    """The ``erfolgskriterien`` list of a YAML file, checked."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SandboxError(f"{where}: erfolgskriterien muss eine Liste von {{metrik, operator, schwelle, beschreibung}} sein")
    out: list[Criterion] = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not {"metrik", "operator", "schwelle"} <= set(item):
            raise SandboxError(f"{where}: Erfolgskriterium {index} braucht metrik, operator und schwelle")
        if item["operator"] not in OPERATORS:
            raise SandboxError(f"{where}: Erfolgskriterium {index} hat den Operator {item['operator']!r}; "
                               f"erlaubt: {' '.join(OPERATORS)}")
        threshold = item["schwelle"]
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
            raise SandboxError(f"{where}: Erfolgskriterium {index} braucht eine Zahl als schwelle, nicht {threshold!r}")
        out.append(Criterion(str(item["metrik"]), item["operator"], float(threshold),
                             str(item.get("beschreibung") or "")))
    return out


def evaluate(criteria: list[Criterion], metrics: Mapping[str, float]) -> list[Outcome]:
    """Each criterion against ``metrics``; a missing or NaN metric is not met."""
    outcomes = []
    for criterion in criteria:
        raw = metrics.get(criterion.metric)
        value = None if raw is None or math.isnan(raw) else float(raw)
        met = value is not None and criterion_met(value, criterion.threshold, criterion.operator)
        outcomes.append(Outcome(criterion, value, met))
    return outcomes
