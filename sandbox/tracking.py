"""MLflow wiring: where runs go, and a small logging API for notebooks and runners.

    from sandbox import tracking
    with tracking.start_run("wartezeiten", dataset="musterstadt", params={"modell": "gbm"}):
        ...
        tracking.log_metrics({"mae_tage": 3.2})
        tracking.log_success_criteria({"mae_tage": (3.2, 5.0, "<=")})

Runs go to ``$MLFLOW_TRACKING_URI`` when it is set, else to the MLflow server
of the running sandbox (``sandbox up``), else to the embedded store: a SQLite
database and an artifact folder in ``<workspace>/.sandbox/mlflow``, so
tracking works without any server. Each run records its data lineage (the
dataset as an MLflow dataset input whose digest is the manifest digest), the
git commit of the workspace, package versions, and wall and CPU time.

This module also reads the sandbox state file written by ``sandbox.services``
(a higher layer), so it knows the running server without importing services.
mlflow takes about 2 s to import, so it is imported inside the functions.
"""

from __future__ import annotations

import json
import math
import operator
import os
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from sandbox.config import workspace
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import mlflow
    from mlflow.tracking import MlflowClient

    from sandbox.datasets import Dataset

__all__ = [
    "tracking_uri",
    "embedded_uri",
    "check_reachable",
    "client",
    "start_run",
    "log_dataset",
    "log_metrics",
    "log_success_criteria",
    "criterion_met",
    "OPERATORS",
    "DIGEST_LENGTH",
    "state_dir",
    "store_dir",
    "read_state",
    "process_alive",
    "proc_stat",
]

DIGEST_LENGTH = 16  # MLflow stores dataset digests in 36 characters; the full digest goes to a tag
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}
_PACKAGES = {"sandbox": "experimentierraum", "numpy": "numpy", "pandas": "pandas",
             "sklearn": "scikit-learn", "mlflow": "mlflow"}


# --- sandbox state (written by sandbox.services) ---------------------------------------------

def state_dir() -> Path:
    """``<workspace>/.sandbox``: state file, logs and the embedded MLflow store (git-ignored)."""
    return workspace() / ".sandbox"


def store_dir() -> Path:
    """Folder of the MLflow store: ``mlflow.db`` and ``artifacts/``."""
    return state_dir() / "mlflow"


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state [0], pgrp [2], start time [19]); None if absent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_alive(pid: int | None, ticks: str | None = None) -> bool:
    """Whether a process lives (not a zombie nobody reaped) and, given its recorded start time, is still the same one."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): kill(0) is all we know
    return stat[0] not in ("Z", "X") and (ticks is None or stat[19] == ticks)


def read_state() -> dict[str, Any] | None:
    """The state of the sandbox started in this workspace, or None if there is none or it is unreadable."""
    try:
        state = json.loads((state_dir() / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("services"), dict) else None


# --- where runs go -----------------------------------------------------------------------------

def embedded_uri() -> str:
    """The embedded store: ``sqlite:///<workspace>/.sandbox/mlflow/mlflow.db``."""
    return f"sqlite:///{store_dir() / 'mlflow.db'}"


def tracking_uri() -> str:
    """$MLFLOW_TRACKING_URI, else the running sandbox's MLflow server, else the embedded SQLite store."""
    env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if env:
        return env
    server = (read_state() or {}).get("services", {}).get("mlflow", {})
    if server.get("url") and process_alive(server.get("pid"), server.get("ticks")):
        return str(server["url"])
    return embedded_uri()


def check_reachable(uri: str, timeout: float = 5.0) -> None:
    """Raise SandboxError if ``uri`` is an http(s) tracking server that does not answer."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout):
            return
    except urllib.error.HTTPError:
        return  # something answered; MLflow itself reports what is wrong
    except (urllib.error.URLError, OSError):
        pass
    raise SandboxError(f"tracking server {uri} is not reachable; start it with `sandbox up` "
                       "or unset MLFLOW_TRACKING_URI")


def _activate(uri: str) -> None:
    """Point mlflow at ``uri`` without pinning it: mlflow also exports it as MLFLOW_TRACKING_URI, which
    would outrank a sandbox started later in this process (a notebook kernel lives long)."""
    import mlflow

    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)


def _usable_uri() -> str:
    """:func:`tracking_uri`, checked to answer (a server) or with its folder made (the embedded store)."""
    uri = tracking_uri()
    check_reachable(uri)
    if uri == embedded_uri():
        store_dir().mkdir(parents=True, exist_ok=True)
    return uri


def client() -> "MlflowClient":
    """An MlflowClient for :func:`tracking_uri`, after checking that a server answers."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=_usable_uri())


def _experiment_id(mlflow_client: "MlflowClient", name: str) -> str:
    from mlflow.exceptions import MlflowException

    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            raise SandboxError(f"MLflow experiment {name!r} is deleted; restore it in the MLflow UI or choose another name")
        return str(found.experiment_id)
    location = None
    if mlflow_client.tracking_uri.startswith("sqlite:"):  # embedded: artifacts beside the database
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        location = (store_dir() / "artifacts" / safe).as_uri()
    try:
        return str(mlflow_client.create_experiment(name, artifact_location=location))
    except MlflowException:  # created meanwhile by a parallel run
        found = mlflow_client.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)


# --- what a run records ------------------------------------------------------------------------

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
        tags["sandbox.git.commit"] = tags["mlflow.source.git.commit"] = commit
        porcelain = _git("status", "--porcelain", "--untracked-files=no")
        if porcelain is not None:
            tags["sandbox.git.dirty"] = "true" if porcelain else "false"
    for label, dist in _PACKAGES.items():
        try:
            tags[f"sandbox.version.{label}"] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return tags


def _open_dataset(dataset: "Dataset | str | Path") -> "Dataset":
    from sandbox import datasets

    return dataset if isinstance(dataset, datasets.Dataset) else datasets.open(dataset)


def log_dataset(dataset: "Dataset | str | Path", context: str = "eingabe") -> "Dataset":
    """Log a generated dataset as an input of the active run (its lineage) and return it.

    The MLflow dataset is named after the dataset folder, its digest is the
    first :data:`DIGEST_LENGTH` characters of the manifest digest, its source
    is the folder, and its profile holds profile, seed and row counts. Params
    ``datensatz``, ``datensatz.profil``, ``datensatz.seed`` and the tag
    ``sandbox.datensatz.digest`` (full digest) make runs filterable by data.
    """
    import mlflow
    from mlflow.data.dataset_source_registry import get_dataset_source_from_json
    from mlflow.data.meta_dataset import MetaDataset

    _require_run()
    ds = _open_dataset(dataset)
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
    entity = ManifestDataset(source, name=ds.path.name, digest=ds.digest[:DIGEST_LENGTH])
    mlflow.log_input(entity, context=context)
    mlflow.log_params({"datensatz": ds.path.name, "datensatz.profil": m.get("profile"), "datensatz.seed": m.get("seed")})
    mlflow.set_tags({"sandbox.datensatz.digest": ds.digest, "sandbox.datensatz.pfad": str(ds.path.resolve())})
    return ds


@contextmanager
def start_run(
    experiment: str,
    dataset: "Dataset | str | Path | None" = None,
    *,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    run_name: str | None = None,
    run_id: str | None = None,
) -> Iterator["mlflow.ActiveRun"]:
    """Open an MLflow run in ``experiment`` (created if missing) and yield it.

    Sets the tracking URI (see :func:`tracking_uri`, checked to answer), logs
    ``params`` and ``tags``, the dataset lineage when ``dataset`` is given (a
    Dataset, a profile or folder name, or a path; see :func:`log_dataset`), the
    git commit and dirty flag, package versions, and at the end the metrics
    ``laufzeit_s`` (wall time) and ``cpu_zeit_s`` (CPU time of this process).
    ``run_id`` resumes an existing run (e.g. one a runner created). A run whose
    block raises is marked FAILED and the exception propagates.
    """
    import mlflow

    if not isinstance(experiment, str) or not experiment.strip():
        raise SandboxError(f"the experiment name must be a non-empty text, got {experiment!r}")
    ds = _open_dataset(dataset) if dataset is not None else None  # a missing dataset fails before the run
    uri = _usable_uri()
    _activate(uri)
    experiment_id = _experiment_id(mlflow.MlflowClient(tracking_uri=uri), experiment)
    wall, cpu = time.perf_counter(), time.process_time()
    with mlflow.start_run(run_id=run_id, experiment_id=None if run_id else experiment_id, run_name=run_name) as run:
        mlflow.set_tags({**_environment_tags(), **{k: str(v) for k, v in (tags or {}).items()}})
        if params:
            mlflow.log_params(dict(params))
        if ds is not None:
            log_dataset(ds)
        try:
            yield run
        finally:
            mlflow.log_metrics({"laufzeit_s": time.perf_counter() - wall, "cpu_zeit_s": time.process_time() - cpu})


# --- metrics and success criteria --------------------------------------------------------------

def _require_run() -> None:
    import mlflow

    if mlflow.active_run() is None:
        raise SandboxError("no active MLflow run; log inside `with tracking.start_run(\"experiment\"):`")


def _number(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SandboxError(f"metric {name!r} must be a number, got {value!r}") from None


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    """Log numeric metrics (numpy scalars welcome) to the active run."""
    import mlflow

    _require_run()
    mlflow.log_metrics({name: _number(name, value) for name, value in metrics.items()}, step=step)


def criterion_met(value: float, threshold: float, op: str) -> bool:
    """Whether ``value op threshold`` holds; NaN never meets a criterion."""
    if op not in OPERATORS:
        raise SandboxError(f"unknown comparison {op!r} in a success criterion; use one of: {', '.join(OPERATORS)}")
    return not (math.isnan(value) or math.isnan(threshold)) and OPERATORS[op](value, threshold)


def log_success_criteria(criteria: Mapping[str, tuple[Any, Any, str]]) -> dict[str, bool]:
    """Log success criteria ``{name: (value, threshold, op)}`` and return which are met.

    Per criterion the metrics ``kriterium.<name>.wert``, ``.schwelle`` and
    ``.erfuellt`` (1 or 0) and the tag ``kriterium.<name>.regel`` (e.g.
    ``">= 0.9"``) are logged, so comparisons can show rule and outcome.
    """
    import mlflow

    _require_run()
    met: dict[str, bool] = {}
    metrics: dict[str, float] = {}
    tags: dict[str, str] = {}
    for name, spec in criteria.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 3:
            raise SandboxError(f"success criterion {name!r} must be (value, threshold, op), got {spec!r}")
        value, threshold, op = _number(name, spec[0]), _number(name, spec[1]), str(spec[2])
        met[name] = criterion_met(value, threshold, op)
        metrics.update({f"kriterium.{name}.wert": value, f"kriterium.{name}.schwelle": threshold,
                        f"kriterium.{name}.erfuellt": float(met[name])})
        tags[f"kriterium.{name}.regel"] = f"{op} {threshold:g}"
    mlflow.log_metrics(metrics)
    mlflow.set_tags(tags)
    return met
