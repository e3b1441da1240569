"""Find what the user named, MLflow experiments or single runs, and load their runs.

A name is looked up as an MLflow experiment first (the experiment folder's
name, see ``sandbox experiment run``), then as a selection of an experiment's
runs (``NAME:faktor=2,sweep=neuester``, :mod:`sandbox.compare.selection`),
then as a run id, then as a run name.
An experiment contributes the runs of its latest *batch*: the finished runs
with the same parameters (seed aside) and the same dataset as its newest
finished run, the newest run per seed. Runs still RUNNING, FAILED or KILLED
are kept apart, shown in the report and never averaged in. Scorecard experiments
(``Bewertungen · NAME``) and older scorecard runs among the runs are skipped here.

Everything that can go wrong (no store yet, an unreachable server, an
unknown name, an experiment without a finished run) is a SandboxError before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from sandbox import tracking
from sandbox.compare import selection
from sandbox.compare.selection import Selection
from sandbox.compare.store import guard as _guard, missing_store, open_store
from sandbox.errors import SandboxError
from sandbox.tracking import keys, scorecards
from sandbox.tracking.runs import seat_experiment

if TYPE_CHECKING:
    from mlflow.entities import Experiment, Run
    from mlflow.tracking import MlflowClient

__all__ = ["RunInfo", "Subject", "open_store", "load_subjects", "find_experiment", "run_info", "finished_runs", "experiment_runs"]

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class RunInfo:
    """One MLflow run as the comparison needs it."""

    run_id: str
    name: str
    experiment: str
    status: str
    start: dt.datetime | None
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    input_digest: str | None = None

    @property
    def finished(self) -> bool:
        return self.status == "FINISHED"

    @property
    def seed(self) -> str | None:
        return self.tags.get(keys.SEED) or self.params.get("seed")

    @property
    def digest(self) -> str | None:
        """The dataset's manifest digest (full from the tag, else the short one of the MLflow input)."""
        return self.tags.get(keys.DATASET_DIGEST) or self.input_digest

    @property
    def dataset(self) -> str | None:
        return self.params.get(keys.DATASET)

    @property
    def error(self) -> str | None:
        return self.tags.get(keys.ERROR)


@dataclass(frozen=True)
class Subject:
    """One column of the comparison: an experiment's latest batch of runs, or a single run."""

    label: str
    kind: str  # "experiment" or "lauf"
    experiment: str
    experiment_id: str
    runs: tuple[RunInfo, ...]
    excluded: tuple[RunInfo, ...] = ()
    superseded: int = 0

    @property
    def seeds(self) -> list[str]:
        return [r.seed or "-" for r in self.runs]

    def tag(self, key: str) -> str:
        """The newest non-empty value of a tag among the runs."""
        return next((r.tags[key] for r in self.runs if r.tags.get(key)), "")


def run_info(run: "Run", experiment: str) -> RunInfo:
    """A :class:`RunInfo` from an MLflow run."""
    start = dt.datetime.fromtimestamp(run.info.start_time / 1000, dt.timezone.utc) if run.info.start_time else None
    inputs = run.inputs.dataset_inputs if run.inputs else []
    return RunInfo(run.info.run_id, run.info.run_name or run.info.run_id[:8], experiment, run.info.status, start,
                   dict(run.data.params), dict(run.data.metrics), dict(run.data.tags),
                   inputs[0].dataset.digest if inputs else None)


@dataclass(frozen=True)
class _SeatView:
    """In a workshop seat: the runs of one requested experiment inside the participant's own experiment.

    Every run a participant starts lands in their seat's experiment with the name the
    notebook asked for as the tag ``sandbox.experiment`` (:func:`sandbox.tracking.seat_experiment`);
    comparing by that name reads those runs back.
    """

    name: str
    experiment_id: str
    creation_time: int | None = None


def _experiments(client: "MlflowClient") -> dict[str, "Experiment | _SeatView"]:
    found: dict[str, Any] = {e.name: e for e in _guard(lambda: client.search_experiments(max_results=1000))
                             if not scorecards.is_scorecard_experiment(e.name, e.tags)}  # runs only
    own = found.get(seat_experiment(""))
    if own is not None:
        runs = _guard(lambda: client.search_runs([own.experiment_id], max_results=5000))
        for name in sorted({r.data.tags.get(keys.EXPERIMENT) or "" for r in runs} - {""} - set(found)):
            found[name] = _SeatView(name, own.experiment_id, own.creation_time)
    return found


def experiment_runs(client: "MlflowClient", experiment: "Experiment | _SeatView") -> list[RunInfo]:
    """The experiment runs (scorecards aside) of ``experiment``, newest first."""
    runs = _guard(lambda: client.search_runs([experiment.experiment_id], max_results=5000,
                                             order_by=["attributes.start_time DESC"]))
    if isinstance(experiment, _SeatView):
        runs = [r for r in runs if r.data.tags.get(keys.EXPERIMENT) == experiment.name]
    return [run_info(r, experiment.name) for r in runs if not scorecards.is_scorecard(r)]


def _batch_key(run: RunInfo) -> tuple[Any, ...]:
    params = tuple(sorted((k, v) for k, v in run.params.items() if k != "seed"))
    return params, (run.digest or "")[: tracking.DIGEST_LENGTH]


def _seed_order(run: RunInfo) -> tuple[int, int, str]:
    seed = run.seed or ""
    return (0, int(seed), "") if seed.isdigit() else (1, 0, seed or run.run_id)


def _status_counts(runs: Sequence[RunInfo]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(Counter(r.status for r in runs).items()))


def _experiment_subject(label: str, client: "MlflowClient", experiment: "Experiment",
                        runs: Sequence[RunInfo] | None = None) -> Subject:
    runs = experiment_runs(client, experiment) if runs is None else runs
    finished = [r for r in runs if r.finished]
    if not finished:
        state = f" ({_status_counts(runs)})" if runs else ""
        raise SandboxError(f"Experiment {label!r} hat noch keinen abgeschlossenen Lauf{state}; "
                           f"zuerst ausführen: sandbox experiment run {label.split(selection.SEPARATOR)[0]}")
    key = _batch_key(finished[0])
    chosen: list[RunInfo] = []
    seeds: set[str] = set()
    for run in finished:
        if _batch_key(run) == key and (run.seed or run.run_id) not in seeds:
            seeds.add(run.seed or run.run_id)
            chosen.append(run)
    chosen.sort(key=_seed_order)
    newest = finished[0].start
    excluded = [r for r in runs if not r.finished
                and (_batch_key(r) == key or (r.start and newest and r.start >= newest))]
    return Subject(label, "experiment", experiment.name, experiment.experiment_id, tuple(chosen),
                   tuple(excluded), len(finished) - len(chosen))


def _selected_subject(chosen: Selection, client: "MlflowClient", experiments: dict[str, "Experiment"]) -> Subject | None:
    """A column of the runs of ``chosen.base`` (and of its profile experiments ``base@profile``) that meet the
    selection (:mod:`sandbox.compare.selection`); None if no such experiment exists."""
    prefix = keys.transfer_experiment(chosen.base, "")
    found = [e for name, e in experiments.items() if name == chosen.base or name.startswith(prefix)]
    if not found:
        return None
    runs = sorted((r for e in found for r in experiment_runs(client, e)), key=lambda r: r.start or dt.datetime.min.replace(
        tzinfo=dt.timezone.utc), reverse=True)
    kept = selection.narrow(chosen, runs, _batch_key)
    home = next((r.experiment for r in kept if r.finished), kept[0].experiment)
    return _experiment_subject(chosen.text, client, experiments[home], kept)


def _find_run(client: "MlflowClient", experiments: dict[str, "Experiment"], name: str) -> RunInfo | None:
    by_id = {e.experiment_id: e.name for e in experiments.values()}
    if _RUN_ID.match(name):
        from mlflow.exceptions import MlflowException

        try:
            run = client.get_run(name)
        except MlflowException:
            run = None
        if run is not None and run.info.experiment_id in by_id and run.info.lifecycle_stage == "active":
            return run_info(run, by_id[run.info.experiment_id])
    if "'" in name or not by_id:
        return None
    found = _guard(lambda: client.search_runs(list(by_id), filter_string=f"attributes.run_name = '{name}'",
                                              max_results=50))
    found = [r for r in found if not scorecards.is_scorecard(r)]
    if len(found) > 1:
        listed = ", ".join(f"{r.info.run_id} ({by_id[r.info.experiment_id]})" for r in found[:5])
        raise SandboxError(f"{len(found)} Läufe heißen {name!r}: {listed}; bitte den gemeinten mit seiner Lauf-ID angeben")
    return run_info(found[0], by_id[found[0].info.experiment_id]) if found else None


def _named(experiments: dict[str, "Experiment"]) -> list[str]:
    """Experiment names worth suggesting: MLflow's empty "Default" experiment left out."""
    return sorted(name for name, e in experiments.items() if not (name == "Default" and e.experiment_id == "0"))


def _unknown(client: "MlflowClient", experiments: dict[str, "Experiment"], name: str) -> SandboxError:
    ids = [e.experiment_id for e in experiments.values()]
    runs = _guard(lambda: client.search_runs(ids, max_results=2000)) if ids else []
    candidates = sorted(set(experiments) | {r.info.run_name for r in runs if r.info.run_name})
    close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.6)
    if close:
        return SandboxError(f"kein Experiment und kein Lauf heißt {name!r}; meinten Sie: {', '.join(close)}?")
    known = ", ".join(_named(experiments)[:10]) or "noch keine"
    return SandboxError(f"kein Experiment und kein Lauf heißt {name!r} (Experimente: {known}); "
                        "siehe sandbox experiment list")


def find_experiment(client: "MlflowClient", name: str) -> "Experiment":
    """The active MLflow experiment ``name``; unknown names get close matches."""
    experiments = _experiments(client)
    if name in experiments:
        return experiments[name]
    close = difflib.get_close_matches(name, sorted(experiments), n=5, cutoff=0.6)
    hint = f"meinten Sie: {', '.join(close)}?" if close else \
        f"Experimente: {', '.join(_named(experiments)[:10]) or 'noch keine'}"
    raise SandboxError(f"kein MLflow-Experiment heißt {name!r}; {hint} (ein Experiment erscheint nach seinem ersten "
                       "Lauf: sandbox experiment run NAME)")


def finished_runs(name: str) -> int:
    """How many finished experiment runs (scorecards aside) the MLflow experiment ``name`` has; 0 if none."""
    if missing_store(tracking.tracking_uri()) is not None:
        return 0
    client = tracking.client()
    found = _experiments(client).get(name)
    return 0 if found is None else sum(r.finished for r in experiment_runs(client, found))


def load_subjects(names: Sequence[str], client: "MlflowClient | None" = None) -> list[Subject]:
    """Resolve every name to a :class:`Subject`, in the given order (the first is the baseline)."""
    if len(names) < 2:
        raise SandboxError("bitte mindestens zwei Experimente oder Läufe zum Vergleich angeben, z. B. sandbox compare A B")
    repeated = sorted({n for n in names if list(names).count(n) > 1})
    if repeated:
        raise SandboxError(f"{', '.join(repeated)} ist mehrfach genannt; bitte jedes Experiment und jeden Lauf nur einmal nennen")
    client = client or open_store()
    experiments = _experiments(client)
    subjects = []
    for name in names:
        if name in experiments:
            subjects.append(_experiment_subject(name, client, experiments[name]))
            continue
        chosen = selection.parse(name)
        picked = _selected_subject(chosen, client, experiments) if chosen is not None else None
        if picked is not None:
            subjects.append(picked)
            continue
        run = _find_run(client, experiments, name)
        if run is None:
            raise _unknown(client, experiments, chosen.base if chosen is not None else name)
        if not run.finished:
            why = f": {run.error}" if run.error else ""
            raise SandboxError(f"Lauf {name!r} ist {run.status}{why}; nur abgeschlossene Läufe haben vergleichbare Ergebnisse")
        subjects.append(Subject(name, "lauf", run.experiment, experiments[run.experiment].experiment_id, (run,)))
    return subjects
