"""``sandbox experiment run``: execute an experiment's notebook once per seed, tracked in MLflow.

Everything the user can get wrong (unknown experiment or template, an
undeclared or mistyped parameter, a missing dataset or table, an unreachable
tracking server) is checked in :func:`plan` before the first run starts, so
a bad command creates nothing. Then each seed is one MLflow run in the MLflow
experiment named like the experiment folder: parameters, the dataset lineage
(via :mod:`sandbox.tracking`), the executed notebook, the recorded metrics
and tables, and the success criteria. A notebook that raises marks its run
FAILED with the cell's error; earlier runs stay as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sandbox import tracking
from sandbox.errors import SandboxError
from sandbox.experiments.criteria import Outcome, evaluate
from sandbox.experiments.execute import KERNEL_LOG, Execution, execute
from sandbox.experiments.params import resolve_values
from sandbox.experiments.specs import EXPERIMENT_FILE, Experiment, load_experiment
from sandbox.experiments.templates import Template, load_template
from sandbox.state import process_alive
from sandbox.tracking import keys

if TYPE_CHECKING:
    from sandbox.datasets import Dataset

__all__ = ["Plan", "RunResult", "plan", "run_experiment", "execute_plan"]

_TAG_LIMIT = 4000


@dataclass(frozen=True)
class Plan:
    """A validated run request: what runs, with which values, on which data, tracked where."""

    experiment: Experiment
    template: Template
    values: dict[str, Any]
    seeds: list[int]
    dataset: "Dataset"
    tracking_uri: str


@dataclass(frozen=True)
class RunResult:
    """One seed's MLflow run."""

    seed: int
    run_id: str
    status: str
    metrics: dict[str, float]
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


def plan(name: str, params: Mapping[str, Any] | None = None, seeds: Sequence[int] | None = None,
         root: Path | None = None) -> Plan:
    """Check a run request completely, without creating anything."""
    from sandbox import datasets

    experiment = load_experiment(name, root)
    template = load_template(experiment.template)
    params = dict(params or {})
    if seeds is not None and "seed" in params:
        raise SandboxError("den Seed entweder mit --seeds oder mit --param seed=... angeben, nicht beides")
    values = resolve_values(template.parameters, [(EXPERIMENT_FILE, experiment.settings()), ("--param", params)])
    seed_param = template.parameters["seed"]
    seed_list = [int(seed_param.coerce(s, "--seeds")) for s in seeds] if seeds else [int(values["seed"])]
    if not experiment.notebook.is_file():
        raise SandboxError(f"{experiment.notebook} fehlt; bitte aus templates/{template.name}/notebook.ipynb kopieren")
    dataset = datasets.open(str(values["datensatz"]))
    missing = [t for t in template.tables if t not in dataset.tables]
    if missing:
        m = dataset.manifest
        raise SandboxError(f"Datensatz {dataset.path.name} hat keine Tabelle {', '.join(missing)} (mit einer älteren "
                           f"Version erzeugt?); neu erzeugen: sandbox data generate --profile {m.get('profile')} "
                           f"--seed {m.get('seed')} --force")
    uri = tracking.tracking_uri()
    tracking.check_reachable(uri)
    return Plan(experiment, template, values, seed_list, dataset, uri)


def run_experiment(name: str, params: Mapping[str, Any] | None = None, seeds: Sequence[int] | None = None,
                   root: Path | None = None, progress: Callable[[int, int], None] | None = None) -> list[RunResult]:
    """Plan and execute: one MLflow run per seed. See :func:`plan` for what is checked first."""
    return execute_plan(plan(name, params, seeds, root), progress)


_RUN_FOLDER = re.compile(r"^sandbox-run-(\d+)-")


def clean_stale_run_folders(root: Path | None = None) -> list[Path]:
    """Remove the temporary run folders that killed runners left in ``root`` (default: the system's temp folder)."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob("sandbox-run-*"):
        found = _RUN_FOLDER.match(folder.name)
        if found and folder.is_dir() and not process_alive(int(found.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def execute_plan(request: Plan, progress: Callable[[int, int], None] | None = None) -> list[RunResult]:
    """Run every seed of a checked :class:`Plan`; a failing seed does not stop the others."""
    clean_stale_run_folders()
    results = []
    for index, seed in enumerate(request.seeds):
        if progress:
            progress(seed, index)
        results.append(_run_seed(request, seed))
    return results


class _NotebookFailed(Exception):
    """Raised inside the MLflow run so that it ends FAILED."""


def _run_seed(request: Plan, seed: int) -> RunResult:
    import mlflow

    exp, template = request.experiment, request.template
    params = {k: v for k, v in request.values.items() if k != "datensatz"} | {"seed": seed}
    tags = {keys.EXPERIMENT: exp.name, keys.TEMPLATE: template.name, keys.SEED: seed,
            keys.QUESTION: exp.question[:_TAG_LIMIT], keys.HYPOTHESIS: exp.hypothesis[:_TAG_LIMIT],
            keys.TEAM: "; ".join(exp.team)[:_TAG_LIMIT],
            keys.NOTE: f"**Fragestellung:** {exp.question}\n\n**Hypothese:** {exp.hypothesis}"}
    outcome: Execution | None = None
    outcomes: list[Outcome] = []
    run_id = ""
    with tempfile.TemporaryDirectory(prefix=f"sandbox-run-{os.getpid()}-{exp.name}-") as tmp:
        try:
            with tracking.start_run(exp.name, request.dataset, params=params, tags=tags,
                                    run_name=f"{exp.name}-seed{seed}") as run:
                run_id = run.info.run_id
                mlflow.log_artifact(str(exp.path / EXPERIMENT_FILE))
                values = {**request.values, "datensatz": str(request.dataset.path), "seed": seed}
                outcome = execute(exp.notebook, values, exp.path, Path(tmp))
                _log_execution(outcome)
                if not outcome.ok:
                    raise _NotebookFailed(outcome.error)
                outcomes = evaluate(exp.criteria, outcome.record.metrics if outcome.record else {})
                _log_outcomes(outcomes)
        except _NotebookFailed:
            pass
    assert outcome is not None
    metrics = outcome.record.metrics if outcome.record else {}
    return RunResult(seed, run_id, "FINISHED" if outcome.ok else "FAILED", metrics, outcomes, outcome.error,
                     outcome.wall_seconds)


def _log_execution(outcome: Execution) -> None:
    import mlflow

    if outcome.notebook.is_file():
        mlflow.log_artifact(str(outcome.notebook))
    if outcome.record is not None:
        tracking.log_metrics(outcome.record.metrics)
        if outcome.record.cpu_seconds is not None:
            tracking.log_metrics({keys.NOTEBOOK_CPU_TIME: outcome.record.cpu_seconds})
        for table in outcome.record.tables:
            if table.is_file():
                mlflow.log_artifact(str(table), artifact_path="tabellen")
    tracking.log_metrics({keys.NOTEBOOK_WALL_TIME: outcome.wall_seconds})
    if outcome.error:
        mlflow.set_tags({keys.ERROR: outcome.error[:_TAG_LIMIT],
                         keys.NOTE: f"**Fehlgeschlagen:** {outcome.error}"})
        mlflow.log_text(outcome.traceback or outcome.error, "fehler.txt")
        log = outcome.notebook.parent / KERNEL_LOG
        if log.is_file() and log.stat().st_size:
            mlflow.log_artifact(str(log))


def _log_outcomes(outcomes: list[Outcome]) -> None:
    """Success criteria through tracking: ``kriterium.<metric>.wert/.schwelle/.erfuellt``."""
    import math

    named: dict[str, tuple[float, float, str]] = {}
    for o in outcomes:
        key = o.criterion.metric
        while key in named:  # two criteria on one metric (a band): keep both
            key += "_2"
        named[key] = (math.nan if o.value is None else o.value, o.criterion.threshold, o.criterion.operator)
    if named:
        tracking.log_success_criteria(named)
