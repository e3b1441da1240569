"""Metrics and success criteria of the active run.

``log_metrics`` takes any numbers (numpy scalars welcome);
``log_success_criteria`` logs each criterion's value, threshold, outcome and
rule under the names of :mod:`sandbox.tracking.keys`, so ``sandbox experiment
list`` and ``sandbox compare`` show rule and outcome of every run.
"""

from __future__ import annotations

from typing import Any, Mapping

from sandbox.errors import SandboxError
from sandbox.tracking import keys
from sandbox.tracking.criteria import criterion_met

__all__ = ["log_metrics", "log_success_criteria", "require_run"]


def require_run() -> None:
    """Raise SandboxError unless an MLflow run is active."""
    import mlflow

    if mlflow.active_run() is None:
        raise SandboxError("kein aktiver MLflow-Lauf; bitte innerhalb von `with tracking.start_run(\"experiment\"):` protokollieren")


def _number(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SandboxError(f"Metrik {name!r} muss eine Zahl sein, nicht {value!r}") from None


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    """Log numeric metrics (numpy scalars welcome) to the active run."""
    import mlflow

    require_run()
    mlflow.log_metrics({name: _number(name, value) for name, value in metrics.items()}, step=step)


def log_success_criteria(criteria: Mapping[str, tuple[Any, Any, str]]) -> dict[str, bool]:
    """Log success criteria ``{name: (value, threshold, op)}`` and return which are met.

    Per criterion the metrics ``kriterium.<name>.wert``, ``.schwelle`` and
    ``.erfuellt`` (1 or 0) and the tag ``kriterium.<name>.regel`` (e.g.
    ``">= 0.9"``) are logged, so comparisons can show rule and outcome.
    """
    import mlflow

    require_run()
    met: dict[str, bool] = {}
    metrics: dict[str, float] = {}
    tags: dict[str, str] = {}
    for name, spec in criteria.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 3:
            raise SandboxError(f"Erfolgskriterium {name!r} muss (wert, schwelle, operator) sein, nicht {spec!r}")
        value, threshold, op = _number(name, spec[0]), _number(name, spec[1]), str(spec[2])
        met[name] = criterion_met(value, threshold, op)
        metrics.update({keys.criterion_value(name): value, keys.criterion_threshold(name): threshold,
                        keys.criterion_fulfilled(name): float(met[name])})
        tags[keys.criterion_rule(name)] = f"{op} {threshold:g}"
    mlflow.log_metrics(metrics)
    mlflow.set_tags(tags)
    return met
