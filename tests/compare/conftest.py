"""Real MLflow runs for the comparison tests, in a temporary SQLite tracking store.

Runs are logged through ``sandbox.tracking`` exactly as the experiment runner
logs them (dataset lineage, the runner's tags, success criteria, wall and CPU
time); RUNNING and FAILED runs are real runs left open or ended by an error.
The store is built once per test module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Mapping, Sequence

import pytest

from sandbox import datasets, tracking
from sandbox.synth.writer import generate_dataset
from sandbox.tracking import keys

STORE_ENV = "MLFLOW_TRACKING_URI"


@pytest.fixture(scope="session")
def other_dataset(_isolated_data_dir: Path) -> datasets.Dataset:
    """A second, small dataset: its manifest digest differs from musterstadt seed 42."""
    return datasets.open(generate_dataset("musterstadt", 7, population=2_000))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SQLite tracking store, set as MLFLOW_TRACKING_URI for the whole module."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(STORE_ENV, uri)
        yield uri


def log_runs(experiment: str, metrics: Mapping[str, Sequence[float]], dataset: datasets.Dataset | None, *,
             seeds: Sequence[int] = (1, 2, 3), params: Mapping[str, object] | None = None,
             criteria: Mapping[str, tuple[float, str]] | None = None, template: str = "probe") -> list[str]:
    """One finished run per seed, with the runner's tags; ``metrics[name][i]`` belongs to ``seeds[i]``."""
    ids = []
    for i, seed in enumerate(seeds):
        tags = {keys.EXPERIMENT: experiment, keys.TEMPLATE: template, keys.SEED: seed,
                keys.QUESTION: f"Wie gut ist {experiment}?", keys.HYPOTHESIS: "Besser als bisher."}
        values = {name: series[i] for name, series in metrics.items()}
        with tracking.start_run(experiment, dataset, params={**(params or {}), "seed": seed}, tags=tags,
                                run_name=f"{experiment}-seed{seed}") as run:
            tracking.log_metrics(values)
            tracking.log_metrics({keys.NOTEBOOK_CPU_TIME: 2.0 + i, keys.NOTEBOOK_WALL_TIME: 3.0 + i})
            if criteria:
                tracking.log_success_criteria({m: (values[m], threshold, op) for m, (threshold, op) in criteria.items()})
        ids.append(run.info.run_id)
    return ids


def log_failed(experiment: str, dataset: datasets.Dataset | None, seed: int, params: Mapping[str, object]) -> str:
    """A run whose block raised, as a notebook error does: status FAILED with the runner's error tag."""
    import mlflow

    class NotebookError(Exception):
        pass

    try:
        with tracking.start_run(experiment, dataset, params={**params, "seed": seed},
                                tags={keys.SEED: seed, keys.EXPERIMENT: experiment},
                                run_name=f"{experiment}-seed{seed}") as run:
            mlflow.set_tag(keys.ERROR, "ValueError: absichtlich kaputt")
            raise NotebookError
    except NotebookError:
        pass
    return run.info.run_id


def start_running(experiment: str, dataset: datasets.Dataset, seed: int, params: Mapping[str, object]) -> str:
    """A run that has started and not ended (as while a notebook still executes), with its lineage."""
    from mlflow.entities import Param, RunTag

    client = tracking.client()
    found = client.get_experiment_by_name(experiment)
    run = client.create_run(found.experiment_id, run_name=f"{experiment}-seed{seed}")
    m = dataset.manifest
    values = {**params, "seed": seed, keys.DATASET: dataset.path.name, keys.DATASET_PROFILE: m["profile"],
              keys.DATASET_SEED: m["seed"]}
    client.log_batch(run.info.run_id, params=[Param(k, str(v)) for k, v in values.items()],
                     tags=[RunTag(keys.SEED, str(seed)), RunTag(keys.EXPERIMENT, experiment),
                           RunTag(keys.DATASET_DIGEST, dataset.digest)])
    return run.info.run_id


