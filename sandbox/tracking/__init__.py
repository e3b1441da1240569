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

Modules: ``store`` (URI and client), ``runs`` (run start and lineage),
``metrics`` (metrics and success criteria), ``criteria`` (the comparison
operators), ``scorecards`` (where evaluators' scorecards live, apart from the
runs) and ``keys`` (every metric, param and tag name, named once).
The running server is found through :mod:`sandbox.state`, not through
``sandbox.services`` (a higher layer). mlflow takes about 2 s to import, so it
is imported inside the functions; importing this package is light.
"""

from __future__ import annotations

from sandbox.tracking import keys
from sandbox.tracking.criteria import OPERATORS, criterion_met
from sandbox.tracking.metrics import log_metrics, log_success_criteria
from sandbox.tracking.runs import DIGEST_LENGTH, log_dataset, start_run
from sandbox.tracking.store import check_reachable, client, embedded_uri, tracking_uri

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
    "keys",
]
