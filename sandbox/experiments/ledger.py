"""The sweep's MLflow runs, kept by the process that started the sweep (the client, not the workers).

Every run of a sweep is created here before any task is submitted, with
status SCHEDULED and its run key (sweep id + coordinates) as a tag. A task
only resumes the run whose id it carries, so a task that Dask retries on
another worker after its first worker died continues the same run: retries
never create a second run and a lost worker never loses one. ``--resume``
finds the latest sweep of the experiment with the same definition, skips
its FINISHED runs and reuses the ids of the others. Ctrl-C marks every run
that did not end KILLED.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from sandbox.errors import SandboxError
from sandbox.experiments.sweep import Coordinates
from sandbox.tracking import keys
from sandbox.tracking.runs import dataset_entity, seat_experiment
from sandbox.tracking.store import activate, experiment_id

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

    from sandbox.datasets import Dataset

__all__ = ["Ledger", "new_sweep_id", "TERMINAL"]

TERMINAL = ("FINISHED", "FAILED", "KILLED")
_TAG_LIMIT = 4000


def new_sweep_id() -> str:
    """``20261204-231502-7f3a``: sortable by start, unique across machines."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class Ledger:
    """The runs of one sweep in one MLflow experiment."""

    def __init__(self, uri: str, experiment: str, per_profile: Mapping[str, str] | None = None,
                 description: str | None = None) -> None:
        """``per_profile`` (profile coordinate -> MLflow experiment) puts each profile's runs into its own
        experiment, as a transferability sweep does (``<experiment>@<profile>``); ``description`` (Markdown)
        becomes each experiment's description in the MLflow UI."""
        from mlflow.tracking import MlflowClient

        activate(uri)
        self.client: MlflowClient = MlflowClient(tracking_uri=uri)
        self.experiment = experiment
        # in a workshop seat every run goes to the participant's own experiment (seat_experiment)
        self.ids = {label: experiment_id(self.client, seat_experiment(name), description)
                    for label, name in (per_profile or {}).items()}
        self.experiment_id = experiment_id(self.client, seat_experiment(experiment), description) if not self.ids else ""
        self.scheduled: list[str] = []  # every run id created or reused so far, for Ctrl-C during scheduling

    def _all_ids(self) -> list[str]:
        return list(self.ids.values()) or [self.experiment_id]

    def previous(self, definition: str) -> tuple[str, dict[str, "Run"]]:
        """The latest sweep with this definition: its id and its runs by run key."""
        found = self.client.search_runs(self._all_ids(), f"tags.`{keys.SWEEP_DEFINITION}` = '{definition}'",
                                        order_by=["attributes.start_time DESC"], max_results=1)
        if not found:
            raise SandboxError(f"--resume: kein früherer Sweep von {self.experiment} mit denselben Werten, Seeds, "
                               "Profilen und Datensätzen; ohne --resume starten")
        sweep = found[0].data.tags[keys.SWEEP]
        runs = self.client.search_runs(self._all_ids(), f"tags.`{keys.SWEEP}` = '{sweep}'", max_results=50_000)
        return sweep, {r.data.tags.get(keys.RUN_KEY, ""): r for r in runs}

    def schedule(self, sweep: str, definition: str, points: Sequence[Coordinates], tags: Mapping[str, Any],
                 names: Sequence[str], existing: Mapping[str, "Run"] | None = None,
                 datasets: Mapping[str, "Dataset"] | None = None) -> tuple[list[str], dict[str, "Run"]]:
        """Create a SCHEDULED run per point not in ``existing``; reuse unfinished ones.

        Returns the run id of every point and the FINISHED runs that are skipped, by run key. Each
        profile's dataset (``datasets``) is logged here as an input of the first new run, so that MLflow
        has it in the experiment before workers start: two workers logging a dataset the experiment does
        not know yet race to insert it, and on PostgreSQL the loser fails (unique key of the datasets table).
        """
        from mlflow.tracking.context.registry import resolve_tags

        existing, datasets = existing or {}, dict(datasets or {})
        run_ids, finished = [], {}
        for point, name in zip(points, names):
            key = point.run_key(sweep)
            old = existing.get(key)
            if old is not None and old.info.status == "FINISHED":
                finished[key] = old
                run_ids.append(old.info.run_id)
                continue
            if old is not None:
                run_id = old.info.run_id
                if old.data.tags.get(keys.CANCELLED):
                    self.client.set_tag(run_id, keys.CANCELLED, "nein")  # resumed: its task may run again
            else:
                own = {**tags, keys.SWEEP: sweep, keys.SWEEP_DEFINITION: definition, keys.RUN_KEY: key,
                       keys.SEED: point.seed, keys.PROFILE: point.profile,
                       **{keys.coordinate(k): v for k, v in point.grid}}
                run = self.client.create_run(self.ids.get(point.profile, self.experiment_id), tags=resolve_tags({k: str(v)[:_TAG_LIMIT]
                                                                                      for k, v in own.items()}),
                                             run_name=name)
                run_id = run.info.run_id  # created RUNNING: SCHEDULED until a worker takes it
                if point.profile in datasets:
                    self._register(run_id, datasets.pop(point.profile))
            self.scheduled.append(run_id)
            self.client.update_run(run_id, status="SCHEDULED")
            run_ids.append(run_id)
        return run_ids, finished

    def _register(self, run_id: str, dataset: "Dataset") -> None:
        from mlflow.entities import DatasetInput, InputTag
        from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

        entity = dataset_entity(dataset)._to_mlflow_entity()
        self.client.log_inputs(run_id, [DatasetInput(entity, [InputTag(MLFLOW_DATASET_CONTEXT, "eingabe")])])

    def status(self, run_id: str) -> str:
        return str(self.client.get_run(run_id).info.status)

    def fail(self, run_id: str, error: str) -> None:
        """End a run FAILED with ``error`` when its task failed before or outside the notebook."""
        self.client.set_tag(run_id, keys.ERROR, error[:_TAG_LIMIT])
        self.client.set_tag(run_id, keys.NOTE, f"**Fehlgeschlagen:** {error}"[:_TAG_LIMIT])
        self.client.set_terminated(run_id, "FAILED")

    def kill(self, run_ids: Sequence[str]) -> int:
        """Mark every run among ``run_ids`` that did not finish KILLED (those whose task never reported back,
        including one a Ctrl-C interrupted inside this process); returns how many."""
        killed = 0
        for run_id in run_ids:
            if self.status(run_id) != "FINISHED":
                self.client.set_tag(run_id, keys.CANCELLED, "ja")
                self.client.set_terminated(run_id, "KILLED")
                killed += 1
        return killed
