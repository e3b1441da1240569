"""The German summary at the top of the report: who is ahead on what, and what is still uncertain.

Written for evaluators, not statisticians: "klar besser" only when the 95 %
interval of the difference excludes 0 and the better direction of the metric
is known (from its success criterion or its name); otherwise "klar höher" or
"klar niedriger". Everything the numbers cannot settle goes to the second
list: differences within noise, single seeds, few seeds, results that do not
vary over seeds at all, different datasets, missing or disputed ratings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.compare.fmt import energy, grade, num, plural, rule

if TYPE_CHECKING:
    from sandbox.compare.model import Comparison, MetricRow

__all__ = ["summarize"]

_SHOWN = 4


def _names(items: list[str]) -> str:
    if len(items) <= _SHOWN:
        return ", ".join(items)
    return ", ".join(items[:_SHOWN]) + f" und {len(items) - _SHOWN} weiteren"


def _verdicts(c: "Comparison", index: int) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {"besser": [], "schlechter": [], "höher": [], "niedriger": [], "rauschen": [],
                                    "offen": []}
    for row in c.metrics:
        verdict, e, b = row.verdict(index), row.estimates[index], row.estimates[0]
        if verdict is None or e is None or b is None:
            continue
        clear = verdict not in ("rauschen", "offen")
        groups[verdict].append(f"{row.title} ({num(e.mean)} statt {num(b.mean)})" if clear else row.title)
    return groups


def _metric_sentence(c: "Comparison", index: int, groups: dict[str, list[str]]) -> str:
    other, base = c.subjects[index].label, c.baseline.label
    parts = [f"klar {word} bei {_names(groups[word])}" for word in ("besser", "schlechter", "höher", "niedriger")
             if groups[word]]
    if groups["rauschen"]:
        parts.append(f"kein klarer Unterschied bei {_names(groups['rauschen'])}")
    if groups["offen"]:
        parts.append(f"nicht beurteilbar (ein Lauf) bei {_names(groups['offen'])}")
    return f"{other} gegenüber {base}: " + "; ".join(parts) + "."


def _criteria_sentence(c: "Comparison") -> str | None:
    if not c.criteria:
        return None
    parts = []
    same = [row for row in c.criteria if row.same_rule]
    for i, s in enumerate(c.subjects):
        cells = [(row.title, row.cells[i]) for row in same if row.cells[i] is not None]
        if not cells:
            parts.append(f"{s.label} hat keine")
            continue
        met = sum(cell.met == cell.total for _, cell in cells)
        missed = [f"{name} {rule(cell.rule)}" for name, cell in cells if cell.met < cell.total]
        parts.append(f"{s.label} erfüllt {met} von {len(cells)} in allen Läufen"
                     + (f" (verfehlt: {', '.join(missed)})" if missed else ""))
    differing = [row.title for row in c.criteria if not row.same_rule]
    tail = (f" Nicht mitgezählt, weil die Schwellen verschieden sind: {', '.join(differing)}." if differing else "")
    return "Erfolgskriterien (bei gleichen Schwellen): " + "; ".join(parts) + "." + tail


def _score_sentence(c: "Comparison") -> str | None:
    overall = c.scores[-1].cells
    rated = [(s.label, cell) for s, cell in zip(c.subjects, overall) if cell is not None]
    if not rated:
        return None
    if len(rated) == 1:
        label, cell = rated[0]
        return (f"Bewertung nach den Kriterien der Vision: bisher nur {label} bewertet (Gesamtnote {grade(cell.mean)} "
                f"aus {plural(cell.n, 'Bewertung', 'Bewertungen')}).")
    leader = max(rated, key=lambda x: x[1].mean)
    shown = "; ".join(f"{label} {grade(cell.mean)} aus {plural(cell.n, 'Bewertung', 'Bewertungen')}"
                      for label, cell in rated)
    ties = [label for label, cell in rated if abs(cell.mean - leader[1].mean) < 1e-9]
    head = f"{' und '.join(ties)} gleichauf" if len(ties) > 1 else f"{leader[0]} vorn"
    return f"Bewertung nach den Kriterien der Vision: {head} (Gesamtnote {shown})."


def _cost_sentence(c: "Comparison") -> str | None:
    known = [(s.label, cost) for s, cost in zip(c.subjects, c.costs) if cost.cpu_s is not None]
    if not known:
        return None
    shown = "; ".join(f"{label} {num(cost.cpu_s, 2)} s CPU, etwa {energy(cost.energy_wh)}" for label, cost in known)
    return f"Rechenaufwand je Lauf: {shown} (Energie geschätzt, Annahmen im Abschnitt Aufwand)."


def _flat(row: "MetricRow", index: int) -> bool:
    e = row.estimates[index]
    return e is not None and e.n > 1 and max(e.values) == min(e.values)


def _uncertain(c: "Comparison", verdicts: dict[int, dict[str, list[str]]]) -> list[str]:
    out = []
    if c.same_data is False:
        out.append("Die Experimente liefen auf unterschiedlichen Datensätzen; Unterschiede können von den Daten kommen.")
    for i, groups in verdicts.items():
        if groups["rauschen"]:
            out.append(f"{c.subjects[i].label} und {c.baseline.label}: bei {_names(groups['rauschen'])} liegt der "
                       "Unterschied im Rahmen des Zufalls (das 95-%-Intervall der Differenz schließt 0 ein).")
    for i, s in enumerate(c.subjects):
        if len(s.runs) == 1:
            out.append(f"{s.label} hat nur einen Lauf: ohne weitere Seeds bleibt offen, wie stark das Ergebnis schwankt.")
        elif len(s.runs) < 5:
            out.append(f"{s.label} hat {len(s.runs)} Seeds; mit so wenigen Läufen sind die Intervalle grob und eher zu eng.")
        flat = [row.title for row in c.metrics if _flat(row, i)]
        if flat and len(s.runs) > 1:
            out.append(f"{s.label}: {_names(flat)} ändert sich über die Seeds nicht; das Intervall zeigt dann keine "
                       "Unsicherheit, über andere Daten oder Zeiträume sagt es nichts.")
    unrated = [s.label for s, cell in zip(c.subjects, c.scores[-1].cells) if cell is None]
    if unrated:
        out.append(f"Noch nicht bewertet: {', '.join(unrated)} (sandbox experiment score NAME).")
    for row in c.scores[:-1]:
        for s, cell in zip(c.subjects, row.cells):
            if cell is not None and cell.high - cell.low >= 2:
                out.append(f"Die Bewertenden von {s.label} sind sich bei {row.title} uneinig "
                           f"(Noten {num(cell.low)} bis {num(cell.high)}).")
    return out


def summarize(c: "Comparison") -> tuple[list[str], list[str]]:
    """(sentences on who is ahead, sentences on what is uncertain), both in German."""
    verdicts = {i: _verdicts(c, i) for i in range(1, len(c.subjects))}
    if c.metrics:
        ahead = [_metric_sentence(c, i, groups) for i, groups in verdicts.items() if any(groups.values())]
    else:
        ahead = ["Keine gemeinsame Metrik: Die Experimente beantworten unterschiedliche Fragen. Verglichen werden "
                 "Erfolgskriterien, Bewertung und Aufwand; ihre Metriken stehen je Experiment im Bericht."]
    ahead += [s for s in (_criteria_sentence(c), _score_sentence(c), _cost_sentence(c)) if s]
    return ahead, _uncertain(c, verdicts)
