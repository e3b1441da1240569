"""The release gate: thresholds turn the measures into "freigeben", "prüfen" or "nicht freigeben".

Each threshold is a parameter with a default and the reason for it (German,
printed in the release report); a YAML file given with ``--schwellen``
replaces single values. The decision is the strictest any rule gives. The
gate judges only what was measured: it cannot tell whether a purpose is
lawful, which stays with the data-protection officer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Sequence

from sandbox.errors import SandboxError
from sandbox.german import decimal, percent
from sandbox.twin.stats import Measure

__all__ = ["Thresholds", "Finding", "decide", "load_thresholds", "RELEASE", "REVIEW", "REFUSE", "REASONS"]

RELEASE, REVIEW, REFUSE = "freigeben", "prüfen", "nicht freigeben"
_ORDER = {RELEASE: 0, REVIEW: 1, REFUSE: 2}


@dataclass(frozen=True)
class Thresholds:
    epsilon_review: float = 5.0
    epsilon_refuse: float = 10.0
    risk_review: float = 0.05
    risk_refuse: float = 0.10
    dcr_review: float = 0.55
    dcr_refuse: float = 0.60
    copies_refuse: float = 0.05
    min_rows: int = 1_000


#: why each default is what it is (German, for the report)
REASONS = {
    "epsilon_review": "Annahme: ε bis 5 liegt im Bereich, den veröffentlichte DP-Statistiken meist nutzen; "
                      "darüber schwächt sich die Garantie spürbar ab",
    "epsilon_refuse": "Annahme: über ε = 10 ist die Garantie so schwach, dass sie allein keine Freigabe trägt",
    "risk_review": "Annahme nach Giomi et al. (2023): ein Angriff, der mehr als 5 % der Fälle über den Zufall "
                   "hinaus trifft, verdient einen Blick",
    "risk_refuse": "Annahme: mehr als 10 % über dem Zufall, und das Intervall schließt 0 aus",
    "dcr_review": "Annahme: 0,5 heißt, der Zwilling liegt den verwendeten Daten nicht näher als fremden",
    "dcr_refuse": "Annahme: deutlich näher an den verwendeten Daten deutet auf auswendig gelernte Datensätze",
    "copies_refuse": "Annahme: mehr als 5 Prozentpunkte mehr Kopien echter als zurückgehaltener Datensätze",
    "min_rows": "Annahme: unter 1.000 Zeilen übertönt das Rauschen die Struktur und die Messungen sind unscharf",
}


@dataclass(frozen=True)
class Finding:
    verdict: str
    text: str  # German


def load_thresholds(path: Path | None) -> Thresholds:
    """The defaults, with the values of a YAML file (keys as in :class:`Thresholds`) replaced."""
    if path is None:
        return Thresholds()
    from sandbox.config import read_yaml

    data = read_yaml(Path(path), "korrigieren Sie die Schwellenwertdatei")
    known = {f.name: f.type for f in fields(Thresholds)}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise SandboxError(f"Schwellenwertdatei: unbekannte Schlüssel {', '.join(map(str, unknown))}; "
                           f"erlaubt sind {', '.join(known)}")
    try:
        return replace(Thresholds(), **{k: (int if k == "min_rows" else float)(v) for k, v in data.items()})
    except (TypeError, ValueError):
        raise SandboxError("Schwellenwertdatei: jeder Wert muss eine Zahl sein") from None


def _by_key(measures: Sequence[Measure]) -> dict[str, Measure]:
    return {m.key.split(":")[0]: m for m in measures}


def _beyond_chance(risk: Measure) -> bool:
    """True when the attack's interval lies above the control's: the risk is no accident of the sample."""
    rc, high = risk.baseline, risk.baseline_high
    if rc is None or high is None or rc >= 1:
        return risk.low > 0
    return risk.low > (high - rc) / (1 - rc)


def decide(measures: Sequence[Measure], epsilon: float, rows: int, derived: Sequence[str],
           limits: Thresholds = Thresholds()) -> tuple[str, list[Finding]]:
    """The decision and the findings that led to it (each with its verdict)."""
    found: list[Finding] = []
    if epsilon > limits.epsilon_refuse:
        found.append(Finding(REFUSE, f"ε = {decimal(epsilon)} liegt über {decimal(limits.epsilon_refuse)}"))
    elif epsilon > limits.epsilon_review:
        found.append(Finding(REVIEW, f"ε = {decimal(epsilon)} liegt über {decimal(limits.epsilon_review)}"))
    if rows < limits.min_rows:
        found.append(Finding(REVIEW, f"der Auszug hat weniger als {limits.min_rows} Zeilen"))
    if derived:
        found.append(Finding(REVIEW, "die Domäne von " + ", ".join(derived) + " ist aus den Daten abgeleitet und "
                             "nicht bestätigt; dafür gilt die Garantie nicht"))
    m = _by_key(measures)
    for key in ("singling_out_risiko", "verknuepfung_risiko", "rueckschluss_risiko"):
        risk = m.get(key)
        if risk is None or math.isnan(risk.value) or not _beyond_chance(risk):
            continue
        if risk.value > limits.risk_refuse:
            found.append(Finding(REFUSE, f"{risk.label}: Risiko {percent(risk.value)} über {percent(limits.risk_refuse)}"))
        elif risk.value > limits.risk_review:
            found.append(Finding(REVIEW, f"{risk.label}: Risiko {percent(risk.value)} über {percent(limits.risk_review)}"))
    dcr = m.get("dcr_anteil_naeher_am_original")
    if dcr is not None and not math.isnan(dcr.value):
        if dcr.value > limits.dcr_refuse and dcr.low > 0.5:
            found.append(Finding(REFUSE, f"{percent(dcr.value)} der Zwillingsdatensätze liegen näher an verwendeten "
                                 "als an zurückgehaltenen Datensätzen"))
        elif dcr.value > limits.dcr_review and dcr.low > 0.5:
            found.append(Finding(REVIEW, f"{percent(dcr.value)} der Zwillingsdatensätze liegen näher an verwendeten "
                                 "als an zurückgehaltenen Datensätzen"))
    copies = m.get("exakte_kopien_anteil")
    if copies is not None and copies.baseline is not None and copies.baseline_high is not None:
        excess = copies.value - copies.baseline
        if excess > limits.copies_refuse and copies.low > copies.baseline_high:
            found.append(Finding(REFUSE, f"Kopien echter Datensätze: {percent(copies.value)} gegen "
                                 f"{percent(copies.baseline)} bei zurückgehaltenen"))
    tvd = m.get("tvd_2_weg")
    if tvd is not None and tvd.baseline is not None and not tvd.value < tvd.baseline:
        found.append(Finding(REVIEW, "der Zwilling gibt Spaltenpaare nicht besser wieder als unabhängige Spalten: "
                             "wenig Nutzen"))
    verdict = max((f.verdict for f in found), key=_ORDER.__getitem__, default=RELEASE)
    return verdict, found
