"""Record a twin run in MLflow: budget, mechanism, decision, measures and the report, never the data.

The run lands in the experiment ``zwillinge`` with the kind tag ``zwilling``;
params and metrics are named by :func:`sandbox.tracking.keys.twin`. The
input appears only as the hashes of its path and content; the artifacts are
the release report (Markdown and HTML), which holds no value of the extract.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from sandbox.tracking import keys

if TYPE_CHECKING:
    from sandbox.twin.create import TwinResult

__all__ = ["track"]


def track(result: "TwinResult", stamp: Mapping[str, Any], folder: Path) -> str:
    """Log ``result`` as one MLflow run and return its id."""
    import mlflow

    from sandbox.tracking import start_run
    from sandbox.twin.create import REPORT_HTML, REPORT_MD

    params = {keys.twin(k): stamp[k] for k in ("epsilon", "delta", "verfahren", "entscheidung", "seed",
                                                "eingabe_pfad_sha256", "eingabe_inhalt_sha256")}
    params[keys.twin("rho")] = stamp["rho"] if stamp["rho"] is not None else "-"
    tags = {keys.KIND: keys.KIND_TWIN, keys.twin("uebersteuert"): "ja" if stamp.get("uebersteuerung") else "nein"}
    with start_run(keys.TWIN_EXPERIMENT, result.dataset, params=params, tags=tags) as run:
        metrics: dict[str, float] = {keys.twin("zeilen"): float(result.rows_twin)}
        for measure in [*result.risk, *result.utility]:
            metrics |= {keys.twin(k): float(v) for k, v in measure.as_metrics().items() if v == v}  # NaN skipped
        mlflow.log_metrics(metrics)
        for name in (REPORT_MD, REPORT_HTML):
            mlflow.log_artifact(str(folder / name), artifact_path="freigabebericht")
        return str(run.info.run_id)
