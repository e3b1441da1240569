"""Quality and privacy gate: Great Expectations suites derived from the synth schemas.

    from sandbox.quality import check_dataset, check_extract, privacy_dataset
    report = check_dataset(path)          # QualityReport: findings, exit_code, Data Docs in path/qualitaet
    report = check_extract("einwohner.csv", "einwohner")
    privacy = privacy_dataset(path)       # provenance, k-anonymity, l-diversity, names in free text

Importing this package is cheap; great_expectations (seconds to import) is
loaded only when a check runs.
"""

from __future__ import annotations

from sandbox.quality.gate import GenerationGate, check_dataset, check_extract
from sandbox.quality.privacy import PrivacyReport, anonymity, assess_extract, privacy_dataset
from sandbox.quality.report import Finding, QualityReport

__all__ = [
    "check_dataset",
    "check_extract",
    "GenerationGate",
    "privacy_dataset",
    "assess_extract",
    "anonymity",
    "QualityReport",
    "PrivacyReport",
    "Finding",
]
