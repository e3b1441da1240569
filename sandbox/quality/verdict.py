"""The privacy verdict: "unbedenklich", "prüfen" or "nicht freigeben", with reasons and an exit code.

The figures of the privacy report (k, share of unique records, l, free-text
hits) become one decision a data-protection officer can act on. Thresholds:

- k below :data:`K_MIN` (5): Annahme, following the minimum case numbers
  statistical offices use before publishing a table cell (3 to 5; the
  stricter value is taken).
- unique share from :data:`UNIQUE_REVIEW` (5 %) "prüfen", from
  :data:`UNIQUE_BLOCK` (20 %) "nicht freigeben": Annahme; a fifth of the
  records identifiable by birth year, sex and postcode alone is no anonymised
  data (cf. Sweeney 2000, 87 % of the US population unique on birth date, sex
  and ZIP code).
- l below :data:`L_MIN` (2): a group whose members all share the sensitive
  value discloses it (Machanavajjhala et al. 2007, l-diversity).
- a free text naming a registered person with birth date: "nicht freigeben".

Synthetic people are nobody: a generated dataset is "unbedenklich" unless its
free text names a person of its register ("prüfen"); the figures then say how
real data of the same structure would be judged. Exit codes: 0 unbedenklich,
1 prüfen, 3 nicht freigeben (2 stays the code for unreadable input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.german import percent


class PrivacyReport(Protocol):
    """What the verdict reads of :class:`sandbox.quality.privacy.PrivacyReport` (which imports this module)."""

    synthetic: bool
    anonymity: list[Any]
    missing: dict[str, list[str]]
    leaks: Any

__all__ = ["Verdict", "judge", "K_MIN", "UNIQUE_REVIEW", "UNIQUE_BLOCK", "L_MIN", "EXPLANATIONS"]

K_MIN = 5
UNIQUE_REVIEW = 0.05
UNIQUE_BLOCK = 0.20
L_MIN = 2

UNBEDENKLICH, PRUEFEN, SPERREN = "unbedenklich", "prüfen", "nicht freigeben"
_CODES = {UNBEDENKLICH: 0, PRUEFEN: 1, SPERREN: 3}

#: one German sentence per figure, for the terminal and the data card
EXPLANATIONS: tuple[str, ...] = (
    "k: Zahl der Datensätze in der kleinsten Gruppe mit denselben Merkmalen; k = 1 heißt, mindestens eine "
    f"Person ist allein an diesen Merkmalen erkennbar (Schwelle: k ≥ {K_MIN}).",
    "eindeutig: Anteil der Datensätze, deren Merkmalskombination niemand sonst hat "
    f"(ab {percent(UNIQUE_REVIEW, 0)} prüfen, ab {percent(UNIQUE_BLOCK, 0)} nicht freigeben).",
    "l: kleinste Zahl verschiedener Werte des sensiblen Merkmals innerhalb einer Gruppe; l = 1 verrät den Wert "
    f"für alle in der Gruppe (Schwelle: l ≥ {L_MIN}).",
    "homogen: Anteil der Datensätze in Gruppen, in denen alle denselben sensiblen Wert haben.",
)


@dataclass
class Verdict:
    """The decision, why, and the exit code of ``sandbox data privacy``."""

    level: str
    reasons: list[str] = field(default_factory=list)
    structure: str = ""  # synthetic data: how real data of this structure would be judged

    @property
    def exit_code(self) -> int:
        return _CODES[self.level]

    def line(self) -> str:
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return f"Ergebnis: {self.level}{why}" + (f" ({self.structure})" if self.structure else "")


def _structure(report: "PrivacyReport") -> tuple[str, list[str]]:
    """The level and reasons from the figures alone (k, unique share, l)."""
    level, reasons = UNBEDENKLICH, []
    for a in report.anonymity:
        if a.unique_share >= UNIQUE_BLOCK:
            level = SPERREN
            reasons.append(f"{a.name}: {percent(a.unique_share)} der Datensätze eindeutig")
        elif a.k < K_MIN or a.unique_share >= UNIQUE_REVIEW:
            level = level if level == SPERREN else PRUEFEN
            reasons.append(f"{a.name}: k = {a.k}, eindeutig {percent(a.unique_share)}")
        if a.l is not None and a.l < L_MIN:
            level = level if level == SPERREN else PRUEFEN
            reasons.append(f"{a.name}: l = {a.l} ({a.sensitive}, homogen {percent(a.homogeneous_share)})")
    if report.missing and level == UNBEDENKLICH:
        level = PRUEFEN
        reasons.append("nicht alle Merkmale vorhanden: " + ", ".join(report.missing))
    return level, reasons


def judge(report: "PrivacyReport") -> Verdict:
    """The verdict on ``report`` (see the module docstring for the rules)."""
    level, reasons = _structure(report)
    if report.synthetic:
        structure = f"echte Daten dieser Struktur: {level}" if level != UNBEDENKLICH else ""
        if report.leaks.hits:
            return Verdict(PRUEFEN, [f"{report.leaks.hits} Freitexte nennen eine Person des Registers"], structure)
        return Verdict(UNBEDENKLICH, ["die Personen sind erfunden"], structure)
    if report.leaks.hits:
        return Verdict(SPERREN, [f"{report.leaks.hits} Freitexte nennen eine Person mit Namen und Geburtsdatum",
                                 *reasons])
    return Verdict(level, reasons or [f"k ≥ {K_MIN}, wenige eindeutige Datensätze, l ≥ {L_MIN}"])
