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
cannot be judged and is named as such. A profile whose runs all failed gives
no evidence either way: it is left out of the comparison and named in every
judgement ("in landgemeinde alle Läufe fehlgeschlagen: keine Aussage"), so
nothing is called "übertragbar" that was not shown there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.compare.model import Comparison, CriterionRow, MetricRow, Notice, TransferRow
from sandbox.errors import SandboxError
from sandbox.tracking import keys

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["experiments_of", "judge", "profile_of", "evidence", "failed_notice"]

_HOLDS = ("besser", "rauschen")


def profile_of(experiment: str) -> str:
    """``posteingang@grossstadt`` -> ``grossstadt``."""
    return experiment.rpartition(keys.TRANSFER_SEPARATOR)[2]


def _finished(client: "MlflowClient", experiment_id: str) -> bool:
    return bool(client.search_runs([experiment_id], "attributes.status = 'FINISHED'", max_results=1))


def experiments_of(client: "MlflowClient", name: str) -> tuple[list[str], list[str]]:
    """The MLflow experiments ``name@<profile>`` with a finished run, oldest first (the order the profiles
    were run), and the profiles whose runs all failed (or never finished)."""
    prefix = keys.transfer_experiment(name, "")
    found = [e for e in client.search_experiments(max_results=1000) if e.name.startswith(prefix)]
    found.sort(key=lambda e: (e.creation_time or 0, e.name))
    if len(found) < 2:
        raise SandboxError(f"zu {name} gibt es {len(found)} Profil-Experimente ({prefix}…); zuerst auf mehreren "
                           f"Kommunentypen ausführen: sandbox experiment run {name} --profiles "
                           "grossstadt,musterstadt,landkreis,landgemeinde")
    usable = [e.name for e in found if _finished(client, e.experiment_id)]
    failed = [profile_of(e.name) for e in found if e.name not in usable]
    if len(usable) < 2:
        held = ", ".join(profile_of(n) for n in usable) or "keinem Profil"
        raise SandboxError(f"{name}: abgeschlossene Läufe nur in {held}; {_failed_words(failed)}; für die "
                           "Übertragbarkeit braucht es mindestens zwei Profile (Fehler der Läufe: sandbox experiment "
                           f"list, neu ausführen: sandbox experiment run {name} --profiles ...)")
    return usable, failed


def _failed_words(failed: list[str]) -> str:
    return f"in {', '.join(failed)} alle Läufe fehlgeschlagen: keine Aussage"


def failed_notice(failed: list[str]) -> tuple[Notice, ...]:
    """The report's warning about profiles without a finished run (none if every profile has one)."""
    if not failed:
        return ()
    return (Notice("mittel", f"Übertragbarkeit: {_failed_words(failed)}. Diese Kommunentypen fehlen im Vergleich; "
                             "ob das Ergebnis dort gilt, ist offen."),)


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


def _unshown(row: TransferRow, failed: list[str]) -> TransferRow:
    """The judgement of ``row`` with the profiles that gave no evidence named; nothing "übertragbar" beyond the shown."""
    if not failed:
        return row
    words = "übertragbar, soweit belegt" if row.judgement == "übertragbar" else row.judgement
    return TransferRow(row.kind, row.name, row.title, row.holds, f"{words}; {_failed_words(failed)}")


def judge(c: Comparison, failed: list[str] | None = None) -> tuple[TransferRow, ...]:
    """Criteria first, then the metrics without a criterion; ``failed``: profiles without a finished run."""
    profiles = [profile_of(s.label) for s in c.subjects]
    judged = {row.name for row in c.criteria}
    rows = [_criterion(row, profiles) for row in c.criteria]
    rows += [_metric(row, profiles) for row in c.metrics if row.name not in judged]
    return tuple(_unshown(row, failed or []) for row in rows)


def evidence(rows: tuple[TransferRow, ...]) -> str:
    """One line for the scorecard's criterion Übertragbarkeit: how many criteria and metrics carry over."""
    criteria = [r for r in rows if r.kind == "Kriterium"]
    carried = [r for r in criteria if r.judgement == "übertragbar"]
    partly = [f"{r.title}: {r.judgement}" for r in criteria if r.judgement != "übertragbar"]
    return (f"Beleg aus den Läufen auf mehreren Kommunentypen: {len(carried)} von {len(criteria)} Erfolgskriterien "
            "übertragbar" + (f" ({'; '.join(partly)})" if partly else "") + ".")
