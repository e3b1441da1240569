"""Record a twin run in MLflow: budget, mechanism, decision, measures and the report, never the data.

The run lands in the experiment ``zwillinge`` with the kind tag ``zwilling``;
params and metrics are named by :func:`sandbox.tracking.keys.twin`. The
input appears only as the hashes of its path and content; the artifacts are
the release report (Markdown and HTML), which holds no value of the extract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from sandbox.tracking import keys
from sandbox.twin.report import REPORT_HTML, REPORT_MD
from sandbox.twin.stats import Measure

__all__ = ["track"]


def track(measures: Sequence[Measure], rows: int, dataset: Path | None, stamp: Mapping[str, Any], folder: Path) -> str:
    """Log one twin as an MLflow run (``dataset``: the written twin, or None) and return the run's id."""
    import mlflow

    from sandbox.tracking import start_run

    params = {keys.twin(k): stamp[k] for k in ("epsilon", "delta", "verfahren", "entscheidung", "seed",
                                                "eingabe_pfad_sha256", "eingabe_inhalt_sha256")}
    params[keys.twin("rho")] = stamp["rho"] if stamp["rho"] is not None else "-"
    tags = {keys.KIND: keys.KIND_TWIN, keys.twin("uebersteuert"): "ja" if stamp.get("uebersteuerung") else "nein"}
    with start_run(keys.TWIN_EXPERIMENT, dataset, params=params, tags=tags) as run:
        metrics: dict[str, float] = {keys.twin("zeilen"): float(rows)}
        for measure in measures:
            metrics |= {keys.twin(k): float(v) for k, v in measure.as_metrics().items() if v == v}  # NaN skipped
        mlflow.log_metrics(metrics)
        for name in (REPORT_MD, REPORT_HTML):
            mlflow.log_artifact(str(folder / name), artifact_path="freigabebericht")
        return str(run.info.run_id)
