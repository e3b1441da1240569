"""A sweep: the coordinates of a run request and the self-contained tasks a worker executes.

``sandbox experiment run NAME --seeds 1-10 --grid schwelle=0.8,0.9 --profiles a,b``
asks for the cartesian product of seeds, parameter sets and municipality
profiles (datasets); each point is one :class:`Coordinates`, one papermill
execution and one MLflow run. A single ``experiment run NAME`` is the sweep
with one point. Everything a worker needs travels in the :class:`Task`: the
experiment folder's files (:class:`Job`), the parameter values, and a
:class:`DataRef` by which any worker can find the dataset or rebuild it from
profile and seed and verify the manifest digest. This module is pure: no
MLflow, no Dask; :mod:`ledger` creates the runs, :mod:`worker` executes tasks.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from sandbox.errors import SandboxError
from sandbox.experiments.criteria import Criterion
from sandbox.experiments.params import Value
from sandbox.synth.writer import dataset_name

if TYPE_CHECKING:
    from sandbox.datasets import Dataset

__all__ = ["Coordinates", "DataRef", "Job", "Task", "coordinates", "definition_digest", "bundle", "bundle_digest"]

_BUNDLE_LIMIT = 50 * 1024 * 1024  # an experiment folder is notebook, yaml and small tables, not data
_SKIP = {".ipynb_checkpoints", "__pycache__"}


@dataclass(frozen=True)
class Coordinates:
    """One point of a sweep: model seed, dataset (profile) and the grid parameters' values."""

    seed: int
    profile: str
    grid: tuple[tuple[str, Value], ...] = ()

    def label(self) -> str:
        """``seed=1;profil=musterstadt;schwelle=0.8``: readable and the same on every machine."""
        return ";".join([f"seed={self.seed}", f"profil={self.profile}", *(f"{k}={v}" for k, v in self.grid)])

    def run_key(self, sweep_id: str) -> str:
        """The idempotent run key: sweep id and coordinates. One MLflow run per key, whatever the retries."""
        return f"{sweep_id}/{self.label()}"


@dataclass(frozen=True)
class DataRef:
    """Where a dataset is, and how to rebuild it when a worker does not see that path."""

    path: str
    name: str
    profile: str
    seed: int
    population: int | None
    digest: str

    @classmethod
    def of(cls, dataset: "Dataset") -> "DataRef":
        m = dataset.manifest
        profile, seed = str(m.get("profile")), int(m.get("seed", 0))
        population = None if dataset.path.name == dataset_name(profile, seed) else int(m.get("population") or 0) or None
        return cls(str(dataset.path.resolve()), dataset.path.name, profile, seed, population, dataset.digest)


@dataclass(frozen=True)
class Job:
    """What every task of one sweep shares: the experiment, its files, criteria and the tracking server."""

    experiment: str
    folder: str
    files: Mapping[str, bytes]
    criteria: tuple[Criterion, ...]
    tracking_uri: str
    digest: str
    note: str
    origin: str = ""  # host name of the machine that started the sweep (see worker.tracking_uri_for)


@dataclass(frozen=True)
class Task:
    """One run to execute: coordinates, the MLflow run created for it, notebook values and data."""

    coords: Coordinates
    key: str
    run_id: str
    values: Mapping[str, Value]
    data: DataRef
    job: Job


def coordinates(seeds: Sequence[int], profiles: Sequence[str], grid: Mapping[str, Sequence[Value]]) -> list[Coordinates]:
    """The cartesian product, profiles outermost, then grid values, then seeds."""
    names = list(grid)
    points = []
    for profile in profiles:
        for combo in itertools.product(*(grid[n] for n in names)):
            points += [Coordinates(seed, profile, tuple(zip(names, combo))) for seed in seeds]
    return points


def definition_digest(experiment: str, values: Mapping[str, Any], points: Sequence[Coordinates],
                      data: Mapping[str, DataRef]) -> str:
    """A digest of what a sweep computes: --resume finds an earlier sweep with the same definition."""
    body = {"experiment": experiment, "values": {k: values[k] for k in sorted(values)},
            "points": sorted(p.label() for p in points), "data": {k: data[k].digest for k in sorted(data)}}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def bundle(folder: Path) -> dict[str, bytes]:
    """The files of an experiment folder by relative path, for workers that do not share the workspace."""
    files: dict[str, bytes] = {}
    size = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part in _SKIP or part.startswith(".") for part in rel.parts):
            continue
        files[rel.as_posix()] = data = path.read_bytes()
        size += len(data)
        if size > _BUNDLE_LIMIT:
            raise SandboxError(f"Experimentordner {folder} ist größer als {_BUNDLE_LIMIT // 2**20} MB; Daten gehören "
                               "in einen Datensatz, nicht in den Experimentordner")
    return files


def bundle_digest(files: Mapping[str, bytes]) -> str:
    """sha256 over paths and contents: a worker uses its own copy of the folder only if this matches."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()
