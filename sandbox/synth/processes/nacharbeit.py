"""The texture of real cases: corrections, status inquiries, escalations and objections.

`antraege` fixes each case's receipt, decision, outcome and requests for
documents. What happens in between and afterwards is drawn here, per case
and vectorised, from the process type's rates in ``reference/prozesstextur.csv``
and the assumptions in ``reference/prozessannahmen.csv``:

- corrections: the review finds an error, the clerk corrects it and reviews
  again, sometimes several rounds (``korrektur_quote``, ``korrektur_wiederholung``);
- status inquiries: the longer a case runs beyond the service's median, the
  more often the applicant asks (``sachstand_neigung`` per multiple of the median);
- escalation to the head of office for cases far beyond the median;
- objection (Widerspruch) within a month of the notice, against refusals
  and, for building permits, by neighbours against approvals; it runs on the
  office's capacity (:mod:`kapazitaet`), so objections filed before Christmas
  or in summer take longer, and ends in remedy, a Widerspruchsbescheid or
  withdrawal, or is still pending on the reference day.

Calibration: BPI Challenge 2015 (building permits of five Dutch
municipalities, van Dongen 2015, 4TU.ResearchData, CC BY 4.0): a third of
permit cases repeat an activity and 14 % enter an objection that roughly
doubles the duration; figures only, no data taken over.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from sandbox.synth import reference
from sandbox.synth.codes import PROZESSTYPEN
from sandbox.synth.processes.kapazitaet import Kapazitaet
from sandbox.synth.processes.katalog import annahme

__all__ = ["textur", "ABHILFE", "BESCHEID", "RUECKNAHME", "OFFEN_EINGANG", "OFFEN_VORLAGE"]

#: objection courses (index into prozessschritte.VERLAEUFE; 0 = none)
ABHILFE, BESCHEID, RUECKNAHME, OFFEN_EINGANG, OFFEN_VORLAGE = range(1, 6)
MAX_KORREKTUREN, MAX_SACHSTAND = 7, 3  # the bits the variant key gives them
LAST_NOTICE_GAP = 3  # objections filed in the last days before the reference day are not yet recorded


def _rates() -> dict[str, np.ndarray]:
    """Per process type (in PROZESSTYPEN order) the columns of reference/prozesstextur.csv."""
    table = reference.load("prozesstextur").set_index("prozesstyp").reindex(list(PROZESSTYPEN))
    return {c: table[c].astype(float).fillna(0.0).to_numpy() for c in table.columns if c != "quelle"}


def _objections(rng: np.random.Generator, case: Mapping[str, np.ndarray], rates: dict[str, np.ndarray], closed: np.ndarray,
                ref: int, kap: Kapazitaet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Course, filing day and last day of each case's objection (course 0: none)."""
    n, typ = len(closed), case["typ"]
    refused = case["abgelehnt"]
    p = np.where(refused, rates["widerspruch_nach_ablehnung"][typ], rates["drittwiderspruch"][typ])
    start = case["bescheid"] + rng.integers(3, int(annahme("widerspruch_frist_tage")) + 1, n)
    objects = closed & (rng.random(n) < p) & (start <= ref - LAST_NOTICE_GAP)
    work = rates["widerspruch_median_tage"][typ] * rng.lognormal(0.0, annahme("widerspruch_streuung"), n)
    end = kap.ende(case["pool"], np.where(objects, start, kap.first), np.where(objects, work, 0.0))
    u = rng.random(n)
    remedy, withdraw = annahme("widerspruch_abhilfe"), annahme("widerspruch_ruecknahme")
    course = np.where(u < remedy, ABHILFE, np.where(u < remedy + withdraw, RUECKNAHME, BESCHEID))
    progress = (ref - start) / np.maximum(end - start, 1)
    course = np.where(end > ref, np.where(progress < 0.4, OFFEN_EINGANG, OFFEN_VORLAGE), course)
    return np.where(objects, course, 0), start, np.minimum(end, ref)


def textur(rng: np.random.Generator, case: Mapping[str, np.ndarray], ref: int, kap: Kapazitaet) -> dict[str, np.ndarray]:
    """Corrections, status inquiries, escalation and objection of every case.

    ``case`` needs typ, abgelehnt, zurueckgezogen, offen, in_bearbeitung,
    automatisch, eingang, bescheid (days), median (the service's median days)
    and pool (office). Returns korrekturen, sachstand, eskalation, widerspruch
    (course), widerspruch_von and widerspruch_bis (days).
    """
    rates = _rates()
    typ, n = case["typ"], len(case["typ"])
    started = ~case["offen"] & ~case["automatisch"]
    closed = ~case["offen"] & ~case["in_bearbeitung"] & ~case["zurueckgezogen"] & ~case["automatisch"]
    until = np.where(case["offen"] | case["in_bearbeitung"], ref, case["bescheid"])
    over = (until - case["eingang"]) / np.maximum(case["median"], 1.0) - 1.0  # multiples of the median beyond it
    again = annahme("korrektur_wiederholung")
    fixes = (rng.random(n) < rates["korrektur_quote"][typ]) * rng.geometric(1.0 - again, n)
    asks = rng.poisson(rates["sachstand_neigung"][typ] * np.clip(over, 0.0, 4.0))
    escalate = (over >= annahme("eskalation_schwelle") - 1.0) & (rng.random(n) < rates["eskalation_anteil"][typ])
    course, start, end = _objections(rng, case, rates, closed, ref, kap)
    return {
        "korrekturen": np.where(started, np.minimum(fixes, MAX_KORREKTUREN), 0).astype(np.int64),
        "sachstand": np.where(started, np.minimum(asks, MAX_SACHSTAND), 0).astype(np.int64),
        "eskalation": started & escalate,
        "widerspruch": course.astype(np.int64),
        "widerspruch_von": start,
        "widerspruch_bis": end,
    }
