"""Part of an experiment as one column of ``sandbox compare``: one sweep, or one point of a sweep.

    sandbox compare mein-pilot:faktor=1 mein-pilot:faktor=2          # two grid values side by side
    sandbox compare mein-pilot:sweep=neuester mein-pilot:sweep=20261204-231502-7f3a
    sandbox compare mein-pilot:profil=musterstadt mein-pilot:profil=landkreis

After the experiment's name and a colon come conditions ``MERKMAL=WERT``,
separated by commas; a run must meet all of them. Merkmale: ``sweep`` (the
sweep id, or ``neuester`` for the latest sweep), ``profil`` (the profile or
dataset a run used), ``seed``, and every parameter of the experiment
(``faktor``, ``konfidenzschwelle``, ...). Numbers match by value
(``faktor=2`` selects runs with 2.0). The colon cannot occur in experiment
names (:data:`sandbox.experiments.paths.NAME_PATTERN`), so a name with a colon
is a selection unless an MLflow experiment or run has exactly that name. A
selection that leaves several parameter sets (a whole sweep over a grid) is an
error that names the values to choose from: a column averages seeds, never
different settings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, TypeVar

from sandbox.errors import SandboxError
from sandbox.tracking import keys

__all__ = ["Selection", "parse", "narrow", "SEPARATOR", "LATEST"]

SEPARATOR = ":"
LATEST = "neuester"
_SPECIAL = ("sweep", "profil", "seed")


class RunLike(Protocol):
    """What a selection reads of a run (:class:`sandbox.compare.sources.RunInfo` has it)."""

    params: dict[str, str]
    tags: dict[str, str]
    start: dt.datetime | None

    @property
    def seed(self) -> str | None: ...

    @property
    def finished(self) -> bool: ...


_R = TypeVar("_R", bound=RunLike)


@dataclass(frozen=True)
class Selection:
    """``base:key=value,...``: the experiment's name and the conditions its runs must meet."""

    text: str
    base: str
    conditions: tuple[tuple[str, str], ...]


def parse(text: str) -> Selection | None:
    """The selection written in ``text``, or None if it has no colon; a malformed one is an error."""
    base, colon, rest = text.partition(SEPARATOR)
    if not colon:
        return None
    conditions = []
    for part in rest.split(","):
        key, equals, value = (s.strip() for s in part.partition("="))
        if not (base and key and equals and value):
            raise SandboxError(f"Auswahl {text!r} ist nicht lesbar; Form: EXPERIMENT:MERKMAL=WERT[,MERKMAL=WERT], "
                               "z. B. mein-pilot:faktor=2,profil=landkreis oder mein-pilot:sweep=neuester")
        conditions.append((key, value))
    repeated = sorted({k for k, _ in conditions if [c for c, _ in conditions].count(k) > 1})
    if repeated:
        raise SandboxError(f"Auswahl {text!r} nennt {', '.join(repeated)} mehrfach; je Merkmal ein Wert")
    return Selection(text, base.strip(), tuple(conditions))


def _values(run: RunLike, key: str) -> set[str]:
    """What a run has under the selection key ``key`` (a run can name its profile in three ways)."""
    if key == "sweep":
        found = {run.tags.get(keys.SWEEP)}
    elif key == "profil":  # the sweep's coordinate; a run made outside a sweep by its dataset's profile or name
        found = {run.tags[keys.PROFILE]} if run.tags.get(keys.PROFILE) else \
            {run.params.get(keys.DATASET_PROFILE), run.params.get(keys.DATASET)}
    elif key == "seed":
        found = {run.seed}
    else:
        found = {run.params.get(key), run.tags.get(keys.coordinate(key))}
    return {v for v in found if v}


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _latest_sweep(runs: Sequence[RunLike]) -> str | None:
    dated = [r for r in runs if r.tags.get(keys.SWEEP) and r.start]
    return max(dated, key=lambda r: r.start).tags[keys.SWEEP] if dated else None  # type: ignore[arg-type,return-value]


def narrow(selection: Selection, runs: Sequence[_R], batch_key: Callable[[_R], Any]) -> list[_R]:
    """The runs (of any status) that meet every condition; an error if none does, or if the finished ones
    differ in more than the seed."""
    wanted = dict(selection.conditions)
    if wanted.get("sweep") == LATEST:
        wanted["sweep"] = _latest_sweep(runs) or LATEST
    chosen = [r for r in runs if all(any(_same(v, want) for v in _values(r, k)) for k, want in wanted.items())]
    if not chosen:
        raise _nothing(selection, runs)
    finished = [r for r in chosen if r.finished]
    batches = {batch_key(r) for r in finished}
    if len(batches) > 1:
        raise _ambiguous(selection, finished)
    return chosen


def _nothing(selection: Selection, runs: Sequence[RunLike]) -> SandboxError:
    known = sorted(set(_SPECIAL) | {k for r in runs for k in r.params if k != "seed" and not k.startswith("datensatz")})
    for key, value in selection.conditions:
        have = sorted({v for r in runs for v in _values(r, key)})
        if not have:
            return SandboxError(f"Auswahl {selection.text!r}: kein Lauf von {selection.base} hat das Merkmal {key!r}; "
                                f"möglich: {', '.join(known)}")
        if not any(_same(v, value) for v in have) and not (key == "sweep" and value == LATEST):
            return SandboxError(f"Auswahl {selection.text!r}: kein Lauf von {selection.base} hat {key}={value}; "
                                f"vorhanden: {', '.join(have[-10:])}")
    return SandboxError(f"Auswahl {selection.text!r}: kein Lauf von {selection.base} erfüllt alle Bedingungen zugleich")


def _ambiguous(selection: Selection, finished: Sequence[RunLike]) -> SandboxError:
    seen: dict[str, set[str]] = defaultdict(set)
    for run in finished:
        for key, value in run.params.items():
            if key != "seed":
                seen[key].add(value)
    varying = {k: sorted(v) for k, v in seen.items() if len(v) > 1 and k not in (keys.DATASET_PROFILE, keys.DATASET_SEED)}
    named = {keys.DATASET: "profil"}
    listed = "; ".join(f"{named.get(k, k)}: {', '.join(v)}" for k, v in sorted(varying.items())) or "verschiedene Datensätze"
    key, values = next(iter(sorted(varying.items())), ("", []))
    example = f"{selection.text},{named.get(key, key)}={values[0]}" if values else selection.text
    return SandboxError(f"Auswahl {selection.text!r} trifft Läufe mit verschiedenen Einstellungen ({listed}); eine Spalte "
                        f"mittelt nur über Seeds, bitte genauer wählen, z. B. {example}")
