"""Experiments: templates, experiment folders, tracked runs (papermill + MLflow).

    sandbox templates list
    sandbox experiment new posteingang-pilot --template ki-posteingang
    sandbox experiment run posteingang-pilot --seeds 1,2,3
    sandbox experiment list

In a notebook, the last cell hands the results over::

    from sandbox import experiments
    experiments.record({"macro_f1": 0.87}, tables={"je_amt": table})

Importing this package is light (no MLflow, no papermill); the runner
imports them when a run starts.
"""

from __future__ import annotations

from sandbox.experiments.record import metric_name, record
from sandbox.experiments.results import overview
from sandbox.experiments.runner import run_experiment
from sandbox.experiments.specs import Experiment, list_experiments, load_experiment, new_experiment
from sandbox.experiments.templates import Template, list_templates, load_template

__all__ = [
    "record", "metric_name", "Template", "list_templates", "load_template",
    "Experiment", "new_experiment", "load_experiment", "list_experiments", "run_experiment", "overview",
]
