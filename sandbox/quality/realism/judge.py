"""Compute every registered measure on a dataset and judge it against its reference row."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import SandboxError
from sandbox.quality.realism import ereignisse, haushalte, personen, verwaltung  # noqa: F401  (register their measures)
from sandbox.quality.realism.data import TABLES_OPTIONAL, TABLES_READ, RealismData
from sandbox.quality.realism.registry import MEASURES, SIGMAS
from sandbox.quality.realism.report import FAIL, NONE, PASS, RealismReport, Row

if TYPE_CHECKING:
    from sandbox.quality.loading import Loaded

__all__ = ["judge", "realism_dataset", "realism_loaded", "references", "regional_values", "target"]


def references() -> list[dict[str, str]]:
    """The rows of realismus_referenz.csv, in file order."""
    from sandbox.synth import reference

    return reference.load("realismus_referenz").to_dict("records")


def regional_values(kreis_weights: dict[str, float]) -> dict[str, float]:
    """Every figure of kreise_demografie.csv, weighted by the residents of the profile's Kreise (``gebiet:`` rows)."""
    from sandbox.synth import reference

    frame = reference.load("kreise_demografie").set_index("kreis_ags")
    weights = {k: w for k, w in kreis_weights.items() if k in frame.index and w > 0}
    total = sum(weights.values())
    if total == 0:
        return {}
    # a figure some Kreis of the area lacks (empty cell) is left out: the row's Land value stands for the whole area
    columns = [c for c in frame.columns if c != "quelle" and all(frame.at[k, c] != "" for k in weights)]
    return {c: sum(w * float(frame.at[k, c]) for k, w in weights.items()) / total for c in columns}


def target(wert: str, area: dict[str, float]) -> float:
    """The reference value of a row: a number, or ``gebiet:KEY`` (``gebiet:KEY|LAND`` with the Land value
    where a Kreis of the area has no figure of its own)."""
    if not wert.startswith("gebiet:"):
        return float(wert)
    key, _, fallback = wert.split(":", 1)[1].partition("|")
    return float(area[key]) if key in area or not fallback else float(fallback)


def judge(data: RealismData, source: str) -> RealismReport:
    report = RealismReport(source=source, profile=data.profile.name)
    for ref in references():
        key = ref["kennzahl"]
        if key not in MEASURES:
            continue  # a reference row for a measure another module adds
        wert = str(ref["wert"])
        expected = target(wert, data.area)
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
            verdict = PASS if abs(value - expected) <= tolerance + 1e-12 else FAIL
        report.rows.append(Row(key, ref["gruppe"], ref["titel"], value, expected, tolerance, ref["einheit"],
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
    weights = profile_area(profile.kreise, profile.gemeinden)
    area = {**regional_values(weights), **expected_shares(weights)}
    return judge(RealismData(frames=loaded.frames, profile=profile, area=area), source)


def realism_dataset(folder: Path, manifest: dict[str, Any] | None = None) -> RealismReport:
    """Load a generated dataset (tables, profile) and judge it."""
    from sandbox.quality.loading import load_dataset, read_manifest

    folder = Path(folder)
    manifest = manifest if manifest is not None else read_manifest(folder)
    loaded = load_dataset(folder, manifest, only=(*TABLES_READ, *TABLES_OPTIONAL, "gemeinden"))
    return realism_loaded(loaded, manifest, folder.name)
