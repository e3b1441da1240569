"""``sandbox experiment list``: every experiment folder with its latest tracked run.

The success criteria shown are the ones logged with the run (through
:func:`sandbox.tracking.log_success_criteria`), not the current
experiment.yaml, so an edited threshold never rewrites history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox import tracking
from sandbox.experiments.specs import Experiment, list_experiments
from sandbox.tracking import keys, scorecards

__all__ = ["Summary", "CriterionResult", "overview"]

@dataclass(frozen=True)
class CriterionResult:
    """A logged success criterion: metric, rule (e.g. ``>= 0.8``), value and whether it was met."""

    name: str
    rule: str
    value: float | None
    met: bool


@dataclass(frozen=True)
class Summary:
    """An experiment and its latest run (``status`` None: never run)."""

    experiment: Experiment
    runs: int = 0
    status: str | None = None
    run_id: str | None = None
    seed: str | None = None
    started: dt.datetime | None = None
    criteria: list[CriterionResult] = field(default_factory=list)
    error: str | None = None

    @property
    def met(self) -> int:
        return sum(c.met for c in self.criteria)


def overview(root: Path | None = None, problems: list[str] | None = None) -> list[Summary]:
    """One :class:`Summary` per readable experiment folder, by name; broken folders go to ``problems``."""
    experiments = list_experiments(root, problems)
    if not experiments:
        return []
    client = tracking.client()
    return [_summary(client, exp) for exp in experiments]


def _summary(client: Any, exp: Experiment) -> Summary:
    found = client.get_experiment_by_name(exp.name)
    if found is None or found.lifecycle_stage == "deleted":
        return Summary(exp)
    runs = client.search_runs([found.experiment_id], order_by=["attributes.start_time DESC"], max_results=1000)
    runs = [r for r in runs if not scorecards.is_scorecard(r)]  # scorecards stored among the runs before the split
    if not runs:
        return Summary(exp)
    latest = runs[0]
    metrics, tags = latest.data.metrics, latest.data.tags
    criteria = []
    for key in sorted(metrics):
        name = keys.fulfilled_criterion(key)
        if name is not None:
            value = metrics.get(keys.criterion_value(name))
            criteria.append(CriterionResult(name, tags.get(keys.criterion_rule(name), ""),
                                            None if value is None or value != value else value, metrics[key] == 1.0))
    started = dt.datetime.fromtimestamp(latest.info.start_time / 1000) if latest.info.start_time else None
    return Summary(exp, len(runs), latest.info.status, latest.info.run_id, tags.get(keys.SEED), started,
                   criteria, tags.get(keys.ERROR))
