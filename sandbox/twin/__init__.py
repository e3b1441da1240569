"""A differentially private twin of a municipality's own table, with measured risk and utility.

    from sandbox import twin
    result = twin.create_twin(twin.TwinRequest(extract=Path("einwohner.csv"), table="einwohner",
                                                epsilon=1.0, drop=["einwohner_id", "familienname"]))
    result.verdict, result.report          # "freigeben", .../FREIGABEBERICHT.md

Rooms: ``domain`` (the public value sets), ``propose`` (schema or proposal),
``extract`` (reading CSV/Parquet/XLSX), ``encode`` (values <-> cells),
``mechanism`` (OpenDP AIM/MST), ``risk`` and ``utility`` (measures against
baselines), ``gate`` (the decision), ``report`` and ``dataset`` (what is
written), ``tracked`` (MLflow), ``create`` (the order of it all).
"""

from __future__ import annotations

from sandbox.twin.create import TwinRequest, TwinResult, create_twin, suggest_domain
from sandbox.twin.domain import DERIVED, Domain, DomainColumn, load_domain
from sandbox.twin.gate import REFUSE, RELEASE, REVIEW, Thresholds, load_thresholds
from sandbox.twin.mechanism import Settings

__all__ = ["TwinRequest", "TwinResult", "create_twin", "suggest_domain", "DERIVED", "Domain", "DomainColumn", "load_domain",
           "REFUSE", "RELEASE", "REVIEW", "Thresholds", "load_thresholds", "Settings"]
