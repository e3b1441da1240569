"""The run vocabulary: every MLflow metric, param and tag name the sandbox writes or reads, named once.

As MLflow keeps its own tag names in ``mlflow/utils/mlflow_tags.py``, the
sandbox keeps its names here: the runner and :func:`sandbox.tracking.start_run`
write them, ``sandbox experiment list``, ``sandbox compare`` and the
scorecard read them. The values are German because users read them in the
MLflow UI, and they are a contract with every run ever stored: renaming one
hides old runs from comparisons, so add names, never change them.

Plain names are constants; names built from another name (a metric, a
package, a scorecard criterion) are small functions.
"""

from __future__ import annotations

__all__ = [
    "EXPERIMENT", "TEMPLATE", "SEED", "QUESTION", "HYPOTHESIS", "TEAM", "ERROR", "NOTE",
    "EXPERIMENT_KIND", "EXPERIMENT_KIND_MODEL",
    "KIND", "KIND_SCORECARD", "TRANSFER", "TRANSFER_SEPARATOR", "transfer_experiment",
    "SWEEP", "SWEEP_DEFINITION", "RUN_KEY", "PROFILE", "WORKER", "CANCELLED", "coordinate", "COORDINATE_PREFIX",
    "PROCESS",
    "GIT_COMMIT", "GIT_DIRTY", "MLFLOW_GIT_COMMIT", "version",
    "DATASET", "DATASET_PROFILE", "DATASET_SEED", "DATASET_DIGEST", "DATASET_PATH",
    "WALL_TIME", "CPU_TIME", "NOTEBOOK_WALL_TIME", "NOTEBOOK_CPU_TIME", "COST_METRICS", "COST_DECIMALS",
    "CRITERION_PREFIX", "criterion_value", "criterion_threshold", "criterion_fulfilled", "criterion_rule",
    "fulfilled_criterion",
    "SCORE_PREFIX", "SCORE_OVERALL", "score", "score_tag", "SCORED_EXPERIMENT_ID", "SCORECARD_EXPERIMENT_PREFIX",
    "scorecard_experiment",
    "KIND_TWIN", "TWIN_EXPERIMENT", "twin",
]

# --- tags: what a run is (set by the experiment runner) -----------------------------------------

EXPERIMENT = "sandbox.experiment"  # the experiment folder's name
TEMPLATE = "sandbox.template"
SEED = "sandbox.seed"
QUESTION = "sandbox.fragestellung"
HYPOTHESIS = "sandbox.hypothese"
TEAM = "sandbox.team"
ERROR = "sandbox.fehler"  # the failing cell's error of a FAILED run
PROCESS = "sandbox.prozess"  # host:pid:start ticks of the process running the run (orphans end KILLED)
NOTE = "mlflow.note.content"  # MLflow's own: the run's (or, on an experiment, the experiment's) description
#: MLflow's own experiment tag: which view the UI opens; model training lists the runs (else: GenAI traces)
EXPERIMENT_KIND = "mlflow.experimentKind"
EXPERIMENT_KIND_MODEL = "custom_model_development"
KIND = "sandbox.art"  # absent on experiment runs
KIND_SCORECARD = "bewertung"  # value of KIND on an evaluator's scorecard run and on a scorecard experiment
TRANSFER = "sandbox.uebertragung"  # the experiment folder of a run made on several profiles (experiment run --profiles)
TRANSFER_SEPARATOR = "@"  # such runs land in the MLflow experiment <experiment>@<profile>


def transfer_experiment(experiment: str, profile: str) -> str:
    """MLflow experiment of ``experiment`` run on ``profile``: ``posteingang@grossstadt``."""
    return f"{experiment}{TRANSFER_SEPARATOR}{profile}"


# --- tags: a run's place in a sweep (set by sandbox.experiments.sweep) ---------------------------

SWEEP = "sandbox.sweep"  # the sweep id: all runs of one `experiment run` call share it
SWEEP_DEFINITION = "sandbox.sweep.definition"  # digest of experiment, values and coordinates; --resume finds sweeps by it
RUN_KEY = "sandbox.lauf_schluessel"  # sweep id + coordinates: one run per key, whatever the retries
PROFILE = "sandbox.profil"  # the municipality profile (dataset) coordinate
CANCELLED = "sandbox.abgebrochen"  # "ja" on runs a cancelled sweep marked KILLED (a retry must not continue them)
WORKER = "sandbox.worker"  # the Dask worker (or "lokal") that executed the run
COORDINATE_PREFIX = "sandbox.koordinate."


def coordinate(parameter: str) -> str:
    """Tag of a grid coordinate, e.g. ``sandbox.koordinate.konfidenzschwelle`` (the value as given)."""
    return f"{COORDINATE_PREFIX}{parameter}"


# --- tags: where a run ran (set by start_run) -----------------------------------------------------

GIT_COMMIT = "sandbox.git.commit"
GIT_DIRTY = "sandbox.git.dirty"  # "true" or "false"
MLFLOW_GIT_COMMIT = "mlflow.source.git.commit"  # MLflow's own, shown in its UI


def version(package: str) -> str:
    """Tag of a package's version, e.g. ``sandbox.version.mlflow``."""
    return f"sandbox.version.{package}"


# --- data lineage (set by log_dataset) ------------------------------------------------------------

DATASET = "datensatz"  # param: the dataset folder's name
DATASET_PROFILE = "datensatz.profil"  # param
DATASET_SEED = "datensatz.seed"  # param: the seed the dataset was generated with
DATASET_DIGEST = "sandbox.datensatz.digest"  # tag: the full manifest digest
DATASET_PATH = "sandbox.datensatz.pfad"  # tag

# --- effort (metrics) -------------------------------------------------------------------------------

WALL_TIME = "laufzeit_s"  # the whole run, set by start_run
CPU_TIME = "cpu_zeit_s"  # CPU time of the process that ran start_run
NOTEBOOK_WALL_TIME = "laufzeit_notebook_s"  # the notebook's execution, set by the runner
NOTEBOOK_CPU_TIME = "cpu_zeit_notebook_s"  # CPU time of the notebook's kernel
COST_METRICS = (WALL_TIME, CPU_TIME, NOTEBOOK_WALL_TIME, NOTEBOOK_CPU_TIME)
COST_DECIMALS = 3  # seconds to the millisecond: what a reader of the MLflow UI can use, not 16 digits of noise

# --- success criteria (set by log_success_criteria) ---------------------------------------------

CRITERION_PREFIX = "kriterium."
_FULFILLED = ".erfuellt"


def criterion_value(metric: str) -> str:
    """Metric: the value a criterion judged, ``kriterium.<metric>.wert``."""
    return f"{CRITERION_PREFIX}{metric}.wert"


def criterion_threshold(metric: str) -> str:
    """Metric: the criterion's threshold, ``kriterium.<metric>.schwelle``."""
    return f"{CRITERION_PREFIX}{metric}.schwelle"


def criterion_fulfilled(metric: str) -> str:
    """Metric: 1 if the criterion is met, else 0, ``kriterium.<metric>.erfuellt``."""
    return f"{CRITERION_PREFIX}{metric}{_FULFILLED}"


def criterion_rule(metric: str) -> str:
    """Tag: the rule, e.g. ``>= 0.9``, ``kriterium.<metric>.regel``."""
    return f"{CRITERION_PREFIX}{metric}.regel"


def fulfilled_criterion(key: str) -> str | None:
    """The criterion's metric if ``key`` is a :func:`criterion_fulfilled` name, else None."""
    if key.startswith(CRITERION_PREFIX) and key.endswith(_FULFILLED):
        return key[len(CRITERION_PREFIX):-len(_FULFILLED)]
    return None


# --- scorecards (sandbox experiment score) --------------------------------------------------------

SCORE_PREFIX = "bewertung."  # metrics bewertung.<criterion>: the grade 1-5
_SCORE_TAG_PREFIX = "sandbox.bewertung."


def score(criterion: str) -> str:
    """Metric: a scorecard's grade for ``criterion``, e.g. ``bewertung.nutzen``."""
    return f"{SCORE_PREFIX}{criterion}"


SCORE_OVERALL = score("gesamt")  # metric: the mean grade


def score_tag(field: str) -> str:
    """Tag of a scorecard field, e.g. ``sandbox.bewertung.bewerter`` or ``sandbox.bewertung.nutzen.begruendung``."""
    return f"{_SCORE_TAG_PREFIX}{field}"


SCORED_EXPERIMENT_ID = score_tag("experiment_id")  # tag: MLflow id of the experiment whose runs were scored
#: scorecards live apart from the runs, in the MLflow experiment "Bewertungen · <experiment>"; no experiment
#: folder name can start so (a space and "·" are no slug characters), so prefix searches never meet them
SCORECARD_EXPERIMENT_PREFIX = "Bewertungen · "


def scorecard_experiment(experiment: str) -> str:
    """MLflow experiment of the scorecards of ``experiment``: ``Bewertungen · posteingang``."""
    return f"{SCORECARD_EXPERIMENT_PREFIX}{experiment}"


# --- synthetic twins (sandbox twin create) ----------------------------------------------------------

KIND_TWIN = "zwilling"  # value of KIND on a twin's run
TWIN_EXPERIMENT = "zwillinge"  # the MLflow experiment every twin run lands in


def twin(name: str) -> str:
    """Param or metric of a twin run, e.g. ``zwilling.epsilon`` or ``zwilling.singling_out_risiko``."""
    return f"zwilling.{name}"
