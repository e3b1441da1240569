"""A run and what it records: data lineage, git commit, package versions, wall and CPU time.

:func:`start_run` is the one way the sandbox opens a run (notebooks, the
experiment runner, tests): it logs the dataset as an MLflow dataset input
whose digest is the manifest digest (:func:`log_dataset`), the git commit of
the workspace and whether it was dirty, the versions of the main packages,
and at the end the wall and CPU time. Every name it writes comes from
:mod:`sandbox.tracking.keys`.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from sandbox.config import workspace
from sandbox.errors import SandboxError
from sandbox.tracking import keys
from sandbox.tracking.guard import close_orphans, process_tag
from sandbox.tracking.metrics import require_run
from sandbox.tracking.store import activate, experiment_id, usable_uri

PARTICIPANT_ENV = "SANDBOX_TEILNEHMER"  # set in a workshop participant's container (sandbox.workshop)

if TYPE_CHECKING:
    import mlflow

    from sandbox.datasets import Dataset

__all__ = ["start_run", "seat_experiment", "log_dataset", "dataset_entity", "DIGEST_LENGTH", "PARTICIPANT_ENV"]

DIGEST_LENGTH = 16  # MLflow stores dataset digests in 36 characters; the full digest goes to a tag
_PACKAGES = {"sandbox": "experimentierraum", "numpy": "numpy", "pandas": "pandas",
             "sklearn": "scikit-learn", "mlflow": "mlflow"}


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=workspace(), capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _environment_tags() -> dict[str, str]:
    tags: dict[str, str] = {}
    commit = _git("rev-parse", "HEAD")
    if commit:
        tags[keys.GIT_COMMIT] = tags[keys.MLFLOW_GIT_COMMIT] = commit
        porcelain = _git("status", "--porcelain", "--untracked-files=no")
        if porcelain is not None:
            tags[keys.GIT_DIRTY] = "true" if porcelain else "false"
    for label, dist in _PACKAGES.items():
        try:
            tags[keys.version(label)] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return tags


def _open_dataset(dataset: "Dataset | str | Path") -> "Dataset":
    from sandbox import datasets

    return dataset if isinstance(dataset, datasets.Dataset) else datasets.open(dataset)


def dataset_entity(ds: "Dataset") -> Any:
    """The MLflow dataset of a generated dataset: named after its folder, digest the first
    :data:`DIGEST_LENGTH` characters of the manifest digest, source the folder, profile the manifest's
    profile, seed and row counts. MLflow keeps one per experiment, name and digest."""
    from mlflow.data.dataset_source_registry import get_dataset_source_from_json
    from mlflow.data.meta_dataset import MetaDataset

    m = ds.manifest
    profile = {"profil": m.get("profile"), "seed": m.get("seed"), "einwohner": m.get("population"),
               "stichtag": m.get("stichtag"), "generator_version": m.get("generator_version"),
               "zeilen": {name: info.get("rows") for name, info in m.get("tables", {}).items()}}

    class ManifestDataset(MetaDataset):
        @property
        def profile(self) -> dict[str, Any]:
            return profile

        def to_dict(self) -> dict[str, str]:
            return {**super().to_dict(), "profile": json.dumps(profile, ensure_ascii=False)}

    source = get_dataset_source_from_json(json.dumps({"uri": str(ds.path.resolve())}), "local")
    return ManifestDataset(source, name=ds.path.name, digest=ds.digest[:DIGEST_LENGTH])


def log_dataset(dataset: "Dataset | str | Path", context: str = "eingabe") -> "Dataset":
    """Log a generated dataset as an input of the active run (its lineage, :func:`dataset_entity`) and
    return it. Params ``datensatz``, ``datensatz.profil``, ``datensatz.seed`` and the tag
    ``sandbox.datensatz.digest`` (full digest) make runs filterable by data.
    """
    import mlflow

    require_run()
    ds = _open_dataset(dataset)
    m = ds.manifest
    mlflow.log_input(dataset_entity(ds), context=context)
    mlflow.log_params({keys.DATASET: ds.path.name, keys.DATASET_PROFILE: m.get("profile"),
                       keys.DATASET_SEED: m.get("seed")})
    mlflow.set_tags({keys.DATASET_DIGEST: ds.digest, keys.DATASET_PATH: str(ds.path.resolve())})
    return ds


def seat_experiment(experiment: str) -> str:
    """The MLflow experiment a run goes to: in a workshop seat always the participant's own.

    A participant's container sets ``SANDBOX_TEILNEHMER`` and ``MLFLOW_EXPERIMENT_NAME``
    (``<workshop>-tnNN``); every run the sandbox opens there (``experiment run``,
    ``run_experiment``, the notebooks) lands in that experiment, whatever name the notebook
    uses, so participants never share or overwrite an experiment and ``workshop collect``
    finds every run. The requested name stays as the tag ``sandbox.experiment``. Plain
    ``mlflow.start_run()`` uses ``MLFLOW_EXPERIMENT_NAME`` by itself.
    """
    seat, own = os.environ.get(PARTICIPANT_ENV), os.environ.get("MLFLOW_EXPERIMENT_NAME")
    return own if seat and own else experiment


@contextmanager
def start_run(
    experiment: str,
    dataset: "Dataset | str | Path | None" = None,
    *,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    run_name: str | None = None,
    run_id: str | None = None,
    cpu_clock: Callable[[], float] = time.process_time,
) -> Iterator["mlflow.ActiveRun"]:
    """Open an MLflow run in ``experiment`` (created if missing) and yield it.

    Sets the tracking URI (see :func:`sandbox.tracking.tracking_uri`, checked
    to answer), logs ``params`` and ``tags``, the dataset lineage when
    ``dataset`` is given (a Dataset, a profile or folder name, or a path; see
    :func:`log_dataset`), the git commit and dirty flag, package versions, and
    at the end the metrics ``laufzeit_s`` (wall time) and ``cpu_zeit_s`` (CPU
    time of this process, or of this thread with ``cpu_clock=time.thread_time`` where other threads work
    beside it). ``run_id`` resumes an existing run (e.g. one a
    runner created). A run whose block raises is marked FAILED and the
    exception propagates.
    """
    import mlflow

    if not isinstance(experiment, str) or not experiment.strip():
        raise SandboxError(f"der Experimentname muss ein nicht leerer Text sein, nicht {experiment!r}")
    requested, experiment = experiment, seat_experiment(experiment)
    if requested != experiment:
        tags = {keys.EXPERIMENT: requested, **(tags or {})}
    ds = _open_dataset(dataset) if dataset is not None else None  # a missing dataset fails before the run
    uri = usable_uri()
    activate(uri)
    mlflow_client = mlflow.MlflowClient(tracking_uri=uri)
    found = experiment_id(mlflow_client, experiment)
    close_orphans(mlflow_client, found)  # runs of killed processes end KILLED, not RUNNING forever
    wall, cpu = time.perf_counter(), cpu_clock()
    with mlflow.start_run(run_id=run_id, experiment_id=None if run_id else found, run_name=run_name) as run:
        mlflow.set_tags({**_environment_tags(), keys.PROCESS: process_tag(),
                         **{k: str(v) for k, v in (tags or {}).items()}})
        if params:
            mlflow.log_params(dict(params))
        if ds is not None:
            log_dataset(ds)
        try:
            yield run
        finally:
            mlflow.log_metrics({keys.WALL_TIME: round(time.perf_counter() - wall, keys.COST_DECIMALS),
                                keys.CPU_TIME: round(cpu_clock() - cpu, keys.COST_DECIMALS)})
