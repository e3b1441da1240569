"""Compute every registered measure on a dataset and judge it against its reference row."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import SandboxError
from sandbox.quality.realism import haushalte, personen, vorgaenge  # noqa: F401  (register their measures)
from sandbox.quality.realism.data import TABLES_OPTIONAL, TABLES_READ, RealismData
from sandbox.quality.realism.registry import MEASURES, SIGMAS
from sandbox.quality.realism.report import FAIL, NONE, PASS, RealismReport, Row

if TYPE_CHECKING:
    from sandbox.quality.loading import Loaded

__all__ = ["judge", "realism_dataset", "realism_loaded", "references"]


def references() -> list[dict[str, str]]:
    """The rows of realismus_referenz.csv, in file order."""
    from sandbox.synth import reference

    return reference.load("realismus_referenz").to_dict("records")


def judge(data: RealismData, source: str) -> RealismReport:
    report = RealismReport(source=source, profile=data.profile.name)
    for ref in references():
        key = ref["kennzahl"]
        if key not in MEASURES:
            continue  # a reference row for a measure another module adds
        wert = str(ref["wert"])
        target = float(data.value(wert.split(":", 1)[1])) if wert.startswith("gebiet:") else float(wert)
        try:
            observed = MEASURES[key].compute(data)
        except KeyError:  # a table or column this dataset does not have
            observed = None
        tolerance = float(ref["toleranz"])
        if observed is None:
            verdict, value = NONE, None
        else:
            tolerance = max(tolerance, SIGMAS * observed.se)
            value = observed.value
            verdict = PASS if abs(value - target) <= tolerance + 1e-12 else FAIL
        report.rows.append(Row(key, ref["gruppe"], ref["titel"], value, target, tolerance, ref["einheit"],
                               ref["art"], ref["quelle"], verdict))
    return report


def realism_loaded(loaded: "Loaded", manifest: dict[str, Any], source: str) -> RealismReport:
    """Judge tables already loaded (the generation gate reuses its own)."""
    from sandbox.quality.distribution import profile_for
    from sandbox.synth.population.demografie import expected_shares, profile_area

    profile, note = profile_for(manifest)
    if profile is None:
        raise SandboxError(note or "Realismus nicht prüfbar: das Manifest nennt kein Profil")
    missing = [name for name in (*TABLES_READ, "gemeinden") if name not in loaded.frames]
    if missing:
        raise SandboxError(f"Realismus nicht prüfbar: Tabelle(n) {', '.join(missing)} fehlen oder sind nicht lesbar")
    area = expected_shares(profile_area(profile.kreise, profile.gemeinden))
    return judge(RealismData(frames=loaded.frames, profile=profile, area=area), source)


def realism_dataset(folder: Path, manifest: dict[str, Any] | None = None) -> RealismReport:
    """Load a generated dataset (tables, profile) and judge it."""
    from sandbox.quality.loading import load_dataset, read_manifest

    folder = Path(folder)
    manifest = manifest if manifest is not None else read_manifest(folder)
    optional = tuple(name for name in TABLES_OPTIONAL if name in manifest.get("tables", {}))
    loaded = load_dataset(folder, manifest, only=(*TABLES_READ, *optional, "gemeinden"))
    return realism_loaded(loaded, manifest, folder.name)
