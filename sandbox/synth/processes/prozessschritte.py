"""Process templates: which steps an application passes, as a (case x step) count matrix.

The steps are the rows of ``reference/prozessschritte.csv`` in a fixed order
(receipt, confirmation, fee, transmission, completeness check, requests for
documents, ..., notice, withdrawal). A step exists for a process type when the
file has a row for it; whether a case takes it depends on the case: channel,
fee, outcome, the four-eyes rule, the number of document requests, and the
texture drawn by :mod:`sandbox.synth.processes.nacharbeit` (corrections,
status inquiries, escalation, objection). The result is a matrix of counts
per case and step (each loop counts two events per round: request and
documents received, inquiry and answer, correction and renewed review),
which :mod:`vorgangsereignisse` expands with ``np.repeat`` into an event log
without a loop over cases. Steps of the objection (Widerspruch) come after
the notice and are timed on their own (``Vorlagen.after``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from sandbox.errors import SandboxError
from sandbox.synth import reference
from sandbox.synth.codes import PROZESSTYPEN

__all__ = ["Schritte", "Vorlagen", "schritte", "varianten", "SCHRITTE", "LOOP", "LOOPS", "FINAL", "RESSOURCEN", "FLAGS",
           "VERLAEUFE"]

#: step keys in process order; NACHFORDERUNG stands for the loop (request, documents received) x rounds
SCHRITTE = (
    "EINGANG", "BESTAETIGUNG", "GEBUEHR_SOFORT", "UEBERMITTLUNG", "VOLLSTAENDIGKEIT", "NACHFORDERUNG", "SACHSTAND",
    "BETEILIGUNG", "SACHPRUEFUNG", "KORREKTUR", "ESKALATION", "ANHOERUNG", "GENEHMIGUNG", "ERSTELLUNG",
    "ERSTELLUNG_ABLEHNUNG", "ZAHLUNGSAUFFORDERUNG", "ZAHLUNG", "ABSCHLUSS", "ABSCHLUSS_VOR_ORT", "ABSCHLUSS_ABLEHNUNG",
    "WIDERSPRUCH", "ABHILFEPRUEFUNG", "ABHILFE", "VORLAGE", "WIDERSPRUCHSBESCHEID", "WIDERSPRUCH_RUECKNAHME", "RUECKNAHME",
)
S = {name: i for i, name in enumerate(SCHRITTE)}
LOOP = S["NACHFORDERUNG"]
#: loop steps and the row of their second event in the reference file (same for every process type)
LOOPS = {"NACHFORDERUNG": "NACHREICHUNG", "SACHSTAND": "SACHSTAND_ANTWORT", "KORREKTUR": "KORREKTUR_PRUEFUNG"}
FINAL = S["ERSTELLUNG"]  # first step of the decision; withdrawals and open cases stop before it
AFTER = S["WIDERSPRUCH"]  # steps from here to RUECKNAHME (exclusive) follow the notice: the objection
#: steps of each objection course (see nacharbeit.WIDERSPRUCH_VERLAEUFE), in step order
VERLAEUFE = (
    (),
    ("WIDERSPRUCH", "ABHILFEPRUEFUNG", "ABHILFE"),
    ("WIDERSPRUCH", "ABHILFEPRUEFUNG", "VORLAGE", "WIDERSPRUCHSBESCHEID"),
    ("WIDERSPRUCH", "ABHILFEPRUEFUNG", "WIDERSPRUCH_RUECKNAHME"),
    ("WIDERSPRUCH",),
    ("WIDERSPRUCH", "ABHILFEPRUEFUNG", "VORLAGE"),
)
#: case attributes that decide the path, besides the process type and the counts below
FLAGS = ("online", "vor_ort", "digital", "gebuehr", "abgelehnt", "vier_augen", "automatisch", "zurueckgezogen",
         "offen", "in_bearbeitung", "eskalation")
#: per-case counts that decide the path, with the bits each takes in the variant key
COUNTS = (("nachforderungen", 6), ("korrekturen", 3), ("sachstand", 2), ("widerspruch", 3))
MAX_LOOPS = 63
#: Kanal: System for online applications, else the clerk; Posteingang: System online and by e-mail, else the clerk
RESSOURCEN = ("System", "Sachbearbeitung", "Leitung", "Kanal", "Posteingang")


@dataclass(frozen=True)
class Schritte:
    """Step tables indexed [step, process type]; -1 / nan where a type lacks the step."""

    aktivitaeten: tuple[str, ...]
    name: np.ndarray  # activity code
    ressource: np.ndarray  # index into RESSOURCEN
    gewicht: np.ndarray  # relative share of the case's duration before this step; 0 = right after the previous
    partner: dict[int, tuple[int, int, float]]  # loop step -> its second event (activity code, resource, weight)

    def instant(self, typ: np.ndarray) -> np.ndarray:
        """(case, step): steps that follow the previous one within seconds (weight 0)."""
        return np.nan_to_num(self.gewicht[:, typ].T, nan=0.0) == 0

    def has(self, step: str, typ: np.ndarray) -> np.ndarray:
        return self.name[S[step], typ] >= 0

    def counts(self, case: Mapping[str, np.ndarray]) -> np.ndarray:
        """Events per case and step (int32 matrix) for the cases' process type, channel, fee, outcome and loops."""
        typ = case["typ"]
        online, counter = case["online"], case["vor_ort"]
        written = ~online & ~counter
        fee, refused, four_eyes = case["gebuehr"], case["abgelehnt"], case["vier_augen"]
        on = {
            "EINGANG": np.ones(len(typ), bool),
            "BESTAETIGUNG": online,
            "GEBUEHR_SOFORT": fee & (online | counter),
            "ANHOERUNG": refused,
            "GENEHMIGUNG": four_eyes | refused,
            "ERSTELLUNG": ~refused,
            "ERSTELLUNG_ABLEHNUNG": refused,
            "ZAHLUNGSAUFFORDERUNG": fee & written & ~refused,
            "ZAHLUNG": fee & written & ~refused,
            "ABSCHLUSS": ~refused & ~(counter & self.has("ABSCHLUSS_VOR_ORT", typ)),
            "ABSCHLUSS_VOR_ORT": ~refused & counter,
            "ABSCHLUSS_ABLEHNUNG": refused,
            "RUECKNAHME": case["zurueckgezogen"],
            "ESKALATION": case["eskalation"],
        }
        course = case["widerspruch"]
        for step in SCHRITTE[AFTER:S["RUECKNAHME"]]:
            on[step] = np.isin(course, [i for i, steps in enumerate(VERLAEUFE) if step in steps])
        out = np.zeros((len(typ), len(SCHRITTE)), np.int32)
        for step, i in S.items():
            out[:, i] = self.has(step, typ) & on.get(step, True)
        for step, count in (("NACHFORDERUNG", "nachforderungen"), ("SACHSTAND", "sachstand"), ("KORREKTUR", "korrekturen")):
            out[:, S[step]] = 2 * case[count] * self.has(step, typ)
        return out


def schritte() -> Schritte:
    """Read and check ``reference/prozessschritte.csv``."""
    rows = reference.load("prozessschritte")
    unknown = sorted(set(rows.schritt) - set(SCHRITTE) - set(LOOPS.values()))
    if unknown:
        raise SandboxError(f"reference/prozessschritte.csv: unbekannter schritt {unknown[0]!r}")
    names = tuple(dict.fromkeys(rows.aktivitaet))
    name = np.full((len(SCHRITTE), len(PROZESSTYPEN)), -1, np.int64)
    ressource = np.zeros_like(name)
    gewicht = np.full(name.shape, np.nan)
    partner: dict[int, tuple[int, int, float]] = {}
    for row in rows.itertuples(index=False):
        if row.ressource not in RESSOURCEN:
            raise SandboxError(f"reference/prozessschritte.csv: ressource {row.ressource!r} ist keine von {', '.join(RESSOURCEN)}")
        entry = (names.index(row.aktivitaet), RESSOURCEN.index(row.ressource), float(row.zeitgewicht))
        if row.schritt in LOOPS.values():
            partner[S[next(k for k, v in LOOPS.items() if v == row.schritt)]] = entry
            continue
        types = range(len(PROZESSTYPEN)) if row.prozesstypen == "alle" else [PROZESSTYPEN.index(t) for t in row.prozesstypen.split()]
        for t in types:
            name[S[row.schritt], t], ressource[S[row.schritt], t], gewicht[S[row.schritt], t] = entry
    for t in range(len(PROZESSTYPEN)):
        defined = gewicht[~np.isnan(gewicht[:, t]), t]
        if np.any(np.diff((defined == 0).astype(int)) > 0):
            raise SandboxError("reference/prozessschritte.csv: Schritte mit zeitgewicht 0 müssen vor allen anderen stehen")
    return Schritte(aktivitaeten=names, name=name, ressource=ressource, gewicht=gewicht, partner=partner)


@dataclass(frozen=True)
class Vorlagen:
    """Event sequences of the process variants: arrays [variant, position] (code -1 past the end)."""

    code: np.ndarray
    kind: np.ndarray  # resource: index into RESSOURCEN, resolved to System, Sachbearbeitung or Leitung
    weight: np.ndarray
    length: np.ndarray  # events per variant
    instant: np.ndarray  # leading events that follow receipt within seconds
    after: np.ndarray  # [variant, position]: event of the objection, after the notice


def _compact(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of distinct keys (in key order) and one member row per id.

    A lookup table when the keys are small; a sort when they span many bits
    (the variant key packs counts and flags into 30 bits).
    """
    top = int(key.max(initial=0)) + 1
    if top > 4 * len(key) + 1024:
        _, member, dense = np.unique(key, return_index=True, return_inverse=True)
        return dense.astype(np.int64), member.astype(np.int64)
    present = np.zeros(top, bool)
    present[key] = True
    dense = np.cumsum(present) - 1
    member = np.empty(int(present.sum()), np.int64)
    member[dense[key]] = np.arange(len(key))
    return dense[key], member


def _stops(rep: Mapping[str, np.ndarray], counts: np.ndarray, prefix: np.ndarray, base: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Events before the decision each case keeps if it was withdrawn or is open; all events otherwise.

    A withdrawal comes after receipt, or after the last request for documents
    (the applicant gave up); an open case in progress has at least one step
    after receipt; an open case not yet started only its receipt. ``rep``,
    ``counts`` and ``prefix`` describe the base variants, ``base`` maps cases to them.
    """
    before_final = counts[:, :FINAL].sum(axis=1)
    after_requests = counts[:, : LOOP + 1].sum(axis=1) - (counts[:, LOOP] > 0)  # just after the last request
    lo_withdrawn = np.where(counts[:, LOOP] > 0, after_requests, prefix)
    lo = np.where(rep["zurueckgezogen"], lo_withdrawn, np.maximum(lo_withdrawn, prefix + 1))
    lo = np.minimum(lo, before_final)
    fixed = np.where(rep["offen"], prefix, counts.sum(axis=1))
    free = (rep["zurueckgezogen"] | rep["in_bearbeitung"])[base]
    drawn = lo[base] + np.floor(u * (before_final - lo + 1)[base]).astype(np.int64)
    return np.where(free, drawn, fixed[base])


def varianten(steps: Schritte, case: Mapping[str, np.ndarray], u: np.ndarray) -> tuple[np.ndarray, Vorlagen]:
    """The process variant of every case and the event sequence of every variant.

    Cases are keyed by process type, the flags and the number of requests;
    ``u`` (uniform per case) picks where withdrawn and open cases stop. The
    templates are built once per variant, so the work per case is a lookup.
    """
    key, bit = case["typ"].astype(np.int64), 3
    for name, bits in COUNTS:
        values = np.asarray(case[name], np.int64)
        if len(values) and values.max() >= 1 << bits:
            raise ValueError(f"{name}: more than {(1 << bits) - 1} in one case")
        key, bit = key | (values << bit), bit + bits
    for flag in FLAGS:
        key, bit = key | (case[flag].astype(np.int64) << bit), bit + 1
    base, member = _compact(key)
    rep = {name: case[name][member] for name in ("typ", *(c for c, _ in COUNTS), *FLAGS)}
    counts = steps.counts(rep)
    prefix = (counts * steps.instant(rep["typ"])).sum(axis=1)
    stop = _stops(rep, counts, prefix, base, u)
    variant, member2 = _compact(base * (int(counts.sum(axis=1).max(initial=0)) + 1) + stop)
    b, stop = base[member2], stop[member2]
    before = np.cumsum(counts[b], axis=1) - counts[b]
    kept = np.clip(stop[:, None] - before, 0, counts[b])
    kept[:, S["RUECKNAHME"]] = counts[b, S["RUECKNAHME"]]
    return variant, _expand(steps, {name: values[b] for name, values in rep.items()}, kept, prefix[b])


def _expand(steps: Schritte, rep: Mapping[str, np.ndarray], kept: np.ndarray, prefix: np.ndarray) -> Vorlagen:
    """Event sequences of the variants from their (variant, step) counts."""
    v_count, s_count = kept.shape
    length = kept.sum(axis=1)
    step = np.repeat(np.tile(np.arange(s_count), v_count), kept.ravel())
    owner = np.repeat(np.arange(v_count), length)
    j = np.arange(len(owner)) - (np.cumsum(length) - length)[owner]
    typ = rep["typ"][owner]
    code, kind, weight = steps.name[step, typ], steps.ressource[step, typ], steps.gewicht[step, typ]
    for loop, (p_code, p_kind, p_weight) in steps.partner.items():
        partner = (step == loop) & ((j - kept[:, :loop].sum(axis=1)[owner]) % 2 == 1)  # the loop's second event
        code, kind, weight = np.where(partner, p_code, code), np.where(partner, p_kind, kind), np.where(partner, p_weight, weight)
    system, clerk = RESSOURCEN.index("System"), RESSOURCEN.index("Sachbearbeitung")
    kind = np.where(kind == RESSOURCEN.index("Kanal"), np.where(rep["online"][owner], system, clerk), kind)
    kind = np.where(kind == RESSOURCEN.index("Posteingang"), np.where(rep["digital"][owner], system, clerk), kind)
    kind = np.where(rep["automatisch"][owner], system, kind)
    width = int(length.max(initial=0))
    after = (step >= AFTER) & (step < S["RUECKNAHME"])
    out = {name: np.full((v_count, width), fill, dtype) for name, fill, dtype in
           (("code", -1, np.int16), ("kind", system, np.int8), ("weight", 0.0, np.float64), ("after", False, bool))}
    for name, values in (("code", code), ("kind", kind), ("weight", weight), ("after", after)):
        out[name][owner, j] = values
    instant = np.where(rep["automatisch"], length, np.minimum(prefix, length))  # automatic cases: all in seconds
    return Vorlagen(code=out["code"], kind=out["kind"], weight=out["weight"], length=length, instant=instant,
                    after=out["after"])
