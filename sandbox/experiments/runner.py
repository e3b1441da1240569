"""``sandbox experiment run``: execute an experiment's notebook per sweep point, tracked in MLflow.

Everything the user can get wrong (unknown experiment or template, an
undeclared or mistyped parameter or grid value, a missing dataset or table,
an unreachable tracking server or scheduler) is checked in :func:`plan`
before the first run starts, so a bad command creates nothing. A run
request is a sweep (:mod:`sandbox.experiments.sweep`): seeds x parameter
sets x profiles, one MLflow run per point in the MLflow experiment named
like the experiment folder, created up front by :mod:`ledger` and executed
by :func:`sandbox.experiments.worker.run_task` in this process or on Dask
(:mod:`cluster`). A notebook that raises marks its run FAILED with the
cell's error; the other runs go on.
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sandbox import tracking
from sandbox.errors import SandboxError
from sandbox.experiments.cluster import ClusterSpec, open_executor, parse_cluster
from sandbox.experiments.ledger import Ledger, new_sweep_id
from sandbox.experiments.params import Value, resolve_values
from sandbox.experiments.specs import EXPERIMENT_FILE, Experiment, load_experiment
from sandbox.experiments.sweep import Coordinates, DataRef, Job, Task, bundle, bundle_digest, coordinates, definition_digest
from sandbox.experiments.templates import Template, load_template
from sandbox.experiments.worker import RunResult
from sandbox.state import process_alive
from sandbox.tracking import keys

if TYPE_CHECKING:
    from sandbox.datasets import Dataset

__all__ = ["Plan", "RunResult", "plan", "run_experiment", "execute_plan", "Progress"]

_TAG_LIMIT = 4000
Progress = Callable[[RunResult, int, int], None]  # (result, done, total), as each run ends


@dataclass(frozen=True)
class Plan:
    """A validated run request: what runs, with which values, on which data, tracked where, executed how."""

    experiment: Experiment
    template: Template
    values: dict[str, Any]
    seeds: list[int]
    dataset: "Dataset"
    tracking_uri: str
    grid: dict[str, list[Value]] = field(default_factory=dict)
    datasets: dict[str, "Dataset"] = field(default_factory=dict)  # profile coordinate -> dataset
    cluster: ClusterSpec = ClusterSpec("none")

    @property
    def points(self) -> list[Coordinates]:
        return coordinates(self.seeds, list(self.datasets), self.grid)


def plan(name: str, params: Mapping[str, Any] | None = None, seeds: Sequence[int] | None = None,
         root: Path | None = None, grid: Mapping[str, Sequence[str]] | None = None,
         profiles: Sequence[str] | None = None, cluster: str | None = None) -> Plan:
    """Check a run request completely, without creating anything."""
    experiment = load_experiment(name, root)
    template = load_template(experiment.template)
    params, grid = dict(params or {}), dict(grid or {})
    if seeds is not None and "seed" in params:
        raise SandboxError("den Seed entweder mit --seeds oder mit --param seed=... angeben, nicht beides")
    if profiles is not None and "datensatz" in params:
        raise SandboxError("Datensatz entweder mit --profiles oder mit --param datensatz=... angeben, nicht beides")
    for pname in grid:
        if pname in ("seed", "datensatz"):
            raise SandboxError(f"--grid {pname}: Seeds mit --seeds, Datensätze mit --profiles angeben")
        if pname in params:
            raise SandboxError(f"Parameter {pname} steht in --param und --grid; nur eines von beiden angeben")
    values = resolve_values(template.parameters, [(EXPERIMENT_FILE, experiment.settings()), ("--param", params)])
    declared = template.parameters
    for pname in grid:
        if pname not in declared:
            raise SandboxError(f"unbekannter Parameter {pname!r} (--grid); die Vorlage kennt: {', '.join(declared)}")
    sweep = {p: [declared[p].coerce(v, "--grid") for v in vs] for p, vs in grid.items()}
    seed_param = template.parameters["seed"]
    seed_list = [int(seed_param.coerce(s, "--seeds")) for s in seeds] if seeds else [int(values["seed"])]
    if not experiment.notebook.is_file():
        raise SandboxError(f"{experiment.notebook} fehlt; bitte aus templates/{template.name}/notebook.ipynb kopieren")
    opened = {label: _open_dataset(label, template) for label in (profiles or [str(values["datensatz"])])}
    points = len(seed_list) * len(opened) * _product(len(v) for v in sweep.values())
    spec = parse_cluster(cluster, points)
    uri = tracking.tracking_uri()
    tracking.check_reachable(uri)
    return Plan(experiment, template, values, seed_list, next(iter(opened.values())), uri, sweep, opened, spec)


def _product(sizes: Any) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total


def _open_dataset(label: str, template: Template) -> "Dataset":
    from sandbox import datasets

    dataset = datasets.open(label)
    missing = [t for t in template.tables if t not in dataset.tables]
    if missing:
        m = dataset.manifest
        raise SandboxError(f"Datensatz {dataset.path.name} hat keine Tabelle {', '.join(missing)} (mit einer älteren "
                           f"Version erzeugt?); neu erzeugen: sandbox data generate --profile {m.get('profile')} "
                           f"--seed {m.get('seed')} --force")
    return dataset


def run_experiment(name: str, params: Mapping[str, Any] | None = None, seeds: Sequence[int] | None = None,
                   root: Path | None = None, progress: Progress | None = None, *,
                   grid: Mapping[str, Sequence[str]] | None = None, profiles: Sequence[str] | None = None,
                   cluster: str | None = None, resume: bool = False) -> list[RunResult]:
    """Plan and execute: one MLflow run per sweep point. See :func:`plan` for what is checked first.

    This is the one way to run an experiment over seeds, parameter sets and municipality profiles.
    """
    return execute_plan(plan(name, params, seeds, root, grid, profiles, cluster), progress, resume=resume)


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


def _run_name(request: Plan, point: Coordinates) -> str:
    name = f"{request.experiment.name}-seed{point.seed}"
    if len(request.datasets) > 1:
        name += f"-{point.profile}"
    return name + "".join(f"-{k}{v}" for k, v in point.grid)


def execute_plan(request: Plan, progress: Progress | None = None, resume: bool = False,
                 on_ready: Callable[[str | None], None] | None = None) -> list[RunResult]:
    """Create the sweep's runs and execute them (see the module docstring); results in the order of the points.

    ``on_ready`` hears the Dask dashboard's address (None without Dask) once the cluster is up.
    """
    clean_stale_run_folders()
    exp, points = request.experiment, request.points
    refs = {label: DataRef.of(ds) for label, ds in request.datasets.items()}
    base = {k: v for k, v in request.values.items() if k not in ("datensatz", "seed")}
    definition = definition_digest(exp.name, base, points, refs)
    files = bundle(exp.path)
    note = f"**Fragestellung:** {exp.question}\n\n**Hypothese:** {exp.hypothesis}"
    job = Job(exp.name, str(exp.path.resolve()), files, tuple(exp.criteria), request.tracking_uri,
              bundle_digest(files), note, socket.gethostname())
    tags = {keys.EXPERIMENT: exp.name, keys.TEMPLATE: request.template.name, keys.QUESTION: exp.question,
            keys.HYPOTHESIS: exp.hypothesis, keys.TEAM: "; ".join(exp.team), keys.NOTE: note}
    if len(request.datasets) > 1:
        tags[keys.TRANSFER] = exp.name
    ledger: Ledger | None = None
    done: dict[str, RunResult] = {}
    try:
        with open_executor(request.cluster) as executor:
            if on_ready:
                on_ready(executor.dashboard)
            ledger = Ledger(request.tracking_uri, exp.name, _per_profile(request), description=note)
            sweep, existing = ledger.previous(definition) if resume else (new_sweep_id(), {})
            run_ids, finished = ledger.schedule(sweep, definition, points, tags,
                                                [_run_name(request, p) for p in points], existing, request.datasets)
            tasks = [Task(p, p.run_key(sweep), run_id, {**base, "seed": p.seed, **dict(p.grid)}, refs[p.profile], job)
                     for p, run_id in zip(points, run_ids) if p.run_key(sweep) not in finished]
            done.update({key: _finished(finished[key], p, key, exp) for p in points
                         if (key := p.run_key(sweep)) in finished})
            executor.run(tasks, _heard(done, len(points), progress), _failed(ledger))
    except KeyboardInterrupt:  # after the cluster closed: no worker of ours can still move a run to RUNNING
        if ledger is not None:
            reported = {r.run_id for r in done.values()}
            ledger.kill([run_id for run_id in ledger.scheduled if run_id not in reported])
        raise
    return [done[p.run_key(sweep)] for p in points]


def _per_profile(request: Plan) -> dict[str, str] | None:
    """On several profiles each profile's runs go to the MLflow experiment ``<name>@<profile>``
    (what ``sandbox compare --transfer`` reads); on one, all runs stay in ``<name>``."""
    if len(request.datasets) < 2:
        return None
    profiles = {label: str(ds.manifest.get("profile") or label) for label, ds in request.datasets.items()}
    if len(set(profiles.values())) < len(profiles):  # two datasets of one profile: name them by dataset
        profiles = {label: label for label in profiles}
    return {label: keys.transfer_experiment(request.experiment.name, name) for label, name in profiles.items()}


def _heard(done: dict[str, RunResult], total: int, progress: Progress | None) -> Callable[[RunResult], None]:
    def heard(result: RunResult) -> None:
        done[result.key] = result
        if progress:
            progress(result, len(done), total)
    for result in list(done.values()):
        heard(result)
    return heard


def _failed(ledger: Ledger) -> Callable[[Task, BaseException], RunResult]:
    """A task that raised (dataset not obtainable, worker died too often): its run ends FAILED with the reason."""
    def failed(task: Task, exc: BaseException) -> RunResult:
        error = str(exc) if isinstance(exc, SandboxError) else f"{type(exc).__name__}: {exc}"
        if ledger.status(task.run_id) != "FINISHED":
            ledger.fail(task.run_id, error)
        return RunResult(task.coords.seed, task.run_id, "FAILED", {}, error=error, coords=task.coords, key=task.key)
    return failed


def _finished(run: Any, point: Coordinates, key: str, exp: Experiment) -> RunResult:
    """A run that finished in the resumed sweep, as a result (criteria judged again from its metrics)."""
    from sandbox.experiments.criteria import evaluate

    metrics = dict(run.data.metrics)
    return RunResult(point.seed, run.info.run_id, "FINISHED", metrics, evaluate(exp.criteria, metrics),
                     seconds=metrics.get(keys.NOTEBOOK_WALL_TIME, 0.0), coords=point, key=key, worker="übersprungen")
