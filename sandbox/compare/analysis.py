"""Turn tracked runs into a :class:`~sandbox.compare.model.Comparison`, section by section.

Metrics are compared when every subject recorded them (bookkeeping metrics
for time and success criteria have their own sections). Each subject's mean
over its seeds gets a bootstrap interval, each difference to the baseline an
interval and a verdict (see :mod:`sandbox.compare.stats`). Parameters are
shown side by side, success criteria per subject, scorecards as mean and
spread over evaluators, the cost as time and an energy estimate whose
assumptions come from ``annahmen.yaml`` beside this module, and the data
lineage with a loud warning when the datasets differ.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import statistics
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from sandbox import tracking
from sandbox.compare import labels as labelling
from sandbox.compare import scorecard, sources, summary, verdict
from sandbox.compare import transfer as transfer_judge
from sandbox.compare.fmt import plural
from sandbox.compare.model import (Assumption, Comparison, Cost, CriterionCell, CriterionRow, Lineage, MetricRow,
                                   Notice, ParamRow, ScoreRow, ScoreSummary)
from sandbox.compare.sources import Subject
from sandbox.compare.stats import difference, estimate
from sandbox.errors import SandboxError
from sandbox.tracking import keys

__all__ = ["build", "comparable_metrics", "better_direction", "assumptions"]

_ASSUMPTIONS = Path(__file__).with_name("annahmen.yaml")
_CPU_METRICS = (keys.CPU_TIME, keys.NOTEBOOK_CPU_TIME)  # the runner's process and the notebook's kernel
_LOWER = ("fehl", "mae", "rmse", "mse", "loss", "kosten", "dauer", "wartezeit", "laufzeit", "error")
_HIGHER = ("f1", "precision", "recall", "accuracy", "genauigkeit", "auc", "trefferquote", "erreicht", "abdeckung")
_DIFFERENT_DATA = "Achtung: Die Experimente liefen auf unterschiedlichen Datensätzen"
_RULE = {">=": "hoch", ">": "hoch", "<=": "niedrig", "<": "niedrig"}


def assumptions() -> tuple[Assumption, Assumption]:
    """(power per busy core in W, German grid emission factor in g CO2/kWh), each with its source."""
    import yaml

    data = yaml.safe_load(_ASSUMPTIONS.read_text(encoding="utf-8"))
    power, grid = data["leistung_je_kern_w"], data["strommix_g_co2_je_kwh"]
    return (Assumption(float(power["werte"]), "W je Kern", " ".join(power["quelle"].split())),
            Assumption(float(grid["werte"]), "g CO2 je kWh", " ".join(grid["quelle"].split())))


def _is_result(name: str) -> bool:
    return not (name.startswith((keys.CRITERION_PREFIX, keys.SCORE_PREFIX)) or name in keys.COST_METRICS)


def comparable_metrics(subjects: Sequence[Subject], allow_different: bool = False
                       ) -> tuple[list[str], dict[str, list[str]]]:
    """(metrics every subject recorded, {subject: its metrics the others lack}).

    No shared metric is an error unless ``allow_different``: then experiments
    that answer different questions are compared on success criteria,
    scorecard and cost, and each shows its own metrics.
    """
    per = [{m for r in s.runs for m in r.metrics if _is_result(m)} for s in subjects]
    shared = set.intersection(*per)
    if not shared and not allow_different:
        listed = "; ".join(f"{s.label}: {', '.join(sorted(m)[:6]) or 'none'}" for s, m in zip(subjects, per))
        raise SandboxError(f"die verglichenen Experimente haben keine gemeinsame Metrik ({listed}); Experimente mit "
                           "denselben Metriken vergleichen (z. B. aus derselben Vorlage) oder nur Erfolgskriterien, "
                           "Bewertung und Aufwand mit --allow-different-metrics")
    only = {s.label: sorted(m - shared) for s, m in zip(subjects, per) if m - shared}
    return sorted(shared), only


def better_direction(metric: str, subjects: Sequence[Subject]) -> str | None:
    """"hoch" or "niedrig" from a logged success-criterion rule, else from the metric's name, else None."""
    for s in subjects:
        rule = s.tag(keys.criterion_rule(metric))
        if rule and rule.split()[0] in _RULE:
            return _RULE[rule.split()[0]]
    tokens = re.split(r"[._\-/]+", metric.lower())
    for words, direction in ((_LOWER, "niedrig"), (_HIGHER, "hoch")):
        if any(t.startswith(w) for t in tokens for w in words):
            return direction
    return None


def _metric_rows(subjects: Sequence[Subject], names: Sequence[str], labels: labelling.Labels,
                 compared: bool = True) -> tuple[MetricRow, ...]:
    """Rows for ``names``; with ``compared`` each subject is measured against the baseline."""
    with_rule = {n for n in names if any(s.tag(keys.criterion_rule(n)) for s in subjects)}
    rows = []
    for name in sorted(names, key=lambda n: (n not in with_rule, n)):
        estimates = tuple(estimate([r.metrics[name] for r in s.runs if name in r.metrics], f"{s.label}:{name}")
                          for s in subjects)
        base = estimates[0]
        diffs = tuple(None if i == 0 or not compared or base is None or e is None
                      else difference(base, e, f"{subjects[i].label}:{name}") for i, e in enumerate(estimates))
        rows.append(MetricRow(name, better_direction(name, subjects), estimates, diffs, labels.metric(name)))
    return tuple(rows)


def _param_rows(subjects: Sequence[Subject], labels: labelling.Labels) -> tuple[ParamRow, ...]:
    keys = sorted({k for s in subjects for r in s.runs for k in r.params})
    rows = []
    for key in keys:
        values = []
        for s in subjects:
            seen = list(dict.fromkeys(r.params[key] for r in s.runs if key in r.params))
            values.append(", ".join(seen) if seen else "–")
        differs = len(set(values)) > 1 and key != "seed"
        rows.append(ParamRow(key, tuple(values), differs, labels.param(key)))
    return tuple(sorted(rows, key=lambda r: (not r.differs, r.name)))


def _criterion_rows(subjects: Sequence[Subject], labels: labelling.Labels) -> tuple[CriterionRow, ...]:
    names = sorted({name for s in subjects for r in s.runs for k in r.metrics if (name := keys.fulfilled_criterion(k))})
    rows = []
    for name in names:
        cells: list[CriterionCell | None] = []
        for s in subjects:
            runs = [r for r in s.runs if keys.criterion_fulfilled(name) in r.metrics]
            if not runs:
                cells.append(None)
                continue
            values = [r.metrics.get(keys.criterion_value(name)) for r in runs]
            values = [v for v in values if v is not None and v == v]
            cells.append(CriterionCell(s.tag(keys.criterion_rule(name)),
                                       sum(r.metrics[keys.criterion_fulfilled(name)] == 1.0 for r in runs), len(runs),
                                       statistics.fmean(values) if values else None))
        rows.append(CriterionRow(name, tuple(cells), labels.metric(name)))
    return tuple(rows)


def _score_rows(cards: Sequence[Sequence[scorecard.Scorecard]]) -> tuple[ScoreRow, ...]:
    def summarize(notes: list[float]) -> ScoreSummary | None:
        if not notes:
            return None
        sd = statistics.stdev(notes) if len(notes) > 1 else 0.0
        return ScoreSummary(statistics.fmean(notes), min(notes), max(notes), sd, len(notes))

    rows = [ScoreRow(c.key, c.title, tuple(summarize([card.ratings[c.key].note for card in own]) for own in cards))
            for c in scorecard.CRITERIA]
    overall = ScoreRow("gesamt", "Gesamt (Mittel der Kriterien)",
                       tuple(summarize([card.overall for card in own]) for own in cards))
    return tuple(rows + [overall])


def _costs(subjects: Sequence[Subject], power: Assumption, grid: Assumption) -> tuple[Cost, ...]:
    costs = []
    for s in subjects:
        walls = [r.metrics[keys.WALL_TIME] for r in s.runs if keys.WALL_TIME in r.metrics]
        cpus = [sum(r.metrics[m] for m in _CPU_METRICS if m in r.metrics)
                for r in s.runs if any(m in r.metrics for m in _CPU_METRICS)]
        cpu = statistics.fmean(cpus) if cpus else None
        energy = None if cpu is None else cpu * power.value / 3600
        co2 = None if energy is None else energy / 1000 * grid.value
        costs.append(Cost(len(s.runs), statistics.fmean(walls) if walls else None, cpu, energy, co2,
                          sum(walls) if walls else None, None if energy is None else energy * len(cpus)))
    return tuple(costs)


def _lineage(subjects: Sequence[Subject]) -> tuple[tuple[Lineage, ...], bool | None]:
    found = tuple(Lineage(s.runs[0].digest, s.runs[0].dataset, s.runs[0].params.get(keys.DATASET_PROFILE),
                          s.runs[0].params.get(keys.DATASET_SEED)) for s in subjects)
    if any(x.digest is None for x in found):
        return found, None
    short = {(x.digest or "")[: tracking.DIGEST_LENGTH] for x in found}
    return found, len(short) == 1


def _notices(subjects: Sequence[Subject], lineage: Sequence[Lineage], same: bool | None, shared: list[str],
             only: dict[str, list[str]]) -> tuple[Notice, ...]:
    notes = []
    if same is False:
        used = "; ".join(f"{s.label}: {x.dataset or '?'} (Prüfsumme {(x.digest or '?')[:12]})"
                         for s, x in zip(subjects, lineage))
        notes.append(Notice("hoch", f"{_DIFFERENT_DATA} ({used}). "
                                    "Unterschiede in den Metriken können allein von den Daten kommen."))
    elif same is None:
        missing = ", ".join(s.label for s, x in zip(subjects, lineage) if x.digest is None)
        notes.append(Notice("mittel", f"Für {missing} ist kein Datensatz protokolliert; ob alle Experimente auf "
                                      "denselben Daten liefen, ist nicht belegt."))
    for s in subjects:
        if len(s.runs) == 1:
            notes.append(Notice("mittel", f"{s.label}: nur ein Lauf (Seed {s.seeds[0]}), daher kein "
                                          "Konfidenzintervall und kein Urteil, ob Unterschiede über dem Zufall liegen."
                                          + (f" Mehr Seeds: sandbox experiment run {s.label} --seeds 1,2,3,4,5"
                                             if s.kind == "experiment" else "")))
        if s.excluded:
            shown = ", ".join(f"Seed {r.seed or '?'} {r.status}" for r in s.excluded[:5])
            notes.append(Notice("mittel", f"{s.label}: {plural(len(s.excluded), 'Lauf', 'Läufe')} nicht abgeschlossen "
                                          f"({shown}); in der Laufliste gezeigt, nicht eingerechnet."))
        if s.superseded:
            notes.append(Notice("info", f"{s.label}: {s.superseded} ältere Läufe (andere Parameter, anderer Datensatz "
                                        "oder wiederholter Seed) sind nicht eingerechnet; verglichen wird der jüngste Stand."))
    dirty = [s.label for s in subjects if any(r.tags.get(keys.GIT_DIRTY) == "true" for r in s.runs)]
    if dirty:
        notes.append(Notice("info", f"Läufe von {', '.join(dirty)} stammen aus einem Arbeitsstand mit nicht "
                                    "eingecheckten Änderungen; der Code dieser Läufe ist nicht genau nachvollziehbar."))
    if not shared:
        notes.append(Notice("mittel", "Die Experimente haben keine gemeinsame Metrik: Sie beantworten unterschiedliche "
                                      "Fragen. Verglichen werden Erfolgskriterien, Bewertung und Aufwand; jede Metrik "
                                      "steht nur bei ihrem Experiment."))
    else:
        for label, names in only.items():
            notes.append(Notice("info", f"Nur bei {label} gemessen, daher nicht verglichen: {', '.join(names)}."))
    return tuple(notes)


def build(names: Sequence[str], allow_different_metrics: bool = False, transfer: str | None = None) -> Comparison:
    """Load the named experiments or runs and compare them; the first is the baseline.

    ``transfer``: compare the experiment's runs on several profiles instead (``names`` is ignored),
    see :mod:`sandbox.compare.transfer`.
    """
    client = sources.open_store()
    failed: list[str] = []  # profiles of a transfer comparison whose runs all failed
    if transfer is not None:
        names, failed = transfer_judge.experiments_of(client, transfer)
    subjects = sources.load_subjects(names, client)
    shared, only = comparable_metrics(subjects, allow_different_metrics)
    own = sorted({m for names_ in only.values() for m in names_})
    cards = tuple(tuple(scorecard.load(client, s.experiment_id, s.experiment)) for s in subjects)
    power, grid = assumptions()
    lineage, same = _lineage(subjects)
    labels = labelling.load(subjects)
    rows = _metric_rows(subjects, shared, labels)
    command = ["sandbox", "compare", *(["--transfer", transfer] if transfer is not None else names)]
    command += ["--allow-different-metrics"] if allow_different_metrics else []
    comparison = Comparison(
        subjects=tuple(subjects), metrics=tuple(r for r in rows if not r.constant),
        own_metrics=_metric_rows(subjects, own, labels, compared=False), params=_param_rows(subjects, labels),
        criteria=_criterion_rows(subjects, labels), scores=_score_rows(cards), cards=cards,
        costs=_costs(subjects, power, grid), lineage=lineage, same_data=same,
        notices=_notices(subjects, lineage, same, shared, only), power=power, grid=grid,
        tracking_uri=tracking.tracking_uri(), created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        constants=tuple(r for r in rows if r.constant), command=shlex.join(command))
    ahead, uncertain = summary.summarize(comparison)
    comparison = replace(comparison, summary=tuple(ahead), uncertain=tuple(uncertain))
    if transfer is None:
        return replace(comparison, recommendation=verdict.recommend(comparison))
    kept = tuple(n for n in comparison.notices if not n.text.startswith(_DIFFERENT_DATA))
    note = Notice("info", "Übertragbarkeitsvergleich: Jedes Profil hat seinen eigenen Datensatz; Unterschiede zeigen, "
                          "wie das Verfahren auf andere Kommunentypen reagiert.")
    uncertain = tuple(line for line in comparison.uncertain if not line.startswith(_DIFFERENT_DATA[9:]))
    return replace(comparison, transfer=transfer_judge.judge(comparison, failed),
                   notices=(note, *transfer_judge.failed_notice(failed), *kept), uncertain=uncertain)
