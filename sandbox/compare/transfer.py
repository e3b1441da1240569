"""Transferability: does an experiment's result hold in every municipality type it was run on?

``sandbox experiment run NAME --profiles grossstadt,musterstadt,...`` leaves
one MLflow experiment ``NAME@<profile>`` per profile; ``sandbox compare
--transfer NAME`` compares them, the first profile given being the baseline.
Per success criterion and per metric the report says:

- **übertragbar**: the criterion is met in every run of every profile; a
  metric is in no profile clearly worse than in the baseline profile (the
  95 % interval of the difference includes 0, or it is clearly better);
- **nur in …**: that holds in some profiles only, which are named;
- **nicht übertragbar**: it holds in the baseline profile alone or nowhere.

Metrics with a success criterion are judged by the criterion, since the
threshold is what a municipality signs up for. A profile with a single run
cannot be judged and is named as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.compare.model import Comparison, CriterionRow, MetricRow, TransferRow
from sandbox.errors import SandboxError
from sandbox.tracking import keys

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["experiments_of", "judge", "profile_of", "evidence"]

_HOLDS = ("besser", "rauschen")


def profile_of(experiment: str) -> str:
    """``posteingang@grossstadt`` -> ``grossstadt``."""
    return experiment.rpartition(keys.TRANSFER_SEPARATOR)[2]


def experiments_of(client: "MlflowClient", name: str) -> list[str]:
    """The MLflow experiments ``name@<profile>``, oldest first (the order the profiles were run)."""
    prefix = keys.transfer_experiment(name, "")
    found = [e for e in client.search_experiments(max_results=1000) if e.name.startswith(prefix)]
    found.sort(key=lambda e: (e.creation_time or 0, e.name))
    if len(found) < 2:
        raise SandboxError(f"zu {name} gibt es {len(found)} Profil-Experimente ({prefix}…); zuerst auf mehreren "
                           f"Kommunentypen ausführen: sandbox experiment run {name} --profiles "
                           "grossstadt,musterstadt,landkreis,landgemeinde")
    return [e.name for e in found]


def _words(holds: tuple[bool | None, ...], profiles: list[str]) -> str:
    if any(h is None for h in holds):
        return "nicht beurteilbar (" + ", ".join(p for p, h in zip(profiles, holds) if h is None) + ": ein Lauf)"
    if all(holds):
        return "übertragbar"
    where = [p for p, h in zip(profiles, holds) if h]
    if not where or where == profiles[:1]:
        return "nicht übertragbar"
    return "nur in " + ", ".join(where)


def _criterion(row: CriterionRow, profiles: list[str]) -> TransferRow:
    holds = tuple(None if cell is None else cell.met == cell.total for cell in row.cells)
    if any(cell is None for cell in row.cells):
        return TransferRow("Kriterium", row.name, row.title, holds, "nicht beurteilbar (nicht überall festgelegt)")
    if not any(holds):
        return TransferRow("Kriterium", row.name, row.title, holds, "nicht übertragbar (nirgends erfüllt)")
    return TransferRow("Kriterium", row.name, row.title, holds, _words(holds, profiles))


def _metric(row: MetricRow, profiles: list[str]) -> TransferRow:
    holds = tuple(True if i == 0 else (None if row.verdict(i) == "offen" else row.verdict(i) in _HOLDS)
                  for i in range(len(profiles)))
    if row.estimates[0] is not None and row.estimates[0].n < 2:
        holds = tuple(None for _ in profiles)
    return TransferRow("Metrik", row.name, row.title, holds, _words(holds, profiles))


def judge(c: Comparison) -> tuple[TransferRow, ...]:
    """Criteria first, then the metrics without a criterion (see the module docstring)."""
    profiles = [profile_of(s.label) for s in c.subjects]
    judged = {row.name for row in c.criteria}
    return tuple([_criterion(row, profiles) for row in c.criteria]
                 + [_metric(row, profiles) for row in c.metrics if row.name not in judged])


def evidence(rows: tuple[TransferRow, ...]) -> str:
    """One line for the scorecard's criterion Übertragbarkeit: how many criteria and metrics carry over."""
    criteria = [r for r in rows if r.kind == "Kriterium"]
    carried = [r for r in criteria if r.judgement == "übertragbar"]
    partly = [f"{r.title}: {r.judgement}" for r in criteria if r.judgement != "übertragbar"]
    return (f"Beleg aus den Läufen auf mehreren Kommunentypen: {len(carried)} von {len(criteria)} Erfolgskriterien "
            "übertragbar" + (f" ({'; '.join(partly)})" if partly else "") + ".")
