"""Realism: does a dataset look like the population it stands for?

    from sandbox.quality.realism import realism_dataset, write_files
    report = realism_dataset(folder)      # RealismReport, one row per registered measure
    write_files(report, folder)           # realismus.json + realismus.html beside the data card

Measures live in the registry (:mod:`~sandbox.quality.realism.registry`);
``personen`` and ``haushalte`` register the people and household measures,
a module for events or processes adds its own with ``@measure``.
"""

from __future__ import annotations

from sandbox.quality.realism.html import write_files
from sandbox.quality.realism.judge import judge, realism_dataset, realism_loaded
from sandbox.quality.realism.registry import MEASURES, Observed, measure
from sandbox.quality.realism.report import RealismReport, Row

__all__ = ["realism_dataset", "realism_loaded", "judge", "write_files", "RealismReport", "Row", "MEASURES", "Observed", "measure"]
