"""The report's bottom line for an evaluator: which experiment to take, under which condition, how sure.

The rule, in the order a Dezernent would argue it:

1. Success criteria first, but only those every subject judged by the same
   rule: "3 von 4 erfüllt" against "2 von 4" means nothing when the
   thresholds differ, so such criteria are named and left out of the count.
2. Then the metrics: clear improvements minus clear deteriorations against
   the baseline (a difference is clear when its 95 % interval excludes 0 and
   the better direction is known).
3. A tie keeps the baseline: a change has to earn its way in.

The recommendation names the trade-off (clearly better here, clearly worse
there), the parameters that differ and so drive it, how sure it is
("belastbar", "vorläufig", "offen") and what would change it. Effects are
said in words: percentage points for shares, per cent otherwise, with a size
word whose bounds are an assumption stated in the report (``SIZE_WORDS``).
"""

from __future__ import annotations

from sandbox.compare.fmt import num, rule, signed, value
from sandbox.compare.model import Comparison, Contrast, MetricRow, Recommendation

__all__ = ["recommend", "effect", "SIZE_WORDS", "ENOUGH_SEEDS"]

ENOUGH_SEEDS = 5  # below this the bootstrap intervals are rough (Annahme, see Methodik)
# (upper bound, word) for a change in percentage points (shares) or per cent (everything else); Annahme
SIZE_WORDS = ((1.0, "geringfügig"), (5.0, "leicht"), (15.0, "deutlich"), (float("inf"), "erheblich"))


def _share(row: MetricRow) -> bool:
    means = [e.mean for e in row.estimates if e is not None]
    return bool(means) and all(0.0 <= m <= 1.0 for m in means) and not all(m in (0.0, 1.0) for m in means)


def effect(row: MetricRow, index: int, swap: bool = False) -> str:
    """``"leicht niedriger: 1,2 Prozentpunkte (0,81 statt 0,82)"`` for subject ``index`` against the baseline
    (``swap``: the baseline against subject ``index``)."""
    base, other = row.estimates[0], row.estimates[index]
    if swap:
        base, other = other, base
    assert base is not None and other is not None
    diff = other.mean - base.mean
    if signed(diff, scale=base.mean) == "±0":
        return f"{row.title}: praktisch gleich ({num(other.mean)} statt {num(base.mean)})"
    direction = "höher" if diff > 0 else "niedriger"
    if _share(row):
        size, amount = abs(diff) * 100, f"{num(abs(diff) * 100, 2)} Prozentpunkte"
    elif base.mean:
        size = abs(diff / base.mean) * 100
        amount = f"{num(size, 2)} %"
    else:
        size, amount = float("inf"), num(abs(diff))
    word = next(w for bound, w in SIZE_WORDS if size < bound)
    return f"{row.title}: {word} {direction}, um {amount} ({num(other.mean)} statt {num(base.mean)})"


def _contrast(c: Comparison, index: int) -> Contrast:
    groups: dict[str, list[str]] = {"besser": [], "schlechter": [], "rauschen": [], "offen": []}
    for row in c.metrics:
        verdict = row.verdict(index)
        if verdict is None or row.estimates[index] is None or row.estimates[0] is None:
            continue
        if verdict in ("besser", "schlechter"):
            groups[verdict].append(effect(row, index))
        elif verdict == "rauschen":
            groups["rauschen"].append(row.title)
        else:
            groups["offen"].append(effect(row, index) + " – Richtung oder Zufall nicht beurteilbar"
                                   if verdict in ("höher", "niedriger") else row.title)
    return Contrast(c.subjects[index].label, tuple(groups["besser"]), tuple(groups["schlechter"]),
                    tuple(groups["rauschen"]), tuple(groups["offen"]))


def _seen_from_baseline(c: Comparison, index: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(where the baseline is clearly better than subject ``index``, where clearly worse), in its words."""
    gains = tuple(effect(row, index, swap=True) for row in c.metrics if row.verdict(index) == "schlechter")
    losses = tuple(effect(row, index, swap=True) for row in c.metrics if row.verdict(index) == "besser")
    return gains, losses


def _criteria_met(c: Comparison) -> tuple[list[int], list[str]]:
    """(criteria met in all runs per subject, counting same-rule criteria only; notes on differing rules)."""
    met = [0] * len(c.subjects)
    notes = []
    for row in c.criteria:
        if not row.same_rule:
            rules = "; ".join(f"{s.label} {rule(cell.rule)}" for s, cell in zip(c.subjects, row.cells) if cell)
            notes.append(f"{row.title} gilt mit unterschiedlichen Schwellen ({rules}) und zählt daher nicht mit.")
            continue
        for i, cell in enumerate(row.cells):
            met[i] += cell is not None and cell.met == cell.total
    return met, notes


def _drivers(c: Comparison, choice: int, other: int) -> tuple[str, ...]:
    return tuple(f"{row.label or row.name} ({row.name}): {value(row.values[choice])} statt {value(row.values[other])}"
                 for row in c.params if row.differs)


def recommend(c: Comparison) -> Recommendation:
    """The recommendation of comparison ``c`` (see the module docstring for the rule)."""
    contrasts = [_contrast(c, i) for i in range(1, len(c.subjects))]
    met, rule_notes = _criteria_met(c)
    net = [0] + [len(x.better) - len(x.worse) for x in contrasts]
    choice = max(range(len(c.subjects)), key=lambda i: (met[i], net[i], -i))
    rival = max((i for i in range(len(c.subjects)) if i != choice), key=lambda i: (met[i], net[i], -i))
    chosen, other = c.subjects[choice].label, c.subjects[rival].label
    # the pair's contrast seen from the chosen subject
    pair = contrasts[choice - 1] if choice else contrasts[rival - 1]
    gains, losses = (pair.better, pair.worse) if choice else _seen_from_baseline(c, rival)
    counted = sum(row.same_rule for row in c.criteria)
    reasons = []
    if counted:
        reasons.append(f"Erfolgskriterien (gleiche Schwellen): {chosen} erfüllt {met[choice]} von {counted}, "
                       f"{other} {met[rival]} von {counted}.")
    reasons += [f"Besser: {g}." for g in gains] + rule_notes
    trade_off = None
    if losses:
        trade_off = (f"Abwägung: {chosen} ist besser bei {', '.join(g.split(':')[0] for g in gains) or 'den Kriterien'}, "
                     f"aber schlechter bei {'; '.join(losses)}.")
    decided = bool(gains or losses) or met[choice] != met[rival]
    few = [s.label for s in c.subjects if len(s.runs) < ENOUGH_SEEDS]
    certainty = "offen" if not decided or any(len(s.runs) < 2 for s in c.subjects) else \
        ("vorläufig" if trade_off or few or c.same_data is not True else "belastbar")
    tie = (met[choice], net[choice]) == (met[rival], net[rival])
    if not decided:
        headline = f"Keine belegbare Verbesserung: bei {c.baseline.label} bleiben."
    elif tie and trade_off:
        headline = (f"Abwägungssache: {other} gewinnt so viel, wie es verliert; ohne Gewichtung bei {chosen} "
                    "bleiben und die Gewichtung fachlich entscheiden.")
    elif choice == 0:
        headline = f"Empfohlen: {chosen} beibehalten, {other} nicht übernehmen."
    else:
        headline = f"Empfohlen: {chosen} statt {c.baseline.label}."
    changes = []
    if trade_off:
        lost = ", ".join(x.split(":")[0] for x in losses)
        changes.append(f"Wiegt {lost} für die Verwaltung schwerer als der Gewinn, spricht das für {other}.")
    if pair.same:
        changes.append(f"Kein belegbarer Unterschied bei {', '.join(pair.same[:4])}"
                       + (f" und {len(pair.same) - 4} weiteren" if len(pair.same) > 4 else "")
                       + "; wird einer davon mit mehr Läufen klar, kann sich das Urteil verschieben.")
    if few:
        changes.append(f"Wenige Seeds bei {', '.join(few)}: mit mindestens {ENOUGH_SEEDS} Seeds je Experiment "
                       "(sandbox experiment run NAME --seeds 1,2,3,4,5) werden die Intervalle belastbar.")
    if c.same_data is not True:
        changes.append("Die Läufe sind nicht nachweislich auf denselben Daten entstanden; auf einem gemeinsamen "
                       "Datensatz wiederholen.")
    return Recommendation(choice, headline, certainty, tuple(reasons), trade_off, _drivers(c, choice, rival),
                          tuple(changes), tuple(contrasts))
